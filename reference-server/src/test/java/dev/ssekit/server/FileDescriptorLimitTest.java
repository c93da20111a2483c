package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.testkit.RawHttp;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, point 3: running out of file descriptors must not end accepting for good, and the
 * default --max-connections must leave descriptors for everything else. The server runs in a
 * child process under a low {@code ulimit -n}; the clients (this JVM) are not limited.
 */
class FileDescriptorLimitTest {

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/events");
  private Process process;
  private Path log;
  private final List<RawHttp> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    closeClients();
    if (process != null) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
    }
    if (log != null) Files.deleteIfExists(log);
  }

  /**
   * The test's class path without what only tests use (JUnit, AssertJ, the test kit, test classes):
   * the JVM keeps every jar it opened open, and a service lookup opens them all, so each jar is a
   * descriptor of the child's small budget that the server, run from its one shaded jar, never spends.
   */
  private static String serverClassPath() {
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.contains("test-classes") && !e.contains(File.separator + "testkit" + File.separator)
            && !e.matches(".*" + java.util.regex.Pattern.quote(File.separator)
                + "(junit|assertj|byte-buddy|opentest4j|apiguardian|testkit)[^" + File.separator + "]*\\.jar"))
        .collect(java.util.stream.Collectors.joining(File.pathSeparator));
  }

  /** Starts the server in a child JVM with {@code ulimit -n fdLimit}; returns its port. */
  private int startChild(int fdLimit, String... options) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    StringBuilder cmd = new StringBuilder("ulimit -n " + fdLimit + " && exec '" + java + "' -Xmx128m -XX:+UseSerialGC -cp '"
        + serverClassPath() + "' dev.ssekit.server.Main --port 0 --tick 0 --heartbeat 0");
    for (String o : options) cmd.append(' ').append(o);
    log = Files.createTempFile("ssekit-fd-test", ".log");
    process = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(log());
      if (m.find()) return Integer.parseInt(m.group(1));
      if (!process.isAlive()) break;
      Thread.sleep(50);
    }
    throw new AssertionError("the server did not start: " + log());
  }

  private String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  private void closeClients() {
    for (RawHttp c : clients) {
      try {
        c.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    clients.clear();
  }

  /** Opens {@code n} stream requests without waiting for their answers. */
  private void openStreams(int port, int n) throws IOException {
    for (int i = 0; i < n; i++) clients.add(RawHttp.get(port, "/events"));
  }

  @Test
  void runningOutOfDescriptorsPausesAcceptingAndItResumesWhenTheyFreeUp() throws Exception {
    // A --max-connections far above what 200 descriptors allow: accepting fails with EMFILE.
    int port = startChild(200, "--max-connections", "1000");
    openStreams(port, 400);
    ServerTestSupport.eventually("the server reports failed accepts", () -> {
      try {
        return log().contains("cannot accept connections");
      } catch (IOException e) {
        return false;
      }
    });
    closeClients();
    // Descriptors free up as the server notices the clients left; it accepts again.
    ServerTestSupport.eventually("/healthz answers again", () -> {
      try {
        return ServerTestSupport.get(port, "/healthz").status() == 200;
      } catch (IOException | AssertionError e) {
        return false;
      }
    });
    try (RawHttp s = RawHttp.get(port, "/events")) {
      assertThat(s.head(WAIT).status()).isEqualTo(200);
      assertThat(s.awaitText("retry: 3000", WAIT)).contains("retry: 3000");
    }
    assertThat(process.isAlive()).isTrue();
    assertThat(log()).doesNotContain("Exception in thread").doesNotContain("Error:");
  }

  @Test
  void theDefaultMaxConnectionsLeavesDescriptorsForEverythingElse() throws Exception {
    int port = startChild(256);
    assertThat(log()).contains("max-connections 192 (the open-file limit 256 less 64")
        .contains("max-pending-connections 32 (half of the 64 descriptors kept back from streams");
    openStreams(port, 300);
    int streams = 0;
    int turnedAway = 0;
    for (RawHttp c : clients) {
      assertThat(c.head(WAIT).status()).isEqualTo(200);
      String start = c.awaitText("\n\n", WAIT);
      if (start.startsWith("retry: 3000\n")) streams++;
      else if (start.startsWith("retry: 30000\n")) turnedAway++;
    }
    assertThat(streams).isEqualTo(192);
    assertThat(turnedAway).isEqualTo(300 - 192);
    assertThat(ServerTestSupport.get(port, "/healthz").status()).isEqualTo(200);
  }
}
