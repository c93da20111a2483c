package dev.ssekit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The floor under any SSE server's fan-out on this machine (issue 13, point 1): the cost of one
 * {@code write} of one event to each of {@code --connections} loopback sockets, which is the least
 * a server must do per delivery (Netty's flush is one such system call per stream). Not a test.
 *
 * <p>This JVM accepts the connections and, {@code --rate} times a second for {@code --events}
 * rounds (after 20 unmeasured ones), writes the same chunked event (the size of the reference
 * server's published events) to every socket from one thread. A second JVM ({@code --sink}, started
 * here) opens the connections and reads and discards everything on one selector thread, as an
 * injector's event loop would. Reported: the writing thread's CPU time per write (user and system:
 * the system call is most of it), its wall time per write, this process's CPU per write (with GC
 * and the JIT), writes that could not take the whole event (a full socket buffer: the sink fell
 * behind), and the sink's CPU per event read. One JSON line on stdout.
 *
 * <pre>
 * java -cp bench-classes dev.ssekit.bench.WriteFloor [--connections 18000] [--events 200] [--rate 10]
 * </pre>
 *
 * Bounded: at most 19,000 connections (one process opens 20,000 files here), only on 127.0.0.1,
 * at most 1,000 rounds at most 100 a second, connecting within 60 s. JDK only, one file:
 * {@code bench/write-floor.sh} compiles this source alone.
 */
public final class WriteFloor {
  private static final int MAX_CONNECTIONS = 19_000;
  private static final int WARMUP_ROUNDS = 20;
  private static final long CONNECT_BOUND_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** A published event as the reference server frames it on HTTP/1.1: id, data with seq and send time, in one chunk. */
  private static final byte[] EVENT = chunk("id: 1765130000000-0\nevent: ssekit-load\n"
      + "data: {\"run\":\"a1b2c3d4\",\"seq\":12345,\"sentAtMicros\":1765130000000000}\n\n");

  private int connections = 18_000;
  private int events = 200;
  private int rate = 10;
  private boolean sink;
  private int port;

  public static void main(String[] args) throws Exception {
    WriteFloor w = new WriteFloor();
    w.parse(args);
    if (w.sink) {
      w.sink();
    } else {
      w.write();
    }
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--sink" -> sink = true;
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; usage: WriteFloor [--connections N] [--events N] [--rate N]");
      }
    }
    if (connections < 1 || connections > MAX_CONNECTIONS || events < 1 || events > 1_000 || rate < 1 || rate > 100) {
      throw new IllegalArgumentException("--connections 1.." + MAX_CONNECTIONS + ", --events 1..1000, --rate 1..100");
    }
  }

  private static byte[] chunk(String event) {
    byte[] body = event.getBytes(StandardCharsets.UTF_8);
    String framed = Integer.toHexString(body.length) + "\r\n" + event + "\r\n";
    return framed.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ the writer

  private void write() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
      Process sinkJvm = startSink(server.socket().getLocalPort());
      List<SocketChannel> streams = accept(server);
      ByteBuffer event = ByteBuffer.allocateDirect(EVENT.length).put(EVENT).flip();
      var threads = ManagementFactory.getThreadMXBean();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long period = TimeUnit.SECONDS.toNanos(1) / rate;
      long[] cpu = new long[events];
      long[] wall = new long[events];
      long partial = 0;
      long processCpuAtStart = 0;
      long next = System.nanoTime();
      for (int round = -WARMUP_ROUNDS; round < events; round++) {
        long wait = next - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        next += period;
        if (round == 0) processCpuAtStart = os.getProcessCpuTime();
        long c0 = threads.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        for (SocketChannel ch : streams) {
          ByteBuffer b = event.duplicate();
          ch.write(b);
          if (b.hasRemaining()) partial++;
        }
        if (round >= 0) {
          cpu[round] = threads.getCurrentThreadCpuTime() - c0;
          wall[round] = System.nanoTime() - w0;
        }
      }
      long processCpu = os.getProcessCpuTime() - processCpuAtStart;
      for (SocketChannel ch : streams) ch.close();
      String sinkReport = awaitSink(sinkJvm);
      double n = streams.size();
      System.out.println(String.format(Locale.ROOT, "{\"tool\":\"WriteFloor\",\"connections\":%d,\"events\":%d,\"rate\":%d,"
              + "\"bytesPerWrite\":%d,\"writes\":%d,\"partialWrites\":%d,\"threadCpuMicrosPerWriteMedian\":%.3f,"
              + "\"threadCpuMicrosPerWriteP90\":%.3f,\"wallMicrosPerWriteMedian\":%.3f,\"processCpuMicrosPerWrite\":%.3f,"
              + "\"roundMillisMedian\":%.2f,\"cores\":%d,\"java\":\"%s\",\"sink\":%s}",
          streams.size(), events, rate, EVENT.length, (long) (n * events), partial,
          percentile(cpu, 50) / n / 1000, percentile(cpu, 90) / n / 1000, percentile(wall, 50) / n / 1000,
          processCpu / (n * events) / 1000, percentile(wall, 50) / 1e6, Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), sinkReport));
    }
  }

  private Process startSink(int serverPort) throws IOException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), WriteFloor.class.getName(), "--sink",
        "--port", Integer.toString(serverPort), "--connections", Integer.toString(connections),
        "--events", Integer.toString(events), "--rate", Integer.toString(rate));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private List<SocketChannel> accept(ServerSocketChannel server) throws IOException {
    List<SocketChannel> streams = new ArrayList<>(connections);
    long deadline = System.nanoTime() + CONNECT_BOUND_NANOS;
    server.configureBlocking(false);
    while (streams.size() < connections) {
      SocketChannel ch = server.accept();
      if (ch == null) {
        if (System.nanoTime() > deadline) {
          throw new IOException("only " + streams.size() + " of " + connections + " connections within 60 s");
        }
        Thread.onSpinWait();
        continue;
      }
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // as Netty sets it
      streams.add(ch);
    }
    return streams;
  }

  private static String awaitSink(Process sinkJvm) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(sinkJvm.getInputStream(), StandardCharsets.UTF_8))) {
      String line = r.readLine();
      if (!sinkJvm.waitFor(30, TimeUnit.SECONDS)) {
        sinkJvm.destroyForcibly();
        return "null";
      }
      return line == null ? "null" : line;
    }
  }

  private static double percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
  }

  // ------------------------------------------------------------------ the sink

  /** Opens the connections, reads and discards until the writer closes them all; prints its cost. */
  private void sink() throws IOException {
    long deadline = System.nanoTime() + CONNECT_BOUND_NANOS;
    long runBound = System.nanoTime() + CONNECT_BOUND_NANOS
        + TimeUnit.SECONDS.toNanos((events + WARMUP_ROUNDS) / rate + 30);
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < connections; i++) {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ);
        if (System.nanoTime() > deadline) throw new IOException("connecting took over 60 s");
      }
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
      long bytes = 0;
      int open = connections;
      while (open > 0 && System.nanoTime() < runBound) {
        selector.select(1_000);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) key.channel();
          int n;
          while ((n = ch.read(buf.clear())) > 0) bytes += n;
          if (n < 0) {
            key.cancel();
            ch.close();
            open--;
          }
        }
        selector.selectedKeys().clear();
      }
      long events = bytes / EVENT.length;
      System.out.println(String.format(Locale.ROOT, "{\"bytesRead\":%d,\"eventsRead\":%d,\"cpuMicrosPerEventRead\":%.3f}",
          bytes, events, events == 0 ? 0.0 : (os.getProcessCpuTime() - cpu0) / (double) events / 1000));
    }
  }
}
