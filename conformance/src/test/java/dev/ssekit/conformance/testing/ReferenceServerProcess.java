package dev.ssekit.conformance.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real reference server, run from its jar in a child process on a free loopback port. The
 * conformance module does not depend on the server's code; tests talk to it over sockets only.
 * The jar is built by the reactor before this module's tests ({@code mvn -B verify}).
 */
public final class ReferenceServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/events");
  private final Process process;
  private final Path log;
  private final int port;

  private ReferenceServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the server with extra options (e.g. {@code --tick 200ms}); waits until it listens. */
  public static ReferenceServerProcess start(String... options) throws IOException, InterruptedException {
    Path jar = Path.of("..", "reference-server", "target", "sse-reference-server.jar").toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the reference server jar is missing: " + jar
          + " (build it first: mvn -B -pl reference-server -am -DskipTests package, or run mvn -B verify)");
    }
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar.toString(), "--port", "0"));
    cmd.addAll(List.of(options));
    Path log = Files.createTempFile("ssekit-reference-server", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) return new ReferenceServerProcess(p, log, Integer.parseInt(m.group(1)));
      if (!p.isAlive()) break;
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new IllegalStateException("the reference server did not start: " + Files.readString(log, StandardCharsets.UTF_8));
  }

  /** The server's process id. */
  public long pid() {
    return process.pid();
  }

  public int port() {
    return port;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** What the server logged so far. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
    Files.deleteIfExists(log);
  }
}
