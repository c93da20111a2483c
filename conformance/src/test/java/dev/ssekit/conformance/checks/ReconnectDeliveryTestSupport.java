package dev.ssekit.conformance.checks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** Servers and runners for the reconnect and delivery check tests. */
final class ReconnectDeliveryTestSupport {
  private ReconnectDeliveryTestSupport() {}

  /** What happened to each check method: "passed", "failed: …", "skipped: …", "aborted: …". */
  record Outcomes(Map<String, String> byMethod, List<String> warnings, List<String> notes, EngineExecutionResults results) {
    String of(String method) {
      return byMethod.getOrDefault(method, "not run");
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      byMethod.forEach((m, o) -> sb.append("  ").append(m).append(" → ").append(o).append('\n'));
      for (String w : warnings) sb.append("  warning: ").append(w).append('\n');
      for (String n : notes) sb.append("  note: ").append(n).append('\n');
      return sb.toString();
    }
  }

  /** Runs one check class against {@code url} (and {@code publishUrl} when not null). */
  static Outcomes run(Class<?> checks, String url, String publishUrl, String... methods) {
    var kit = EngineTestKit.engine("junit-jupiter").configurationParameter("ssekit.url", url);
    if (methods.length == 0) {
      kit = kit.selectors(selectClass(checks));
    } else {
      for (String name : methods) {
        Method m = Arrays.stream(checks.getDeclaredMethods()).filter(x -> x.getName().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no check method " + name));
        kit = kit.selectors(selectMethod(checks, m));
      }
    }
    if (publishUrl != null) kit = kit.configurationParameter("ssekit.publishUrl", publishUrl);
    EngineExecutionResults results = kit.execute();
    Map<String, String> byMethod = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (Event e : results.allEvents().list()) {
      String method = e.getTestDescriptor().getSource().filter(MethodSource.class::isInstance)
          .map(s -> ((MethodSource) s).getMethodName()).orElse(null);
      if (method == null) continue;
      if (e.getType() == EventType.SKIPPED) {
        byMethod.put(method, "skipped: " + e.getPayload(String.class).orElse(""));
      } else if (e.getType() == EventType.FINISHED) {
        TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
        String why = r.getThrowable().map(Throwable::getMessage).orElse("");
        byMethod.put(method, switch (r.getStatus()) {
          case SUCCESSFUL -> "passed";
          case ABORTED -> "aborted: " + why;
          case FAILED -> "failed: " + why;
        });
      } else if (e.getType() == EventType.REPORTING_ENTRY_PUBLISHED) {
        ReportEntry entry = e.getRequiredPayload(ReportEntry.class);
        String w = entry.getKeyValuePairs().get(Findings.KEY_WARNING);
        if (w != null) warnings.add(w);
        String n = entry.getKeyValuePairs().get(Findings.KEY_NOTE);
        if (n != null) notes.add(method + ": " + n);
      }
    }
    return new Outcomes(byMethod, warnings, notes, results);
  }

  // ------------------------------------------------------------------ a deliberately broken server

  /**
   * A tiny SSE server with the classic bugs: an unknown Last-Event-ID gets 400, resume replays from
   * the given id itself ({@code >=}, so the client sees it twice), and published event names, ids and
   * data are written raw (data split on LF only, so CR, and line breaks in names and ids, inject
   * fields). Ticks every 100 ms with numeric ids; broadcast; bounded history; loopback only.
   */
  static final class BrokenServer extends RawSocketServer {
    /** Where a resume starts, relative to the index of the given id in the history. */
    private final int resumeOffset;
    private final Object lock = new Object();
    private final List<String[]> history = new ArrayList<>(); // {id, frame}
    private final List<OutputStream> subscribers = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private final Thread ticker;
    private long nextId = 1;
    private final boolean greet;
    private int greeted;

    /** Resumes at the given id itself: the client sees that event twice. */
    BrokenServer() throws IOException {
      this(0);
    }

    /** Resumes at {@code offset} events from the given id (1 is right, 0 repeats one, 2 skips one). */
    BrokenServer(int offset) throws IOException {
      this(offset, false);
    }

    /**
     * As {@link #BrokenServer(int)}; with {@code greet}, a fresh stream first gets an event of its
     * own under the current id ({@code data: welcome, connection N}), as servers that tell each
     * client where the stream stands do.
     */
    BrokenServer(int offset, boolean greet) throws IOException {
      super("broken-sse", 512);
      resumeOffset = offset;
      this.greet = greet;
      ticker = new Thread(() -> {
        while (!closed()) {
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
          synchronized (lock) {
            String id = String.valueOf(nextId++);
            broadcast(id, "id: " + id + "\nevent: tick\ndata: tick " + id + "\n\n");
          }
        }
      }, "broken-sse-tick");
      ticker.setDaemon(true);
      ticker.start();
      start();
    }

    String url() {
      return url("/events");
    }

    String publishUrl() {
      return url("/publish");
    }

    @Override
    void serve(InputStream in, OutputStream out) throws IOException {
      while (!closed()) {
        Head head = readHead(in);
        if (head == null) return;
        Map<String, String> headers = head.headers();
        String method = head.method();
        String path = head.path();
        if (method.equals("GET") && path.startsWith("/closing")) {
          // A short stream that the server ends: with retry and id (/closing-good) or with neither.
          String body = path.startsWith("/closing-good") ? "retry: 2000\nid: c1\ndata: bye\n\n" : "data: bye\n\n";
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + body)
              .getBytes(StandardCharsets.UTF_8));
          out.flush();
          return;
        } else if (method.equals("GET") && path.startsWith("/events")) {
          stream(headers.get("last-event-id"), in, out);
          return;
        } else if (method.equals("POST") && path.startsWith("/publish")) {
          int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
          if (length > (4 << 20)) return;
          byte[] body = in.readNBytes(length);
          String id = publish(body);
          byte[] answer = id == null ? "bad request".getBytes(StandardCharsets.UTF_8)
              : json.writeValueAsBytes(Map.of("id", id));
          respond(out, id == null ? "400 Bad Request" : "202 Accepted", id == null ? "text/plain" : "application/json", answer);
        } else {
          respond(out, "404 Not Found", "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
        }
      }
    }

    private static void respond(OutputStream out, String status, String type, byte[] body) throws IOException {
      out.write(("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    private void stream(String lastEventId, InputStream in, OutputStream out) throws IOException {
      synchronized (lock) {
        int from = history.size();
        if (lastEventId != null && !lastEventId.isEmpty()) {
          int at = -1;
          for (int i = 0; i < history.size(); i++) if (history.get(i)[0].equals(lastEventId)) at = i;
          if (at < 0) { // bug: a browser stops for good
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nConnection: close\r\n\r\nunknown event id\n"
                .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return;
          }
          from = Math.min(history.size(), at + resumeOffset); // bug (unless offset 1)
        }
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        if (greet && (lastEventId == null || lastEventId.isEmpty()) && !history.isEmpty()) {
          out.write(("id: " + history.get(history.size() - 1)[0] + "\ndata: welcome, connection " + (++greeted) + "\n\n")
              .getBytes(StandardCharsets.UTF_8));
        }
        for (int i = from; i < history.size(); i++) out.write(history.get(i)[1].getBytes(StandardCharsets.UTF_8));
        out.flush();
        subscribers.add(out);
      }
      try {
        while (in.read() >= 0) {
          // the client sends nothing; -1 or an exception means it left
        }
      } finally {
        synchronized (lock) {
          subscribers.remove(out);
        }
      }
    }

    /** Publishes {data, event?, id?} written raw; returns the id, or null for a bad request. */
    private String publish(byte[] body) {
      JsonNode root;
      try {
        root = json.readTree(body);
      } catch (IOException e) {
        return null;
      }
      if (root == null || !root.hasNonNull("data")) return null;
      String data = root.get("data").asText();
      String event = root.hasNonNull("event") ? root.get("event").asText() : null;
      synchronized (lock) {
        String id = root.hasNonNull("id") ? root.get("id").asText() : String.valueOf(nextId++);
        StringBuilder frame = new StringBuilder("id: ").append(id).append('\n'); // bug: raw
        if (event != null) frame.append("event: ").append(event).append('\n'); // bug: raw
        for (String line : data.split("\n", -1)) frame.append("data: ").append(line).append('\n'); // bug: LF only
        frame.append('\n');
        broadcast(id, frame.toString());
        return id;
      }
    }

    /** Under {@link #lock}: keeps {@code frame} in the history and writes it to every subscriber. */
    private void broadcast(String id, String frame) {
      history.add(new String[] {id, frame});
      if (history.size() > 5000) history.subList(0, 1000).clear();
      byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
      for (var it = subscribers.iterator(); it.hasNext(); ) {
        OutputStream out = it.next();
        try {
          out.write(bytes);
          out.flush();
        } catch (IOException e) {
          it.remove();
        }
      }
    }

    @Override
    public void close() throws IOException, InterruptedException {
      super.close();
      ticker.interrupt();
      ticker.join(2000);
    }
  }
}
