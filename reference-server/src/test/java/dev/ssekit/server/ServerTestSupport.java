package dev.ssekit.server;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.testkit.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the server's socket tests: publish, read events, wait for a condition. */
final class ServerTestSupport {

  static final Duration WAIT = Duration.ofSeconds(20);

  private ServerTestSupport() {}

  /** A response as the test saw it. */
  record Reply(int status, String body, RawHttp.Head head) {}

  static Reply publish(int port, String topic, String json, String... headers) throws IOException {
    String[] all = new String[headers.length + 1];
    all[0] = "Content-Type: application/json";
    System.arraycopy(headers, 0, all, 1, headers.length);
    return post(port, "/publish" + (topic == null ? "" : "?topic=" + topic), json.getBytes(StandardCharsets.UTF_8), all);
  }

  static Reply post(int port, String path, byte[] body, String... headers) throws IOException {
    try (RawHttp http = RawHttp.request(port, "POST", path, body, headers)) {
      RawHttp.Head head = http.head(WAIT);
      byte[] b = http.readToEnd(WAIT);
      return new Reply(head.status(), new String(b, StandardCharsets.UTF_8), head);
    }
  }

  static Reply get(int port, String path, String... headers) throws IOException {
    try (RawHttp http = RawHttp.get(port, path, headers)) {
      RawHttp.Head head = http.head(WAIT);
      byte[] b = http.readToEnd(WAIT);
      return new Reply(head.status(), new String(b, StandardCharsets.UTF_8), head);
    }
  }

  /** The events (not retry items) in {@code body}, read the way a browser reads them. */
  static List<DispatchedEvent> events(byte[] body) {
    List<DispatchedEvent> out = new ArrayList<>();
    new EventStreamParser(item -> {
      if (item instanceof DispatchedEvent e) out.add(e);
    }).feed(body);
    return out;
  }

  /** Reads the stream until it has dispatched at least {@code n} events; returns them. */
  static List<DispatchedEvent> awaitEvents(RawHttp stream, int n) throws IOException {
    byte[] body = stream.awaitBody(b -> events(b).size() >= n, WAIT);
    return events(body);
  }

  /** Reads the stream until an event with {@code data} has been dispatched. */
  static List<DispatchedEvent> awaitData(RawHttp stream, String data) throws IOException {
    byte[] body = stream.awaitBody(b -> events(b).stream().anyMatch(e -> e.data().equals(data)), WAIT);
    return events(body);
  }

  /** Polls {@code condition} until true or fails after {@link #WAIT} with {@code what}. */
  static void eventually(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
      Thread.sleep(20);
    }
  }

  /** Escapes a JSON string value. */
  static String jsonString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }
}
