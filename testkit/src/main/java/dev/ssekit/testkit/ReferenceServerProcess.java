package dev.ssekit.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real reference server, run from its jar in a child process on a free loopback port ({@code --port 0};
 * the port is read back from its "listening on" line). Tests talk to it over sockets only; the server's code
 * is never on their class path.
 *
 * <p>The jar is {@code target/sse-reference-server.jar} of the reference-server module. A module whose tests
 * use this class says so in its pom: the surefire/failsafe system property {@value #JAR_PROPERTY} gives the
 * path, and a {@code <type>pom</type>} test dependency on reference-server puts that module (and its
 * {@code package} phase) before it in the reactor ({@code mvn -B verify} from a clean clone).
 */
public final class ReferenceServerProcess implements AutoCloseable {

  /** The system property naming the reference server's runnable jar. */
  public static final String JAR_PROPERTY = "ssekit.referenceServerJar";

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/events");
  private static final long START_TIMEOUT_SECONDS = 30;

  private final Process process;
  private final Path log;
  private final int port;

  private ReferenceServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * The reference server's runnable jar: the {@value #JAR_PROPERTY} system property, else (a test run from
   * an IDE in a module directory) {@code ../reference-server/target/sse-reference-server.jar}.
   *
   * @throws IllegalStateException if there is no such file, saying how to build it
   */
  public static Path jar() {
    String configured = System.getProperty(JAR_PROPERTY);
    Path jar = (configured != null ? Path.of(configured)
        : Path.of("..", "reference-server", "target", "sse-reference-server.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the reference server jar is missing: " + jar
          + " (build it first: mvn -B -pl reference-server -am -DskipTests package, or run mvn -B verify)");
    }
    return jar;
  }

  /** The {@code java} launcher of the JVM running the tests. */
  public static String java() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }

  /**
   * Starts the server with extra options (e.g. {@code --tick 200ms}) and waits until it listens.
   *
   * @throws IllegalStateException if the jar is missing or the server does not listen within 30 s (with
   *     what it printed)
   */
  public static ReferenceServerProcess start(String... options) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar().toString(),
        "--port", "0"));
    cmd.addAll(List.of(options));
    Path log = Files.createTempFile("ssekit-reference-server", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) return new ReferenceServerProcess(p, log, Integer.parseInt(m.group(1)));
      if (!p.isAlive()) break;
      Thread.sleep(50);
    }
    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    throw new IllegalStateException("the reference server did not start within " + START_TIMEOUT_SECONDS
        + " s; its output:\n" + output);
  }

  /** The server's process id. */
  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String base() {
    return "http://127.0.0.1:" + port;
  }

  /** {@link #base()} followed by {@code path} (which starts with a slash). */
  public String url(String path) {
    return base() + path;
  }

  /** Kills the server at once (SIGKILL, as {@code kill -9}): no shutdown hook runs, nothing is flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** What the server has printed so far. */
  public String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Stops the server (SIGTERM, then after 10 s SIGKILL) and deletes its log. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a temporary file; nothing to do
    }
  }
}
