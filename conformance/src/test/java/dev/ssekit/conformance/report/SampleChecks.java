package dev.ssekit.conformance.report;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.ssekit.conformance.checks.Findings;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.checks.SseCheck;
import dev.ssekit.conformance.checks.SseExtension;
import dev.ssekit.conformance.config.Target;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Metadata-only checks with every outcome, run through the Launcher by {@link ReportPipelineTest}.
 * They need no server. They run only when the configuration parameter {@link #ENABLE} is true, so
 * an IDE or build that discovers this class reports it disabled instead of failing.
 */
@ExtendWith({SampleChecks.OnlyOnRequest.class, SseExtension.class})
class SampleChecks {

  static final String ENABLE = "ssekit.test.sampleChecks";
  static final String SPEC = "https://html.spec.whatwg.org/multipage/server-sent-events.html";

  @SseCheck(id = "http.sample-pass", severity = Severity.MUST, spec = SPEC + "#sse-processing-model", rule = "H-01",
      summary = "Answers 200 OK")
  void passes(Findings findings) {
    findings.evidence("status line", "HTTP/1.1 200 OK\r\n".getBytes(UTF_8));
    findings.note("headers after 3 ms");
  }

  @SseCheck(id = "framing.sample-fail", severity = Severity.MUST, spec = SPEC + "#parsing-an-event-stream",
      rule = "F-06", summary = "Ends every event with a blank line")
  void fails(Findings findings) {
    findings.evidence("body", "<script>alert(1)</script>\n".getBytes(UTF_8));
    findings.violation("the last event was never terminated by a blank line");
  }

  @SseCheck(id = "retry.sample-warn", severity = Severity.SHOULD, spec = SPEC + "#event-stream-interpretation",
      summary = "Sends a sane retry value")
  void warns(Findings findings) {
    findings.evidence("retry line", "retry: 0\n".getBytes(UTF_8));
    findings.violation("retry: 0 makes clients reconnect in a tight loop");
  }

  @SseCheck(id = "reconnect.sample-below", severity = Severity.MUST, spec = SPEC + "#the-last-event-id-header",
      summary = "Resumes after Last-Event-ID")
  void warnsBelowItsSeverity(Findings findings) {
    findings.violation(Severity.SHOULD, "the witness comparison did not apply: 2 reused ids");
  }

  @SseCheck(id = "http.sample-info", severity = Severity.MAY, spec = SPEC + "#authoring-notes",
      summary = "HTTP/2 is offered")
  void advises(Findings findings) {
    findings.info("plain http means HTTP/1.1: a browser allows six connections per origin");
  }

  @SseCheck(id = "id.sample-abort", severity = Severity.MUST, spec = SPEC + "#event-stream-interpretation",
      summary = "Ids carry no NUL")
  void doesNotApply(Findings findings) {
    findings.notApplicable("no ids seen in the stream");
  }

  @SseCheck(id = "lifecycle.sample-full-only", severity = Severity.SHOULD, spec = SPEC + "#sse-processing-model",
      profile = Target.Profile.FULL, summary = "Keeps streams open past 100 s")
  void fullProfileOnly() {
    throw new AssertionError("disabled in the standard profile: never runs");
  }

  @SseCheck(id = "delivery.sample-publish", severity = Severity.MUST, spec = SPEC, needsPublish = true,
      summary = "Delivers published payloads exactly")
  void needsPublishUrl() {
    throw new AssertionError("disabled without a publish URL: never runs");
  }

  @SseCheck(id = "data.sample-crash", severity = Severity.MUST, spec = SPEC, summary = "Survives a bug in the check")
  void crashes() {
    throw new IllegalStateException("unexpected", new java.io.IOException("connection reset"));
  }

  /** A check class that cannot start: its class-level setup fails. */
  @ExtendWith({SampleChecks.OnlyOnRequest.class, SseExtension.class})
  static class Broken {
    @BeforeAll
    static void setUp() {
      throw new IllegalStateException("cannot open the shared recording");
    }

    @SseCheck(id = "event.sample-never-runs", severity = Severity.MUST, spec = SPEC, summary = "Never runs")
    void neverRuns() {}
  }

  /** Enables the sample checks only when {@link #ENABLE} is set. */
  static final class OnlyOnRequest implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(ENABLE).map(Boolean::parseBoolean).orElse(false)
          ? ConditionEvaluationResult.enabled("requested")
          : ConditionEvaluationResult.disabled("sample checks run only from ReportPipelineTest");
    }
  }
}
