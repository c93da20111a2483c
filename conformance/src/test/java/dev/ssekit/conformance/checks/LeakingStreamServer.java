package dev.ssekit.conformance.checks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SSE server that leaks: the first {@code leaks} streams it serves are never looked at again
 * once their head and first comment are sent, so when their clients leave, the server never
 * notices and keeps their sockets open (and counts them in its gauge) for good; every other stream
 * ticks every 100 ms and is closed as soon as a write fails. {@code GET /metrics} shows
 * {@code leaky_streams_open}, the streams the server believes open. It runs in a process of its
 * own ({@link #start}), so its socket count (--server-pid) is its own.
 */
final class LeakingStreamServer extends RawSocketServer {

  /** The gauge it serves at /metrics. */
  static final String GAUGE = "leaky_streams_open";

  private final int leaks;
  private final AtomicInteger served = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();

  private LeakingStreamServer(int leaks) throws IOException {
    super("leaking-sse", 200);
    this.leaks = leaks;
    start();
  }

  /** Runs the server in this process: {@code LeakingStreamServer LEAKS}; prints {@code listening on URL}. */
  public static void main(String[] args) throws Exception {
    LeakingStreamServer server = new LeakingStreamServer(Integer.parseInt(args[0]));
    PrintStream out = System.out;
    out.println("listening on " + server.url("/events"));
    out.flush();
    // Ends when the parent closes stdin (or dies).
    while (System.in.read() >= 0) {
      // nothing to read
    }
    server.close();
  }

  @Override
  void serve(InputStream in, OutputStream out) throws IOException, InterruptedException {
    String requestLine = readLine(in);
    if (requestLine == null) return;
    for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
      // headers are not needed
    }
    if (requestLine.startsWith("GET /metrics")) {
      byte[] body = ("# TYPE " + GAUGE + " gauge\n" + GAUGE + " " + open.get() + "\n").getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return;
    }
    if (!requestLine.startsWith("GET /events")) {
      out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return;
    }
    boolean leak = served.incrementAndGet() <= leaks;
    open.incrementAndGet();
    try {
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          + "Connection: close\r\n\r\n: hello\n\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (leak) {
        // The bug: this stream is forgotten, never written or closed, and stays counted.
        Thread.sleep(Long.MAX_VALUE);
      }
      for (int i = 0; i < 3000 && !closed(); i++) { // at most 5 minutes
        Thread.sleep(100);
        out.write((": tick " + i + "\n\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } finally {
      if (!leak) open.decrementAndGet();
    }
  }

  /** The server in a child JVM on this test's classpath. */
  static final class Child implements AutoCloseable {
    private final Process process;
    private final String url;

    private Child(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    /** Starts a server that leaks its first {@code leaks} streams; waits until it listens. */
    static Child start(int leaks) throws IOException {
      String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
          LeakingStreamServer.class.getName(), Integer.toString(leaks))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      // The first line says where it listens (bounded: a child that never prints is killed by its timeout below).
      String line;
      try {
        line = readFirstLine(p);
      } catch (IOException e) {
        p.destroyForcibly();
        throw e;
      }
      if (line == null || !line.startsWith("listening on ")) {
        p.destroyForcibly();
        throw new IllegalStateException("the leaking server did not start: " + line);
      }
      return new Child(p, line.substring("listening on ".length()).strip());
    }

    private static String readFirstLine(Process p) throws IOException {
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      var line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return reader.readLine();
        } catch (IOException e) {
          return null;
        }
      });
      try {
        return line.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException("the leaking server did not say where it listens within 30 s", e);
      }
    }

    long pid() {
      return process.pid();
    }

    /** The stream's URL. */
    String url() {
      return url;
    }

    /** {@code path} on the server ({@code /metrics}). */
    String url(String path) {
      return url.replace("/events", path);
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
