package dev.ssekit.load.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real reference server, from its jar, in a child process on a free loopback port. */
final class ReferenceServer implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/events");

  private final Process process;
  private final int port;

  private ReferenceServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the server with extra options; fails the test if the jar is missing or it does not start in 20 s. */
  static ReferenceServer start(String... options) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("ssekit.referenceServerJar", "../reference-server/target/sse-reference-server.jar"));
    if (!Files.isRegularFile(jar)) {
      fail("the reference server jar is missing: " + jar.toAbsolutePath()
          + " (build it first: mvn -B -pl reference-server -am package, or run the whole reactor: mvn -B verify)");
    }
    List<String> cmd = new ArrayList<>(List.of(CliProcess.java(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString(), "--port", "0"));
    cmd.addAll(List.of(options));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readLines(p, lines), "reference-server-log");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line == null) {
        if (!p.isAlive() && lines.isEmpty()) {
          break;
        }
        continue;
      }
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        return new ReferenceServer(p, Integer.parseInt(m.group(1)));
      }
    }
    p.destroyForcibly();
    fail("the reference server did not start within 20 s; its output:\n" + seen);
    return null;
  }

  /** Reads the server's log until it exits; only lines before the start are kept (bounded). */
  private static void readLines(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      int kept = 0;
      for (String line; (line = r.readLine()) != null; ) {
        if (kept++ < 1000) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
