package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ssekit.testkit.TestCertificate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Gatling runs of the CLI (child JVMs) against hostile servers on loopback: each must end in
 * bounded time and memory, as a failure named in the summary and in capacity.json, with exit 1.
 * Bounds asserted are generous (a minute, tens of MiB read): the point is that the run stops
 * reading, not how fast. Before these bounds, the endless head was read until the server gave up
 * (768 MiB, 1.4 GiB RSS), the silent server held the run for 100 s and printed OK, the endless line
 * was buffered whole, the metrics endpoint was downloaded again and again, and any certificate was
 * accepted.
 */
class HostileTargetsEndToEndTest {
  private static final String HOLD = "1s";

  @TempDir Path tmp;

  @Test
  void anEndlessResponseHeadFailsEachConnectionAtTheHeadBound() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.ENDLESS_HEAD)) {
      Path reports = tmp.resolve("head");
      CliProcess.Result r = CliProcess.run(tmp, 60, "--url", server.url(), "--scenario", "hold", "--connections", "3",
          "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("FAILED: no connection opened; 3 connections failed to open (3 response head over 64 KiB)")
          .doesNotContain("  OK: ");
      assertFailure(LoadRunEndToEndTest.capacity(reports), "head-too-large", 3, "response head over 64 KiB");
      assertThat(server.hostileBytesWritten()).as("bytes the server got to send before the injector hung up")
          .isLessThan(64L << 20);
    }
  }

  @Test
  void aServerThatNeverAnswersFailsAtTheHeadTimeoutInsteadOfHoldingTheRun() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.SILENT)) {
      Path reports = tmp.resolve("silent");
      // 60 s is well under the 100 s the run used to take (its own bound), and far over 10 s + hold.
      CliProcess.Result r = CliProcess.run(tmp, 60, "--url", server.url(), "--scenario", "hold", "--connections", "3",
          "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("FAILED: no connection opened").contains("3 no response head within 10s")
          .doesNotContain("  OK: ");
      JsonNode c = LoadRunEndToEndTest.capacity(reports);
      assertThat(c.at("/connections/opened").asLong()).isZero();
      assertThat(c.at("/connections/failed").asLong()).isEqualTo(3);
      assertFailure(c, "head-timeout", 3, "no response head within 10s");
      assertThat(c.at("/problems/0").asText()).isEqualTo("no connection opened");
    }
  }

  @Test
  void aLineWithNoEndClosesTheStreamAtTheLineBound() throws Exception {
    closedAtABound(BrokenSseServer.Fault.ENDLESS_LINE, "line", "3 streams closed while open: a line longer than 1 MiB",
        "line-too-long", "a line longer than 1 MiB", 64L << 20);
  }

  @Test
  void shortDataLinesWithNoBlankLineCloseTheStreamAtTheEventBound() throws Exception {
    // Before: each line passed the line bound, and Gatling's SSE decoder piled the data lines up
    // into one pending event until the injector ran out of memory (and Gatling exited, no report).
    closedAtABound(BrokenSseServer.Fault.ENDLESS_EVENT, "event",
        "3 streams closed while open: an event (its lines up to the blank line) larger than 8 MiB", "event-too-large",
        "larger than 8 MiB", 96L << 20);
  }

  @Test
  void anAnswerThatIsNotAStreamIsAConnectErrorSayingWhy() throws Exception {
    // Before: Gatling's SSE listener failed it through its own onThrowable, bypassing the guard,
    // so the failures breakdown was empty.
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.NOT_A_STREAM)) {
      Path reports = tmp.resolve("503");
      CliProcess.Result r = CliProcess.run(tmp, 60, "--url", server.url(), "--scenario", "hold", "--connections", "2",
          "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("2 connections failed to open (2 status 503 Service Unavailable (not 200))");
      assertFailure(LoadRunEndToEndTest.capacity(reports), "connect-error", 2, "status 503 Service Unavailable (not 200)");
    }
  }

  @Test
  void endlessTrailersCloseTheStreamAtTheHeadBound() throws Exception {
    // Before: the head guard stopped at the first head; the trailers after the last chunk were
    // decoded with no bound until the injector ran out of memory.
    closedAtABound(BrokenSseServer.Fault.ENDLESS_TRAILERS, "trailers",
        "streams closed while open: response trailers over 64 KiB", "trailers-too-large", "response trailers over 64 KiB",
        64L << 20);
  }

  @Test
  void aHugeMetricsAnswerIsCutAtTheMetricsBoundAndNotAskedAgain() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.HUGE_METRICS)) {
      Path reports = tmp.resolve("metrics");
      CliProcess.Result r = CliProcess.run(tmp, 60, "--url", server.url(), "--metrics-url", server.base() + "/metrics",
          "--scenario", "hold", "--connections", "3", "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("server memory not read: " + server.base() + "/metrics: answer larger than 16 MiB");
      JsonNode c = LoadRunEndToEndTest.capacity(reports);
      assertThat(c.at("/connections/opened").asLong()).as("the streams themselves were fine").isEqualTo(3);
      assertFailure(c, "metrics", 1, "answer larger than 16 MiB");
      // One cut read (16 MiB plus what was in flight), not one 256 MiB download every half second.
      assertThat(server.hostileBytesWritten()).isLessThan(64L << 20);
    }
  }

  @Test
  void anUntrustedCertificateIsAConnectionFailureUnlessInsecure() throws Exception {
    TestCertificate cert = TestCertificate.generate(tmp, true);
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.NONE, cert.serverContext())) {
      Path reports = tmp.resolve("untrusted");
      CliProcess.Result r = CliProcess.run(tmp, 60, "--url", server.url(), "--scenario", "hold", "--connections", "2",
          "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("2 connections failed to open (2 TLS: the server's certificate is not trusted");
      assertFailure(LoadRunEndToEndTest.capacity(reports), "tls", 2, "not trusted");

      Path insecure = tmp.resolve("insecure");
      CliProcess.Result ok = CliProcess.run(tmp, 60, "--url", server.url(), "--scenario", "hold", "--connections", "2",
          "--ramp", "0s", "--hold", HOLD, "--insecure", "--report-dir", insecure.toString());
      assertThat(ok.exitStatus()).as(ok.both()).isZero();
      assertThat(LoadRunEndToEndTest.capacity(insecure).at("/connections/opened").asLong()).isEqualTo(2);
    }
  }

  @Test
  void aTrustedCertificateForAnotherHostIsAConnectionFailure() throws Exception {
    TestCertificate cert = TestCertificate.generate(tmp, false); // names localhost, not 127.0.0.1
    List<String> trust = List.of("-Djavax.net.ssl.trustStore=" + cert.trustStore(),
        "-Djavax.net.ssl.trustStorePassword=" + TestCertificate.PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12");
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.NONE, cert.serverContext())) {
      Path reports = tmp.resolve("wrong-host");
      CliProcess.Result r = CliProcess.run(tmp, 60, trust, "--url", server.url(), "--scenario", "hold",
          "--connections", "2", "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("TLS: the server's certificate does not name this host");
      assertFailure(LoadRunEndToEndTest.capacity(reports), "tls", 2, "does not name this host");

      Path named = tmp.resolve("named-host"); // the same trust store, the name the certificate has: it opens
      CliProcess.Result ok = CliProcess.run(tmp, 60, trust, "--url", server.url().replace("127.0.0.1", "localhost"),
          "--scenario", "hold", "--connections", "2", "--ramp", "0s", "--hold", HOLD, "--report-dir", named.toString());
      assertThat(ok.exitStatus()).as(ok.both()).isZero();
    }
  }

  private static void assertFailure(JsonNode capacity, String kind, long count, String message) {
    JsonNode failures = capacity.path("failures");
    assertThat(failures.size()).as(failures.toString()).isEqualTo(1);
    assertThat(failures.get(0).path("kind").asText()).isEqualTo(kind);
    assertThat(failures.get(0).path("count").asLong()).isEqualTo(count);
    assertThat(failures.get(0).path("message").asText()).contains(message);
  }

  /**
   * Three streams from a server with {@code fault} are each closed at a bound: exit 1, the bound named on stdout and
   * in capacity.json, all three opened first, and the server got to write no more than {@code maxHostileBytes}.
   */
  private void closedAtABound(BrokenSseServer.Fault fault, String dir, String stdout, String kind, String detail,
      long maxHostileBytes) throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(fault)) {
      Path reports = tmp.resolve(dir);
      CliProcess.Result r = CliProcess.run(tmp, 60, "--url", server.url(), "--scenario", "hold", "--connections", "3",
          "--ramp", "0s", "--hold", HOLD, "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains(stdout).doesNotContain("  OK: ");
      JsonNode c = LoadRunEndToEndTest.capacity(reports);
      assertThat(c.at("/connections/opened").asLong()).isEqualTo(3);
      assertFailure(c, kind, 3, detail);
      assertThat(server.hostileBytesWritten()).isLessThan(maxHostileBytes);
    }
  }

}
