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
        "the last event was never terminated: \"quoted\" & 'single' ]]>",
        List.of(HOSTILE, "idle for 2000 ms after the last byte"), List.of(), SPEC + "#parsing-an-event-stream",
        "F-06", "Ends every event with a blank line", 2040);
  }

  static CheckResult warned() {
    return new CheckResult("retry.sane-value", "retry", Severity.SHOULD, Status.WARNED,
        "retry: 0 makes clients reconnect in a tight loop\nsecond warning",
        List.of("retry line: \"retry: 0\\n\""), List.of(), SPEC + "#event-stream-interpretation", null,
        "Sends a sane retry value", 5);
  }

  static CheckResult skipped() {
    return new CheckResult("id.no-nul", "id", Severity.MUST, Status.SKIPPED, "no ids seen in the stream", List.of(),
        List.of(), SPEC + "#event-stream-interpretation", "D-06", "Ids carry no NUL", 0);
  }

  /** An advisory: neither a warning nor a failure. */
  static CheckResult info() {
    return new CheckResult("http.h2-offered", "http", Severity.MAY, Status.INFO,
        "plain http means HTTP/1.1: a browser allows six connections per origin", List.of(), List.of(),
        SPEC + "#authoring-notes", "L-06", "HTTP/2 is offered", 1);
  }

  /** A MUST check that could only prove a SHOULD violation: it warned, at SHOULD. */
  static CheckResult warnedBelowItsSeverity() {
    return new CheckResult("reconnect.resume-after-last-event-id", "reconnect", Severity.SHOULD, Status.WARNED,
        "the witness comparison did not apply: 2 reused ids", List.of(), List.of(), SPEC + "#the-last-event-id-header",
        "S-01", "Resumes after Last-Event-ID", 7, Severity.MUST);
  }

  /** A clean run with an advisory and a check that warned below its declared severity. */
  static RunReport signal() {
    return report(info(), warnedBelowItsSeverity(), passed());
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
