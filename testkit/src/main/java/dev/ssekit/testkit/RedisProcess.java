package dev.ssekit.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis ({@code redis-server}, Debian's package) in a child process on a free loopback port,
 * with a data directory of its own that outlives a {@link #kill() kill -9} so that a {@link #restart()}
 * with append-only persistence finds its streams again. Nothing else on the machine is touched: no
 * config file is read, RDB snapshots are off, and {@link #close()} deletes the directory.
 */
public final class RedisProcess implements AutoCloseable {

  private static final long START_TIMEOUT_SECONDS = 20;
  private static final int PORT_ATTEMPTS = 5;

  private final Path dir;
  private final boolean appendOnly;
  private final int port;
  private Process process;

  private RedisProcess(Path dir, boolean appendOnly, int port, Process process) {
    this.dir = dir;
    this.appendOnly = appendOnly;
    this.port = port;
    this.process = process;
  }

  /**
   * Starts Redis and waits until it accepts connections.
   *
   * @param appendOnly whether every write goes to an append-only file first ({@code appendfsync always}),
   *     so that a restart after a kill loses nothing
   * @throws IllegalStateException if {@code redis-server} is not installed or does not start, with its output
   */
  public static RedisProcess start(boolean appendOnly) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("ssekit-redis");
    IllegalStateException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      try {
        return new RedisProcess(dir, appendOnly, port, launch(dir, appendOnly, port));
      } catch (IllegalStateException e) {
        last = e; // most likely the port was taken between the probe and the bind: try another
      }
    }
    deleteTree(dir);
    throw last;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Kills Redis at once (SIGKILL): nothing is flushed that was not already written. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts Redis again on the same port and directory (after {@link #kill()}), and waits until it accepts connections. */
  public void restart() throws IOException, InterruptedException {
    if (process.isAlive()) kill();
    process = launch(dir, appendOnly, port);
  }

  /** Kills Redis and deletes its directory. */
  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(dir);
  }

  private static Process launch(Path dir, boolean appendOnly, int port) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(executable(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--daemonize", "no", "--logfile", "",
        "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always"));
    Path log = dir.resolve("redis-" + port + "-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (output.contains("Ready to accept connections")) return p;
      if (!p.isAlive()) break;
      Thread.sleep(20);
    }
    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    throw new IllegalStateException("redis-server did not start on port " + port + " within " + START_TIMEOUT_SECONDS
        + " s; its output:\n" + Files.readString(log, StandardCharsets.UTF_8));
  }

  private static String executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) return p.toString();
    }
    throw new IllegalStateException("redis-server is not installed (Debian: apt-get install -y redis-server; .ci/run does)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; nothing more to do
    }
  }
}
