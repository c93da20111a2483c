package dev.ssekit.conformance.checks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One real-socket SSE server with the publish contract whose deviations are knobs, so each symptom a
 * check should name can be reproduced on a real socket. Built with no knob it is a <em>correct</em>
 * server:
 * <ul>
 *   <li>{@code GET /events} answers {@code 200 text/event-stream} (HTTP/1.1, {@code Connection: close},
 *       no Content-Length), starts with {@code retry: 500}, then broadcasts every event to every open
 *       stream;</li>
 *   <li>{@code POST /publish} takes {@code {"data": string, "event"?: string, "id"?: string}} and answers
 *       {@code 202 {"id":"…"}}; ids are global increasing decimals unless the publisher gives one; an
 *       event name or id containing CR or LF (or an id containing NUL) is refused with 400;</li>
 *   <li>every CR, LF and CRLF in data starts a new {@code data: } line;</li>
 *   <li>a bounded history ({@value #HISTORY} events) lets {@code Last-Event-ID} resume exactly after that
 *       id; an unknown id gets 200 and live events only;</li>
 *   <li>optional ticks ({@link Builder#tick}, default off): {@code event: tick}, {@code data: tick N}.</li>
 * </ul>
 * Bounded: loopback only, daemon threads, history and per-stream queues bounded (a stream more than
 * {@value #MAX_QUEUE} events behind is closed), at most {@value #MAX_STREAMS} streams (then 503),
 * publish bodies up to 4 MiB; {@link #close()} ends everything within a second. Thread-safe except where
 * a knob says otherwise. Each stream has a writer (the connection's thread, draining the stream's
 * queue) and a reader thread that notices the client leaving.
 */
final class FaultyServer extends RawSocketServer {

  static final int HISTORY = 5_000;
  static final int MAX_QUEUE = 20_000;
  static final int MAX_STREAMS = 1_000;
  /** How long a publish stays "in flight" under {@link Fault#DROP_UNDER_CONCURRENCY}. */
  static final Duration DROP_WINDOW = Duration.ofMillis(10);
  /** How often {@link Fault#BUFFERED} flushes. */
  static final Duration BUFFER_PERIOD = Duration.ofSeconds(2);

  /** The deviations; each is independent of the others. */
  enum Fault {
    /** Data written as one JSON string literal ({@code data: "a\nb"}, JSON escapes), as express-sse does. */
    JSON_ENCODED_DATA,
    /**
     * Fields written {@code name:value} with no space ({@code data:}, {@code id:}, {@code event:}, {@code retry:}),
     * as Spring WebFlux does: legal, but a value that starts with a space loses it.
     */
    NO_SPACE_AFTER_COLON,
    /**
     * Data split on LF only ({@code String.split("\n")}, the most common hand-written encoder): a lone CR stays
     * raw inside a line, so {@code hello\rid: evil} injects an id (the lone-CR injection).
     */
    LF_ONLY_SPLIT,
    /**
     * Event names and ids written raw, not refused: their line breaks inject fields and events (the
     * framing-injection CVEs in Spring, NestJS, h3).
     */
    RAW_FIELDS,
    /** Events not ended by a blank line (a template that forgets the second {@code \n}): consecutive events merge. */
    MISSING_BLANK_LINE,
    /** No {@code id:} lines at all (most tutorial servers): a browser cannot resume. */
    NO_IDS,
    /**
     * Ids global and sent, but {@code Last-Event-ID} ignored: a reconnect gets live events only, and what was
     * published while the client was away is lost (servers that send ids "because the spec has them").
     */
    IGNORE_LAST_EVENT_ID,
    /**
     * Each connection numbers its own ids from 1 and {@code Last-Event-ID} is ignored (a per-emitter counter, the
     * Spring-style {@code id:4} that means "fourth event on this connection").
     */
    IDS_PER_CONNECTION,
    /** Replay starts at the given id itself ({@code >=} instead of {@code >}): the client gets that event twice. */
    REPLAY_AT_ID,
    /**
     * When two publishes are in flight at once the later is accepted (202, with an id) but neither kept nor
     * delivered (a broadcast over a non-thread-safe list or a shared "current event" field); sequential publishing
     * loses nothing.
     */
    DROP_UNDER_CONCURRENCY,
    /**
     * Concurrent publishes may reach different connections in different orders: each publishing thread walks the
     * subscribers itself without a common lock, with a small random delay per subscriber (a fan-out loop on the
     * request thread); sequential publishing keeps the order.
     */
    REORDER_UNDER_CONCURRENCY,
    /**
     * The stream body is flushed only every {@link #BUFFER_PERIOD} (or when 64 KiB pile up), as behind a buffering
     * proxy (nginx {@code proxy_buffering on}) or with a missing flush; the response head is sent at once.
     */
    BUFFERED,
    /**
     * Only the server's own events carry ids (with {@link Builder#tick}: {@code id: N} on each tick); published events
     * are written with no {@code id:} line and kept in no history, so a client resuming from the last tick's id gets
     * later ticks and never what was published while it was away (Spring servers that number their own heartbeats or
     * emitter events but broadcast application events fire-and-forget). Needs ticks for any id to appear.
     */
    PUBLISHED_WITHOUT_IDS,
    /**
     * The response head is held until the stream's first event is written, then sent with it (Spring MVC's
     * {@code SseEmitter} on Tomcat, a Reactor {@code Flux} before it emits): a stream with nothing to say has no head.
     */
    HEAD_WITH_FIRST_EVENT
  }

  /** The knobs; {@link #build()} starts the server. */
  static final class Builder {
    private final EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
    private int closeEvery;
    private String teardownNeedle;
    private int duplicateEvery;
    private Duration tick;

    /** Adds faults. */
    Builder fault(Fault... more) {
      faults.addAll(List.of(more));
      return this;
    }

    /** Adds faults. */
    Builder faults(Set<Fault> more) {
      faults.addAll(more);
      return this;
    }

    /**
     * Each stream is ended by the server after it has written {@code n} events, after a {@code retry: 200}; resume
     * by Last-Event-ID stays correct. A legal, correct server a browser reads without loss (serverless and
     * proxy-timeout deployments that end streams every N events or seconds).
     */
    Builder closeEvery(int n) {
      if (n < 1) throw new IllegalArgumentException("closeEvery needs n >= 1");
      closeEvery = n;
      return this;
    }

    /**
     * When published data contains {@code needle} the server ends every open stream and keeps running (a broadcast
     * loop that throws on one payload and completes all emitters). The event is kept in the history (stored before
     * the broadcast), answered 202, and written to no one live.
     */
    Builder teardownOn(String needle) {
      if (needle == null || needle.isEmpty()) throw new IllegalArgumentException("teardownOn needs a needle");
      teardownNeedle = needle;
      return this;
    }

    /** Every {@code k}-th event (by global sequence) is written twice to every stream (an at-least-once relay). */
    Builder duplicateEvery(int k) {
      if (k < 1) throw new IllegalArgumentException("duplicateEvery needs k >= 1");
      duplicateEvery = k;
      return this;
    }

    /** Publishes {@code event: tick}, {@code data: tick N} every {@code period} (default: no ticks). */
    Builder tick(Duration period) {
      if (period.toMillis() < 10) throw new IllegalArgumentException("tick period under 10 ms");
      tick = period;
      return this;
    }

    FaultyServer build() throws IOException {
      return new FaultyServer(this);
    }
  }

  static Builder builder() {
    return new Builder();
  }

  /**
   * Every knob on its own, named for a survey's table: the correct server, each {@link Fault}, and
   * the parameterised knobs at the values the surveys use.
   */
  static java.util.Map<String, java.util.function.Supplier<Builder>> eachKnob() {
    java.util.Map<String, java.util.function.Supplier<Builder>> knobs = new java.util.LinkedHashMap<>();
    knobs.put("correct", FaultyServer::builder);
    for (Fault f : Fault.values()) knobs.put(f.name(), () -> builder().fault(f));
    knobs.put("closeEvery(3)", () -> builder().closeEvery(3));
    knobs.put("teardownOn(\"\\n\")", () -> builder().teardownOn("\n"));
    knobs.put("duplicateEvery(5)", () -> builder().duplicateEvery(5));
    return knobs;
  }

  /** A correct server, no knob set. */
  static FaultyServer correct() throws IOException {
    return builder().build();
  }

  /** One event as published: its place in the global sequence, its id (as sent), name and data. */
  private record Event(long seq, String id, String name, String data) {}

  /** An open stream: its queue of events to write, drained by the connection's thread. */
  private final class Subscriber {
    final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    volatile boolean gone;
    final AtomicInteger queued = new AtomicInteger();

    void offer(Object item) {
      if (gone) return;
      if (queued.incrementAndGet() > MAX_QUEUE) {
        end(); // too far behind: end the stream (the client reconnects and resumes)
        return;
      }
      queue.add(item);
    }

    void end() {
      gone = true;
      queue.add(END);
    }
  }

  private static final Object END = new Object();

  private static final byte[] STREAM_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
      + "Cache-Control: no-cache\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

  private final EnumSet<Fault> faults;
  private final int closeEvery;
  private final String teardownNeedle;
  private final int duplicateEvery;
  private final ObjectMapper json = new ObjectMapper();
  private final Object lock = new Object();
  private final List<Event> history = new ArrayList<>(); // under lock
  private final List<Subscriber> subscribers = new ArrayList<>(); // under lock
  private long nextId = 1; // under lock
  private long nextSeq = 1; // under lock
  private final Thread ticker;
  private final AtomicInteger connectionsOpened = new AtomicInteger();
  private final AtomicLong eventsPublished = new AtomicLong();
  private final AtomicLong publishesDropped = new AtomicLong();
  private final AtomicInteger teardowns = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();

  private FaultyServer(Builder b) throws IOException {
    super("faulty-sse", 512);
    faults = EnumSet.copyOf(b.faults);
    closeEvery = b.closeEvery;
    teardownNeedle = b.teardownNeedle;
    duplicateEvery = b.duplicateEvery;
    if (b.tick != null) {
      long ms = b.tick.toMillis();
      ticker = new Thread(() -> {
        long n = 0;
        while (!closed()) {
          try {
            Thread.sleep(ms);
          } catch (InterruptedException e) {
            return;
          }
          n++;
          publishInOrder(null, "tick", "tick " + n, true);
        }
      }, "faulty-sse-tick");
      ticker.setDaemon(true);
      ticker.start();
    } else {
      ticker = null;
    }
    start();
  }

  // ------------------------------------------------------------------ what a test reads

  /** The stream URL, {@code http://127.0.0.1:PORT/events}. */
  String url() {
    return url("/events");
  }

  /** The publish URL, {@code http://127.0.0.1:PORT/publish}. */
  String publishUrl() {
    return url("/publish");
  }

  /** The knobs, for a test's output. */
  String describe() {
    List<String> parts = new ArrayList<>();
    faults.forEach(f -> parts.add(f.name()));
    if (closeEvery > 0) parts.add("closeEvery(" + closeEvery + ")");
    if (teardownNeedle != null) parts.add("teardownOn(" + Findings.escape(teardownNeedle) + ")");
    if (duplicateEvery > 0) parts.add("duplicateEvery(" + duplicateEvery + ")");
    return parts.isEmpty() ? "correct" : String.join("+", parts);
  }

  /** Stream requests answered with 200 so far. */
  int connectionsOpened() {
    return connectionsOpened.get();
  }

  /** Streams open now. */
  int openStreams() {
    synchronized (lock) {
      return subscribers.size();
    }
  }

  /** Publishes answered 202 (dropped ones included); ticks not counted. */
  long eventsPublished() {
    return eventsPublished.get();
  }

  /** Publishes answered 202 but never delivered ({@link Fault#DROP_UNDER_CONCURRENCY}). */
  long publishesDropped() {
    return publishesDropped.get();
  }

  /** How often {@link Builder#teardownOn} ended every stream. */
  int teardowns() {
    return teardowns.get();
  }

  // ------------------------------------------------------------------ HTTP

  @Override
  void serve(InputStream in, OutputStream out) throws IOException, InterruptedException {
    while (!closed()) {
      Head head = readHead(in);
      if (head == null) return;
      Map<String, String> headers = head.headers();
      String method = head.method();
      String path = head.path();
      if (method.equals("GET") && (path.equals("/events") || path.startsWith("/events?"))) {
        stream(headers.get("last-event-id"), in, out);
        return;
      } else if (method.equals("POST") && (path.equals("/publish") || path.startsWith("/publish?"))) {
        if (headers.containsKey("transfer-encoding")) {
          respond(out, "411 Length Required", "text/plain", "send a Content-Length\n", true);
          return;
        }
        long length;
        try {
          length = Long.parseLong(headers.getOrDefault("content-length", "0"));
        } catch (NumberFormatException e) {
          length = -1;
        }
        if (length < 0 || length > (4 << 20)) {
          respond(out, "413 Content Too Large", "text/plain", "at most 4 MiB\n", true);
          return;
        }
        byte[] body = in.readNBytes((int) length);
        publishRequest(body, out);
        if ("close".equalsIgnoreCase(headers.get("connection"))) return;
      } else {
        respond(out, "404 Not Found", "text/plain", "not found\n", false);
      }
    }
  }

  private static void respond(OutputStream out, String status, String type, String body, boolean close) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
        + (close ? "\r\nConnection: close" : "") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  // ------------------------------------------------------------------ publish

  private void publishRequest(byte[] body, OutputStream out) throws IOException, InterruptedException {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    String problem = null;
    if (root == null || !root.isObject()) problem = "the body must be a JSON object";
    else if (root.get("data") == null || !root.get("data").isTextual()) problem = "\"data\" must be a string";
    else if (root.hasNonNull("event") && !root.get("event").isTextual()) problem = "\"event\" must be a string";
    else if (root.hasNonNull("id") && !root.get("id").isTextual()) problem = "\"id\" must be a string";
    if (problem != null) {
      respond(out, "400 Bad Request", "text/plain", problem + "\n", false);
      return;
    }
    String data = root.get("data").asText();
    String name = root.hasNonNull("event") ? root.get("event").asText() : null;
    String id = root.hasNonNull("id") ? root.get("id").asText() : null;
    if (!faults.contains(Fault.RAW_FIELDS)) {
      if (name != null && (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0)) problem = "\"event\" must not contain CR or LF";
      if (id != null && (id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\0') >= 0)) {
        problem = "\"id\" must not contain CR, LF or NUL";
      }
    }
    if (problem != null) {
      respond(out, "400 Bad Request", "text/plain", problem + "\n", false);
      return;
    }
    String assigned = publish(id, name, data);
    eventsPublished.incrementAndGet();
    respond(out, "202 Accepted", "application/json",
        json.writeValueAsString(assigned == null ? Map.of() : Map.of("id", assigned)), false);
  }

  /** Publishes through whichever broadcast the knobs choose; returns the id. */
  private String publish(String id, String name, String data) throws InterruptedException {
    if (faults.contains(Fault.DROP_UNDER_CONCURRENCY)) {
      int now = inFlight.incrementAndGet();
      try {
        if (now > 1) { // the later of two overlapping publishes: accepted, then lost
          publishesDropped.incrementAndGet();
          synchronized (lock) {
            return id != null ? id : String.valueOf(nextId++);
          }
        }
        Thread.sleep(DROP_WINDOW.toMillis()); // the broadcast takes a while
        return publishInOrder(id, name, data, false);
      } finally {
        inFlight.decrementAndGet();
      }
    }
    if (faults.contains(Fault.REORDER_UNDER_CONCURRENCY)) {
      Event e;
      List<Subscriber> targets;
      synchronized (lock) {
        e = record(id, name, data, false);
        if (teardown(e)) return e.id();
        targets = new ArrayList<>(subscribers);
      }
      // The publishing thread walks the subscribers itself, with no lock common to publishers.
      for (Subscriber s : targets) {
        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 3));
        s.offer(e);
      }
      return e.id();
    }
    return publishInOrder(id, name, data, false);
  }

  /** The correct broadcast: one lock orders the id, the history and every stream's queue. */
  private String publishInOrder(String id, String name, String data, boolean tick) {
    synchronized (lock) {
      Event e = record(id, name, data, tick);
      if (teardown(e)) return e.id();
      for (Subscriber s : subscribers) s.offer(e);
      return e.id();
    }
  }

  /**
   * Under {@link #lock}: gives the event its id and sequence and keeps it in the history (under
   * {@link Fault#PUBLISHED_WITHOUT_IDS} a published event gets neither an id nor a place in the history).
   */
  private Event record(String id, String name, String data, boolean tick) {
    if (!tick && faults.contains(Fault.PUBLISHED_WITHOUT_IDS)) return new Event(nextSeq++, null, name, data);
    Event e = new Event(nextSeq++, id != null ? id : String.valueOf(nextId++), name, data);
    history.add(e);
    if (history.size() > HISTORY) history.subList(0, history.size() - HISTORY).clear();
    return e;
  }

  /** Under {@link #lock}: with {@link Builder#teardownOn}, a payload carrying the needle ends every stream. */
  private boolean teardown(Event e) {
    if (teardownNeedle == null || !e.data().contains(teardownNeedle)) return false;
    teardowns.incrementAndGet();
    for (Subscriber s : subscribers) s.end();
    return true;
  }

  // ------------------------------------------------------------------ streams

  private void stream(String lastEventId, InputStream in, OutputStream socketOut) throws IOException, InterruptedException {
    Subscriber sub = new Subscriber();
    synchronized (lock) {
      if (subscribers.size() >= MAX_STREAMS) {
        respond(socketOut, "503 Service Unavailable", "text/plain", "too many streams\n", true);
        return;
      }
      if (!faults.contains(Fault.HEAD_WITH_FIRST_EVENT)) {
        socketOut.write(STREAM_HEAD);
        socketOut.flush();
      }
      boolean resume = lastEventId != null && !lastEventId.isEmpty()
          && !faults.contains(Fault.IGNORE_LAST_EVENT_ID) && !faults.contains(Fault.IDS_PER_CONNECTION);
      if (resume) {
        int at = -1;
        for (int i = history.size() - 1; i >= 0; i--) {
          if (history.get(i).id().equals(lastEventId)) {
            at = i;
            break;
          }
        }
        if (at >= 0) {
          int from = faults.contains(Fault.REPLAY_AT_ID) ? at : at + 1;
          for (int i = from; i < history.size(); i++) sub.offer(history.get(i));
        }
      }
      subscribers.add(sub);
    }
    connectionsOpened.incrementAndGet();
    Thread reader = new Thread(() -> {
      try {
        while (in.read() >= 0) {
          // the client sends nothing; -1 or an exception means it left
        }
      } catch (IOException e) {
        // left
      }
      sub.end();
    }, "faulty-sse-reader");
    reader.setDaemon(true);
    reader.start();
    boolean buffered = faults.contains(Fault.BUFFERED);
    OutputStream out = buffered ? new BufferedOutputStream(socketOut, 64 * 1024) : socketOut;
    boolean headHeld = faults.contains(Fault.HEAD_WITH_FIRST_EVENT);
    try {
      if (!headHeld) write(out, field("retry", "500") + "\n");
      if (!buffered) out.flush();
      long nextFlush = System.nanoTime() + BUFFER_PERIOD.toNanos();
      int written = 0;
      int perConnectionId = 0;
      while (!closed()) {
        long waitNanos = buffered ? Math.max(1_000_000, nextFlush - System.nanoTime()) : 100_000_000L;
        Object item = sub.queue.poll(Math.min(waitNanos, 100_000_000L), TimeUnit.NANOSECONDS);
        if (buffered && System.nanoTime() - nextFlush >= 0) {
          out.flush();
          nextFlush = System.nanoTime() + BUFFER_PERIOD.toNanos();
        }
        if (item == null) continue;
        if (item == END) {
          out.flush();
          return;
        }
        sub.queued.decrementAndGet();
        Event e = (Event) item;
        String id = faults.contains(Fault.IDS_PER_CONNECTION) ? String.valueOf(++perConnectionId) : e.id();
        String frame = encode(e, id);
        if (headHeld) { // the first write brings the head
          out.write(STREAM_HEAD);
          write(out, field("retry", "500") + "\n");
          headHeld = false;
        }
        write(out, frame);
        if (duplicateEvery > 0 && e.seq() % duplicateEvery == 0) write(out, frame);
        written++;
        if (closeEvery > 0 && written >= closeEvery) {
          write(out, field("retry", "200") + "\n");
          out.flush();
          return;
        }
        if (!buffered && sub.queue.isEmpty()) out.flush();
      }
    } finally {
      sub.gone = true;
      synchronized (lock) {
        subscribers.remove(sub);
      }
    }
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code name: value\n}, or {@code name:value\n} under {@link Fault#NO_SPACE_AFTER_COLON}. */
  private String field(String name, String value) {
    return name + (faults.contains(Fault.NO_SPACE_AFTER_COLON) ? ":" : ": ") + value + "\n";
  }

  /** One event's frame under the knobs. */
  private String encode(Event e, String id) {
    StringBuilder sb = new StringBuilder();
    if (!faults.contains(Fault.NO_IDS) && id != null) sb.append(field("id", id));
    if (e.name() != null) sb.append(field("event", e.name()));
    if (faults.contains(Fault.JSON_ENCODED_DATA)) {
      try {
        sb.append(field("data", json.writeValueAsString(e.data())));
      } catch (JsonProcessingException x) {
        throw new IllegalStateException(x);
      }
    } else {
      for (String line : dataLines(e.data())) sb.append(field("data", line));
    }
    if (!faults.contains(Fault.MISSING_BLANK_LINE)) sb.append('\n');
    return sb.toString();
  }

  /** The data's lines: split at every CR, LF and CRLF, or at LF only under {@link Fault#LF_ONLY_SPLIT}. */
  private List<String> dataLines(String data) {
    if (faults.contains(Fault.LF_ONLY_SPLIT)) return List.of(data.split("\n", -1));
    return List.of(data.split("\r\n|\r|\n", -1));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    super.close();
    List<Subscriber> all;
    synchronized (lock) {
      all = new ArrayList<>(subscribers);
    }
    all.forEach(Subscriber::end);
    if (ticker != null) {
      ticker.interrupt();
      ticker.join(1000);
    }
  }
}
