package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Real checks failing on the reference server's fault scenarios say the cause in a sentence, with
 * what was seen, and keep AssertJ's comparison out of the message and in the evidence.
 */
class AssertionMessagesTest {

  private static ReferenceServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    server = ReferenceServerProcess.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private record Outcome(String failure, List<String> evidence) {}

  private static Outcome run(String scenario, String method) {
    return run(scenario, method, "quick");
  }

  private static Outcome run(String scenario, String method, String profile) {
    EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Target.URL, server.url("/scenarios/" + scenario))
        .configurationParameter(Target.PROFILE, profile)
        .configurationParameter(Target.STRICT, "true") // a SHOULD fails too, so its message is the failure's
        .selectors(selectMethod(HttpChecks.class, java.util.Arrays.stream(HttpChecks.class.getDeclaredMethods())
            .filter(m -> m.getName().equals(method)).findFirst().orElseThrow()))
        .execute();
    List<String> evidence = new ArrayList<>();
    r.allEvents().reportingEntryPublished().stream().map(e -> e.getPayload(ReportEntry.class).orElseThrow())
        .forEach(e -> {
          String v = e.getKeyValuePairs().get(Findings.KEY_EVIDENCE);
          if (v != null) evidence.add(v);
        });
    TestExecutionResult result = r.testEvents().finished().list().get(0).getPayload(TestExecutionResult.class)
        .orElseThrow();
    assertThat(result.getStatus()).as("%s %s", result, evidence).isEqualTo(TestExecutionResult.Status.FAILED);
    return new Outcome(result.getThrowable().orElseThrow().getMessage(), evidence);
  }

  @Test
  void aWrongContentTypeIsNamedInTheMessageAndComparedInTheEvidence() {
    Outcome o = run("wrong-content-type", "contentType");
    assertThat(o.failure()).startsWith("[MUST http.content-type] Content-Type is \"text/plain")
        .contains("not text/event-stream: a browser fails the connection for good")
        .doesNotContain("expected:").doesNotContain("but was").doesNotContain("\n");
    assertThat(o.evidence()).anySatisfy(e -> assertThat(e).startsWith("assertion: expected: \"text/event-stream\"")
        .contains("but was: \"text/plain\""));
  }

  @Test
  void aContentLengthIsNamedInTheMessage() {
    Outcome o = run("content-length-stream", "noContentLength");
    assertThat(o.failure()).startsWith("[SHOULD http.no-content-length] the stream has Content-Length: 24: ")
        .contains("clients see the stream end and reconnect in a loop").doesNotContain("Expecting");
    assertThat(o.evidence()).anySatisfy(e -> assertThat(e).startsWith("assertion: "));
  }

  @Test
  void aRefusedVariantIsNamedByItsStatusNotByTheRefusalsContentType() {
    Outcome o = run("status-204", "acceptVariants", "standard");
    assertThat(o.failure()).startsWith("[SHOULD http.accept-variants] with Accept: */* the server answered 204, not 200")
        .doesNotContain("Content-Type").doesNotContain("expected:");
    assertThat(o.evidence()).anySatisfy(e -> assertThat(e).startsWith("with Accept: */* → 204"));
  }
}
