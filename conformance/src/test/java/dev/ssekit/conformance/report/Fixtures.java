package dev.ssekit.conformance.report;

import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.report.CheckResult.Status;
import java.time.Instant;
import java.util.List;

/** Run reports with one check of each status, and text a hostile server could have sent. */
final class Fixtures {
  private Fixtures() {}

  static final String SPEC = "https://html.spec.whatwg.org/multipage/server-sent-events.html";
  static final String HOSTILE = "body: \"<script>alert(1)</script>\\n\"";
  static final Instant STARTED = Instant.parse("2026-03-01T10:15:30.123Z");

  static CheckResult passed() {
    return new CheckResult("http.status-200", "http", Severity.MUST, Status.PASSED, null,
        List.of("status: \"HTTP/1.1 200 OK\\r\\n\""), List.of("headers after 3 ms"), SPEC + "#sse-processing-model",
        "H-01", "Answers 200 OK", 12);
  }

  static CheckResult failed() {
    return new CheckResult("framing.blank-line-terminates", "framing", Severity.MUST, Status.FAILED,
        "[MUST framing.blank-line-terminates] the last event was never terminated: \"quoted\" & 'single' ]]>",
        List.of(HOSTILE, "idle for 2000 ms after the last byte"), List.of(), SPEC + "#parsing-an-event-stream",
        "F-03", "Ends every event with a blank line", 2040);
  }

  static CheckResult warned() {
    return new CheckResult("retry.sane-value", "retry", Severity.SHOULD, Status.WARNED,
        "[SHOULD retry.sane-value] retry: 0 makes clients reconnect in a tight loop\n[SHOULD retry.sane-value] second warning",
        List.of("retry line: \"retry: 0\\n\""), List.of(), SPEC + "#event-stream-interpretation", null,
        "Sends a sane retry value", 5);
  }

  static CheckResult skipped() {
    return new CheckResult("id.no-nul", "id", Severity.MUST, Status.SKIPPED, "no ids seen in the stream", List.of(),
        List.of(), SPEC + "#event-stream-interpretation", "I-02", "Ids carry no NUL", 0);
  }

  static RunReport report(CheckResult... checks) {
    return new RunReport(RunReport.TOOL_NAME, "1.2.3", "http://localhost:8080/events?x=1&y=2", null, STARTED, 3456,
        List.of(checks), List.of());
  }

  /** One check of each status, given out of report order. */
  static RunReport mixed() {
    return report(warned(), skipped(), failed(), passed());
  }
}
