package dev.ssekit.load.e2e;

import dev.ssekit.testkit.TestCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A deliberately broken SSE server on 127.0.0.1 that writes a tick ({@code {"seq":N,
 * "sentAtMicros":T}}) to every open stream on a fixed period, broken in one of these ways:
 *
 * <ul>
 *   <li>{@link Fault#DROPS_AND_REPEATS}: every 100 ms; never sends the ticks with {@code N % 7 ==
 *       3} and sends those with {@code N % 5 == 0} twice; no ids.
 *   <li>{@link Fault#IGNORES_LAST_EVENT_ID}: every 50 ms, with {@code id: N} and a {@code retry:
 *       300} hint; a reconnect carrying {@code Last-Event-ID} resumes from now (what it missed
 *       is lost).
 *   <li>{@link Fault#REPLAYS_FROM_START}: the same, but a reconnect carrying {@code
 *       Last-Event-ID} is sent every tick from the first (what it had is repeated).
 *   <li>{@link Fault#NONE}: every 100 ms, each tick once, no ids: a correct stream (for the TLS
 *       server and {@link Fault#HUGE_METRICS}).
 * </ul>
 *
 * <p>Hostile faults, each writing at most {@link #HOSTILE_BYTES} per connection:
 *
 * <ul>
 *   <li>{@link Fault#ENDLESS_HEAD}: a 200 status line, then header lines that never end.
 *   <li>{@link Fault#SILENT}: accepts, reads the request and never answers.
 *   <li>{@link Fault#ENDLESS_LINE}: a correct SSE head, then one line with no line break.
 *   <li>{@link Fault#HUGE_METRICS}: correct streams, but {@code GET /metrics} answers with an
 *       endless body.
 *   <li>{@link Fault#ENDLESS_EVENT}: a correct SSE head, then short {@code data:} lines (1 KiB
 *       each) that never reach the blank line that would end the event.
 *   <li>{@link Fault#NOT_A_STREAM}: answers every request {@code 503 Service Unavailable}.
 *   <li>{@link Fault#ENDLESS_TRAILERS}: a correct chunked SSE stream with one event, its last
 *       chunk, then trailer lines that never end.
 * </ul>
 *
 * <p>Slow relays, for the accounting after the hold: {@code POST /publish} (raw: the body is the
 * event's data; 202, then the connection closes) queues the event for every open stream.
 *
 * <ul>
 *   <li>{@link Fault#SLOW_RELAY}: every {@link #RELAY_PERIOD_MS} each stream gets its next queued
 *       event, one at a time, however many are waiting: while publishing outpaces it the backlog
 *       grows, and the stream is still receiving it long after publishing stopped.
 *   <li>{@link Fault#SLOW_RELAY_DROPS_TAIL}: each event reaches the streams {@link #LAG_MS} after
 *       it was published (a server with a backlog); once no publish came for {@link #DROP_AFTER_MS},
 *       it drops what it still holds and stays silent, streams left open: a server that lost the
 *       newest events while it was draining its backlog (they were never going to arrive).
 * </ul>
 *
 * With an {@link SSLContext} it serves https with that context's certificate. Everything is
 * bounded: at most 1,000 connections, 60 s of life, 16 KiB of request head, 5 s to send it.
 */
final class BrokenSseServer implements AutoCloseable {
  enum Fault {
    DROPS_AND_REPEATS, IGNORES_LAST_EVENT_ID, REPLAYS_FROM_START, NONE,
    ENDLESS_HEAD, SILENT, ENDLESS_LINE, HUGE_METRICS, ENDLESS_EVENT, ENDLESS_TRAILERS,
    SLOW_RELAY, SLOW_RELAY_DROPS_TAIL, NOT_A_STREAM
  }

  /** A slow relay writes one event per stream this often. */
  static final long RELAY_PERIOD_MS = 400;
  /** {@link Fault#SLOW_RELAY_DROPS_TAIL}: how late each event is relayed, and when (after the last publish) the rest is dropped. */
  static final long LAG_MS = 3_000;
  static final long DROP_AFTER_MS = 1_800;

  /** Published events (slow relays), and each stream's next one to write; guarded by {@link #lock}. */
  private final List<byte[]> published = new ArrayList<>();
  private final List<Long> publishedAt = new ArrayList<>();
  private boolean dropped;
  private final java.util.Map<OutputStream, Integer> cursors = new java.util.HashMap<>();

  /** 60 s; a hand measurement may ask for up to 180 s with -Dbroken.lifetimeMs. */
  private static final long LIFETIME_MS = Math.min(180_000, Long.getLong("broken.lifetimeMs", 60_000));
  /** The most a hostile fault writes to one connection. */
  static final long HOSTILE_BYTES = 256L << 20;

  private final Fault fault;
  private final boolean tls;
  /** Bytes the hostile faults have written, over all connections. */
  private final AtomicLong hostileBytes = new AtomicLong();
  private final ServerSocket listener;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: the open streams, and every tick sent (resume faults only). */
  private final List<OutputStream> streams = new ArrayList<>();
  private final List<byte[]> history = new ArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> clientAddresses = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final Thread ticker;
  private final long deadline = System.currentTimeMillis() + LIFETIME_MS;
  private volatile boolean running = true;

  BrokenSseServer() throws IOException {
    this(Fault.DROPS_AND_REPEATS);
  }

  BrokenSseServer(Fault fault) throws IOException {
    this(fault, null);
  }

  /** A server with this fault, over TLS when {@code tls} is given. */
  BrokenSseServer(Fault fault, SSLContext tls) throws IOException {
    this.fault = fault;
    this.tls = tls != null;
    listener = tls != null ? tls.getServerSocketFactory().createServerSocket() : new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    listener.setSoTimeout(200);
    acceptor = new Thread(this::acceptLoop, "broken-sse-accept");
    ticker = new Thread(this::tickLoop, "broken-sse-tick");
    acceptor.setDaemon(true);
    ticker.setDaemon(true);
    acceptor.start();
    ticker.start();
  }

  String url() {
    return base() + "/events";
  }

  String base() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + listener.getLocalPort();
  }

  /** The source addresses the connections so far came from. */
  java.util.Set<String> clientAddresses() {
    return java.util.Set.copyOf(clientAddresses);
  }

  /** Bytes the hostile faults have written so far, over all connections. */
  long hostileBytesWritten() {
    return hostileBytes.get();
  }

  private boolean resumes() {
    return fault == Fault.IGNORES_LAST_EVENT_ID || fault == Fault.REPLAYS_FROM_START;
  }

  private boolean live() {
    return running && System.currentTimeMillis() < deadline;
  }

  private void acceptLoop() {
    while (live() && sockets.size() < 1000) {
      try {
        Socket s = listener.accept();
        sockets.add(s);
        clientAddresses.add(s.getInetAddress().getHostAddress());
        s.setSoTimeout(5_000);
        String head = readHead(s.getInputStream());
        boolean resuming = head.contains("\nlast-event-id:");
        OutputStream out = s.getOutputStream();
        if (relays() && head.startsWith("post /publish")) {
          publish(head, s);
          continue;
        }
        if (hostile(head, s, out)) {
          continue;
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (resumes()) {
          out.write(chunk("retry: 300\n\n".getBytes(StandardCharsets.US_ASCII)));
        }
        out.flush();
        synchronized (lock) {
          if (resuming && fault == Fault.REPLAYS_FROM_START) {
            for (byte[] tick : history) {
              out.write(tick);
            }
            out.flush();
          }
          streams.add(out);
          cursors.put(out, published.size());
        }
      } catch (SocketTimeoutException e) {
        // poll the stop flag
      } catch (IOException e) {
        // this client went away; keep serving the others
      }
    }
  }

  /** Serves a hostile fault's answer on its own thread; false when this request gets the normal stream. */
  private boolean hostile(String head, Socket s, OutputStream out) {
    boolean metrics = head.startsWith("get /metrics");
    Runnable writer;
    switch (fault) {
      case SILENT -> {
        return true; // the socket stays open, unanswered, until close()
      }
      case ENDLESS_HEAD -> writer = () -> endless(out, "HTTP/1.1 200 OK\r\n", "X-Filler: " + "h".repeat(1000) + "\r\n", false);
      case ENDLESS_LINE -> writer = () -> endless(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n", "data: " + "x".repeat(64 * 1024 - 6), true);
      case NOT_A_STREAM -> writer = () -> {
        try {
          out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          // the client went away
        }
      };
      case ENDLESS_EVENT -> writer = () -> endless(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n", "data: " + "x".repeat(1017) + "\n", true);
      case ENDLESS_TRAILERS -> writer = () -> endless(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n" + new String(chunk("data: one\n\n".getBytes(StandardCharsets.US_ASCII)),
          StandardCharsets.US_ASCII) + "0\r\n", "X-Trailer: " + "t".repeat(1000) + "\r\n", false);
      case HUGE_METRICS -> {
        if (!metrics) {
          return false;
        }
        writer = () -> endless(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + HOSTILE_BYTES
            + "\r\n\r\n", "# " + "m".repeat(1021) + "\n", false);
      }
      default -> {
        return false;
      }
    }
    Thread t = new Thread(writer, "broken-sse-hostile");
    t.setDaemon(true);
    t.start();
    return true;
  }

  /** Writes {@code first}, then {@code unit} again and again (chunked when asked) until the cap, the lifetime or the client's close. */
  private void endless(OutputStream out, String first, String unit, boolean chunked) {
    byte[] u = unit.getBytes(StandardCharsets.US_ASCII);
    byte[] block = chunked ? chunk(u) : u;
    try {
      out.write(first.getBytes(StandardCharsets.US_ASCII));
      for (long n = 0; n < HOSTILE_BYTES && live(); n += block.length) {
        out.write(block);
        hostileBytes.addAndGet(block.length);
      }
      out.flush();
    } catch (IOException e) {
      // the client gave up: what the bound is for
    }
  }

  /** The request head, lower-cased, lines ending in LF. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int matched = 0;
    for (int n = 0; n < 16 * 1024 && matched < 4; n++) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the request head");
      }
      if (b != '\r') {
        head.append((char) b);
      }
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString().toLowerCase(Locale.ROOT);
  }

  private boolean relays() {
    return fault == Fault.SLOW_RELAY || fault == Fault.SLOW_RELAY_DROPS_TAIL;
  }

  /** Queues one published event (its body is the data) and answers 202; the connection then closes. */
  private void publish(String head, Socket s) throws IOException {
    int length = 0;
    for (String line : head.split("\n")) {
      if (line.startsWith("content-length:")) {
        length = Math.min(64 * 1024, Integer.parseInt(line.substring(15).trim()));
      }
    }
    byte[] body = s.getInputStream().readNBytes(length);
    synchronized (lock) {
      if (published.size() < 100_000) {
        publishedAt.add(System.currentTimeMillis());
        published.add(chunk(("data: " + new String(body, StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8)));
      }
    }
    s.getOutputStream().write("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    s.close();
  }

  /** Slow relays: each stream's next queued event, one per period. */
  private void relayLoop() {
    boolean lagging = fault == Fault.SLOW_RELAY_DROPS_TAIL;
    while (live()) {
      try {
        Thread.sleep(lagging ? 50 : RELAY_PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.currentTimeMillis();
      synchronized (lock) {
        if (lagging && !publishedAt.isEmpty() && now - publishedAt.get(publishedAt.size() - 1) > DROP_AFTER_MS) {
          dropped = true; // the newest events are gone: nothing more, ever
        }
        if (dropped) {
          continue;
        }
        for (var it = streams.iterator(); it.hasNext(); ) {
          OutputStream out = it.next();
          int next = cursors.get(out);
          try {
            // The slow relay: one event a period. The lagging one: every event LAG_MS old.
            for (int n = 0; next < published.size() && (lagging ? publishedAt.get(next) <= now - LAG_MS : n < 1); n++) {
              out.write(published.get(next++));
            }
            cursors.put(out, next);
            out.flush();
          } catch (IOException e) {
            it.remove();
          }
        }
      }
    }
  }

  private void tickLoop() {
    if (relays()) {
      relayLoop();
      return;
    }
    long seq = 0;
    while (live()) {
      try {
        Thread.sleep(resumes() ? 50 : 100);
      } catch (InterruptedException e) {
        return;
      }
      seq++;
      if (fault == Fault.DROPS_AND_REPEATS && seq % 7 == 3) {
        continue; // dropped
      }
      Instant t = Instant.now();
      long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      String event = (resumes() ? "id: " + seq + "\n" : "")
          + "event: tick\ndata: {\"seq\":" + seq + ",\"sentAtMicros\":" + micros + "}\n\n";
      byte[] chunk = chunk(event.getBytes(StandardCharsets.UTF_8));
      boolean twice = fault == Fault.DROPS_AND_REPEATS && seq % 5 == 0;
      synchronized (lock) {
        if (resumes()) {
          history.add(chunk);
        }
        for (var it = streams.iterator(); it.hasNext(); ) {
          OutputStream out = it.next();
          try {
            out.write(chunk);
            if (twice) {
              out.write(chunk); // repeated
            }
            out.flush();
          } catch (IOException e) {
            it.remove();
          }
        }
      }
    }
  }

  private static byte[] chunk(byte[] body) {
    byte[] head = (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + body.length + 2];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  /**
   * For measuring by hand: {@code java -cp target/test-classes dev.ssekit.load.e2e.BrokenSseServer
   * FAULT [tls]} prints the stream's URL and serves for its 60 s of life.
   */
  public static void main(String[] args) throws Exception {
    Fault fault = Fault.valueOf(args[0]);
    SSLContext tls = args.length > 1 && args[1].equals("tls")
        ? TestCertificate.generate(java.nio.file.Files.createTempDirectory("broken-sse"), true).serverContext() : null;
    try (BrokenSseServer server = new BrokenSseServer(fault, tls)) {
      System.out.println(server.url());
      while (server.live()) {
        Thread.sleep(500);
      }
      System.out.println("hostile bytes written: " + server.hostileBytesWritten());
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
    try {
      acceptor.join(5_000);
      ticker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
