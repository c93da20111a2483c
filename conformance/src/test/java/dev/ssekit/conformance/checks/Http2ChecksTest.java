package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.testing.CliRun;
import dev.ssekit.conformance.testing.TlsSseServer;
import dev.ssekit.testkit.TestCertificate;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The HTTP/2 checks (rules H-08 and L-06) against real servers over TLS on loopback: Netty
 * servers that negotiate h2 by ALPN (correctly, or with a connection-specific header field), and
 * one that offers HTTP/1.1 only.
 */
class Http2ChecksTest {

  @TempDir static Path keys;
  private static TestCertificate certificate;

  @BeforeAll
  static void certificate() throws Exception {
    certificate = TestCertificate.generate(keys);
  }

  /** One check of HttpChecks, run by the Jupiter engine against {@code url} with --insecure. */
  private static Outcome runCheck(String url, String method) {
    EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Target.URL, url)
        .configurationParameter(Target.PROFILE, "standard")
        .configurationParameter(Target.INSECURE, "true")
        .selectors(selectMethod(HttpChecks.class, method, Target.class.getName() + "," + Findings.class.getName()))
        .execute();
    List<Event> finished = r.testEvents().finished().list();
    assertThat(finished).as("the check %s ran", method).hasSize(1);
    TestExecutionResult result = finished.get(0).getPayload(TestExecutionResult.class).orElseThrow();
    Map<String, String> entries = new HashMap<>();
    r.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
        .forEach(kv -> kv.forEach((k, v) -> entries.merge(k, v, (a, b) -> a + "\n" + b)));
    String failure = result.getThrowable().map(Throwable::getMessage).orElse(null);
    return new Outcome(result.getStatus(), failure, entries, r.testEvents().skipped().count() > 0
        || r.testEvents().aborted().count() > 0);
  }

  private record Outcome(TestExecutionResult.Status status, String failure, Map<String, String> entries,
      boolean skipped) {
    String warning() {
      return entries.get(Findings.KEY_WARNING);
    }

    String evidence() {
      return entries.getOrDefault(Findings.KEY_EVIDENCE, "") + entries.getOrDefault(Findings.KEY_NOTE, "");
    }
  }

  @Test
  void aCorrectHttp2ServerPassesBothHttp2Checks() throws Exception {
    try (TlsSseServer server = TlsSseServer.start(TlsSseServer.Mode.HTTP2, certificate)) {
      Outcome offered = runCheck(server.url(), "h2Offered");
      assertThat(offered.status()).as("%s", offered).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
      assertThat(offered.warning()).as("%s", offered).isNull();
      assertThat(offered.evidence()).contains("HTTP_2");

      Outcome headers = runCheck(server.url(), "h2ConnectionHeaders");
      assertThat(headers.status()).as("%s", headers).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
      assertThat(headers.evidence()).contains("content-type");
      assertThat(server.negotiated()).contains("h2");
    }
  }

  @Test
  void aConnectionHeaderOverHttp2FailsTheCheckSayingWhatWasSeen() throws Exception {
    try (TlsSseServer server = TlsSseServer.start(TlsSseServer.Mode.HTTP2_WITH_CONNECTION_HEADER, certificate)) {
      Outcome headers = runCheck(server.url(), "h2ConnectionHeaders");
      assertThat(headers.status()).as("%s", headers).isEqualTo(TestExecutionResult.Status.FAILED);
      assertThat(headers.failure()).startsWith("[MUST http.h2-connection-headers]")
          .contains("connection: \"keep-alive\"").contains("RFC 9113");
      assertThat(server.negotiated()).contains("h2");
    }
  }

  @Test
  void anUpperCaseTransferEncodingOverHttp2IsRefusedAndFailsTheCheck() throws Exception {
    try (TlsSseServer server = TlsSseServer.start(TlsSseServer.Mode.HTTP2_WITH_TRANSFER_ENCODING, certificate)) {
      Outcome headers = runCheck(server.url(), "h2ConnectionHeaders");
      // The JDK's client refuses the upper-case field as a malformed response: the check fails on that, and says
      // what browsers do with it, rather than skipping.
      assertThat(headers.status()).as("%s", headers).isEqualTo(TestExecutionResult.Status.FAILED);
      assertThat(headers.failure()).startsWith("[MUST http.h2-connection-headers]")
          .contains("Transfer-Encoding").contains("ERR_HTTP2_PROTOCOL_ERROR");
      Outcome offered = runCheck(server.url(), "h2Offered");
      assertThat(offered.warning()).as("%s", offered).isNull();
      assertThat(offered.skipped()).as("%s", offered).isTrue();
    }
  }

  @Test
  void anHttp11OnlyServerGetsTheSixStreamsAdvisory() throws Exception {
    try (TlsSseServer server = TlsSseServer.start(TlsSseServer.Mode.HTTP1_ONLY, certificate)) {
      Outcome offered = runCheck(server.url(), "h2Offered");
      // MAY: advice, never a failure.
      assertThat(offered.status()).as("%s", offered).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
      assertThat(offered.warning()).as("%s", offered).startsWith("[MAY http.h2-offered]").contains("six");
      assertThat(server.negotiated()).containsOnly("http/1.1");

      Outcome headers = runCheck(server.url(), "h2ConnectionHeaders");
      assertThat(headers.skipped()).as("%s", headers).isTrue();
    }
  }

  @Test
  void plainHttpGetsTheSixStreamsAdviceAsInfoNotAWarning() {
    // Every plain-http server is HTTP/1.1 to a browser: the advice is an advisory, never a warning.
    Outcome offered = runCheck("http://127.0.0.1:9/events", "h2Offered");
    assertThat(offered.status()).as("%s", offered).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(offered.warning()).as("%s", offered).isNull();
    assertThat(offered.entries().get(Findings.KEY_INFO)).as("%s", offered).startsWith("plain http means HTTP/1.1")
        .contains("six");
  }

  @Test
  void theQuickProfileReadsAnHttp2ServerWithInsecure(@TempDir Path dir) throws Exception {
    try (TlsSseServer server = TlsSseServer.start(TlsSseServer.Mode.HTTP2, certificate)) {
      CliRun r = CliRun.of("--url", server.url(), "--insecure", "--profile", "quick", "--report-dir", dir.toString(),
          "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
      assertThat(json.at("/summary/passed").asInt()).as(r.out()).isGreaterThanOrEqualTo(20);
      assertThat(r.out() + r.err()).doesNotContain("\tat ");
    }
  }
}
