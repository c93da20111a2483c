package dev.ssekit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A standalone measurement (not a test) of issue 10's slowloris scenario: {@code --connections}
 * clients each send a request head that never ends (one more header line every
 * {@code --line-every} seconds, as the slowloris tool does) and reopen their connection whenever
 * the server closes it, so the pressure stays constant. At {@code --probe-at} seconds it reports
 * what the server holds (its open descriptors, and established sockets on its port as {@code ss}
 * sees them, which include connections still in the kernel's accept backlog), and whether
 * {@code /healthz} and a new {@code /events} stream answer, with their times; then it closes
 * everything. One JSON line on stdout.
 *
 * <pre>
 * java -cp bench-classes dev.ssekit.bench.Slowloris --port 8080 --server-pid PID \
 *     [--connections 2000] [--line-every 5] [--probe-at 30] [--hold 33]
 * </pre>
 *
 * Bounded: at most 5,000 connections, only to 127.0.0.1, at most 2,000 connects a second, the
 * whole run at most {@code --hold} (60 s at most). JDK only, one file: {@code bench/slowloris.sh}
 * compiles this source alone.
 */
public final class Slowloris {

  private static final int MAX_CONNECTIONS = 5_000;
  private static final int MAX_CONNECTS_PER_SECOND = 2_000;
  private static final byte[] LINE = "X-a: b\r\n".getBytes(StandardCharsets.US_ASCII);

  // ------------------------------------------------------------------ options

  private int port = 0;
  private long pid = -1;
  private int connections = 2_000;
  private int lineEvery = 5;
  private int probeAt = 30;
  private int hold = 33;

  // ------------------------------------------------------------------ run state

  private InetSocketAddress target;
  /** The request line and first headers every connection sends; the head never ends. */
  private byte[] start;
  private Selector selector;
  private final List<Conn> all = new ArrayList<>();
  private final ByteBuffer in = ByteBuffer.allocate(4096);
  private long connectsThisSecond = 0;
  private long secondStart;
  private long closedByServer = 0;
  private long got408 = 0;
  private long got503 = 0;
  private long reopened = 0;
  private String probeResult = null;
  private long peakServerFds = 0;
  private long lastSample = 0;

  public static void main(String[] args) throws Exception {
    parse(args).run();
  }

  private static Slowloris parse(String[] args) {
    Slowloris s = new Slowloris();
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--port" -> s.port = Integer.parseInt(v);
        case "--server-pid" -> s.pid = Long.parseLong(v);
        case "--connections" -> s.connections = Integer.parseInt(v);
        case "--line-every" -> s.lineEvery = Integer.parseInt(v);
        case "--probe-at" -> s.probeAt = Integer.parseInt(v);
        case "--hold" -> s.hold = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (s.port <= 0 || s.connections < 1 || s.connections > MAX_CONNECTIONS || s.hold > 60 || s.probeAt >= s.hold) {
      throw new IllegalArgumentException("need --port, --connections 1.." + MAX_CONNECTIONS + ", --probe-at < --hold <= 60");
    }
    return s;
  }

  /** Keeps every connection's head open for {@code --hold} seconds, probes once, prints the JSON line. */
  private void run() throws IOException {
    target = new InetSocketAddress("127.0.0.1", port);
    start = ("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: slowloris-bench\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    selector = Selector.open();
    long t0 = System.nanoTime();
    long end = t0 + hold * 1_000_000_000L;
    long probe = t0 + probeAt * 1_000_000_000L;
    for (int i = 0; i < connections; i++) all.add(new Conn());
    secondStart = t0;
    while (System.nanoTime() < end) {
      long now = System.nanoTime();
      if (now - secondStart >= 1_000_000_000L) {
        secondStart = now;
        connectsThisSecond = 0;
      }
      reopenClosed();
      selector.select(100);
      readSelected();
      now = System.nanoTime();
      sendHeaderLines(now);
      if (now - lastSample > 500_000_000L) {
        lastSample = now;
        peakServerFds = Math.max(peakServerFds, openFds(pid));
      }
      if (probeResult == null && now >= probe) probeResult = probeServer();
    }
    for (Conn c : all) c.close();
    long opened = all.stream().mapToLong(c -> c.opened).sum();
    System.out.printf(Locale.ROOT, "{\"connections\": %d, \"lineEverySeconds\": %d, \"opened\": %d, \"reopened\": %d,"
        + " \"closedByServer\": %d, \"got408\": %d, \"got503\": %d, \"peakServerOpenFds\": %d, \"probe\": {%s}}%n",
        connections, lineEvery, opened, reopened, closedByServer, got408, got503, peakServerFds, probeResult);
  }

  /** (Re)opens closed connections, within the connect rate. */
  private void reopenClosed() {
    for (Conn c : all) {
      if (c.ch != null || connectsThisSecond >= MAX_CONNECTS_PER_SECOND) continue;
      try {
        c.ch = SocketChannel.open();
        c.ch.configureBlocking(false);
        c.ch.connect(target);
        c.ch.register(selector, SelectionKey.OP_CONNECT | SelectionKey.OP_READ, c);
        c.sent = false;
        c.got.setLength(0);
        if (c.opened++ > 0) reopened++;
        connectsThisSecond++;
      } catch (IOException e) {
        c.close();
      }
    }
  }

  /** Sends the start of the head once connected; keeps what the server answers; counts its closes. */
  private void readSelected() {
    for (SelectionKey k : selector.selectedKeys()) {
      Conn c = (Conn) k.attachment();
      try {
        if (k.isConnectable() && c.ch.finishConnect()) {
          k.interestOps(SelectionKey.OP_READ);
          c.ch.write(ByteBuffer.wrap(start));
          c.sent = true;
          c.lastLine = System.nanoTime();
        }
        if (k.isValid() && k.isReadable()) {
          in.clear();
          int n = c.ch.read(in);
          if (n > 0) c.got.append(new String(in.array(), 0, n, StandardCharsets.ISO_8859_1));
          if (n < 0) throw new IOException("closed");
        }
      } catch (IOException closed) {
        closedByServer++;
        if (c.got.indexOf(" 408 ") >= 0) got408++;
        if (c.got.indexOf(" 503 ") >= 0) got503++;
        c.close();
      }
    }
    selector.selectedKeys().clear();
  }

  /** One more header line on each connection whose last one is {@code --line-every} seconds old. */
  private void sendHeaderLines(long now) {
    for (Conn c : all) {
      if (c.ch == null || !c.sent || now - c.lastLine < lineEvery * 1_000_000_000L) continue;
      try {
        c.ch.write(ByteBuffer.wrap(LINE));
        c.lastLine = now;
      } catch (IOException e) {
        closedByServer++;
        c.close();
      }
    }
  }

  /** What the server holds at {@code --probe-at}, and whether it still answers: the JSON fields of "probe". */
  private String probeServer() {
    int open = 0;
    for (Conn c : all) if (c.ch != null && c.sent) open++;
    return String.format(Locale.ROOT,
        "\"atSeconds\": %d, \"serverEstablishedSockets\": %d, \"serverOpenFds\": %d, \"clientSideOpen\": %d, %s, %s",
        probeAt, serverSockets(port), openFds(pid), open, timed("healthz", port, "/healthz", "HTTP/1.1 200", "}"),
        timed("newStream", port, "/events", "HTTP/1.1 200", "retry: "));
  }

  /** Connects, sends {@code GET path}, and reports the time until {@code until} arrives after {@code status}. */
  private static String timed(String name, int port, String path, String status, String until) {
    long t = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      StringBuilder got = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        got.append((char) b);
        if (got.indexOf(status) == 0 && got.indexOf(until, status.length()) > 0) {
          return String.format(Locale.ROOT, "\"%s\": {\"ok\": true, \"ms\": %.1f}", name, (System.nanoTime() - t) / 1e6);
        }
      }
      return String.format(Locale.ROOT, "\"%s\": {\"ok\": false, \"got\": \"%s\"}", name, got.toString()
          .replace("\r", "\\r").replace("\n", "\\n").replace("\"", "'"));
    } catch (IOException e) {
      return String.format(Locale.ROOT, "\"%s\": {\"ok\": false, \"error\": \"%s\", \"ms\": %.1f}", name,
          e.toString().replace("\"", "'"), (System.nanoTime() - t) / 1e6);
    }
  }

  /** Established TCP sockets whose local port is the server's (the server's side of each connection). */
  private static int serverSockets(int port) {
    try {
      Process p = new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + port + " )")
          .redirectErrorStream(true).start();
      long n = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().count();
      p.waitFor();
      return (int) n;
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private static long openFds(long pid) {
    if (pid <= 0) return -1;
    try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static final class Conn {
    SocketChannel ch;
    boolean sent;
    long lastLine;
    long opened;
    final StringBuilder got = new StringBuilder();

    void close() {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // gone
        }
      }
      ch = null;
      sent = false;
    }
  }
}
