package dev.ssekit.conformance.report;

import static dev.ssekit.conformance.report.Stubs.meta;
import static dev.ssekit.conformance.report.Stubs.warning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.Severity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestIdentifier;
import org.opentest4j.TestAbortedException;

/** Console progress lines and the end-of-run summary. */
class ConsoleReporterTest {

  private final StringWriter buffer = new StringWriter();

  private ConsoleReporter reporter(boolean colour) {
    return new ConsoleReporter(new PrintWriter(buffer), colour);
  }

  private List<String> lines() {
    return List.of(buffer.toString().split("\n", -1));
  }

  private static void run(ResultCollector r, String id, String severity, TestExecutionResult result, String warning) {
    TestIdentifier t = Stubs.test(id);
    r.executionStarted(t);
    r.reportingEntryPublished(t, meta(id, severity, "Summary of " + id));
    if (warning != null) r.reportingEntryPublished(t, warning("[" + severity + " " + id + "] " + warning));
    r.executionFinished(t, result);
  }

  @Test
  void printsOneLinePerCheckAsItFinishes() {
    ConsoleReporter r = reporter(false);
    ResultCollector c = new ResultCollector(r); // the run's one listener tells the console
    run(c, "http.status-200", "MUST", TestExecutionResult.successful(), null);
    run(c, "framing.terminated", "MUST",
        TestExecutionResult.failed(new AssertionError("[MUST framing.terminated] dangling bytes\nsecond line")), null);
    run(c, "retry.sane", "SHOULD", TestExecutionResult.successful(), "retry: 0");
    run(c, "id.no-nul", "MUST", TestExecutionResult.aborted(new TestAbortedException("no ids seen")), null);
    c.executionSkipped(Stubs.test(SampleChecks.class, "needsPublishUrl"), "needs a publish URL (--publish-url)");

    assertThat(lines()).containsExactly(
        "PASS  http.status-200  Summary of http.status-200",
        "FAIL  framing.terminated  dangling bytes",
        "WARN  retry.sane  retry: 0",
        "SKIP  id.no-nul  no ids seen",
        "SKIP  delivery.sample-publish  needs a publish URL (--publish-url)",
        "");
  }

  @Test
  void linesAreCutToTheWidthAndControlCharactersCannotReachTheTerminal() {
    ConsoleReporter r = new ConsoleReporter(new PrintWriter(buffer), false, 60);
    ResultCollector c = new ResultCollector(r); // the run's one listener tells the console
    run(c, "data.long", "MUST", TestExecutionResult.failed(new AssertionError("x".repeat(500))), null);
    run(c, "data.esc", "MUST", TestExecutionResult.failed(new AssertionError("server sent \u001B[2J\u0007 here")), null);

    String first = lines().get(0);
    assertThat(first).hasSize(60).startsWith("FAIL  data.long  xxx").endsWith("…");
    assertThat(lines().get(1)).isEqualTo("FAIL  data.esc  server sent \\x1B[2J\\x07 here");
    assertThat(buffer.toString()).doesNotContain("\u001B");
  }

  @Test
  void coloursOnlyTheMarkWhenAsked() {
    ConsoleReporter r = reporter(true);
    ResultCollector c = new ResultCollector(r); // the run's one listener tells the console
    run(c, "framing.terminated", "MUST", TestExecutionResult.failed(new AssertionError("bad")), null);
    run(c, "http.ok", "MUST", TestExecutionResult.successful(), null);
    assertThat(lines().get(0)).isEqualTo("\u001B[31mFAIL\u001B[0m  framing.terminated  bad");
    assertThat(lines().get(1)).startsWith("\u001B[32mPASS\u001B[0m  http.ok");
  }

  @Test
  void aContainerFailureIsPrintedAsAnError() {
    ConsoleReporter r = reporter(false);
    ResultCollector c = new ResultCollector(r); // the run's one listener tells the console
    TestIdentifier container = Stubs.container(SampleChecks.Broken.class);
    c.executionStarted(container);
    c.executionFinished(container, TestExecutionResult.failed(new IllegalStateException("cannot open")));
    assertThat(lines().get(0)).isEqualTo("ERROR  Broken: java.lang.IllegalStateException: cannot open");
  }

  @Test
  void theSummaryListsCountsFailedAndWarnedChecksAndWhereTheReportsAre() {
    reporter(false).printSummary(Fixtures.mixed(), Path.of("build", "reports"));

    String out = buffer.toString();
    assertThat(out).contains("ssekit-conformance 1.2.3 against http://localhost:8080/events?x=1&y=2\n")
        .contains("4 checks in 3.5 s: 1 passed, 1 failed, 1 warned, 1 skipped, 0 info\n")
        .contains("\nFailed (1):\n  FAIL  framing.blank-line-terminates (MUST)\n"
            + "        the last event was never terminated: \"quoted\" & 'single' ]]>\n")
        .contains("\nWarned (1):\n  WARN  retry.sane-value (SHOULD)\n        retry: 0 makes clients reconnect in a tight loop\n")
        .contains("FAILED: 1 check failed\n")
        .contains("Reports in " + Path.of("build", "reports") + ": conformance.html, conformance.json, junit.xml\n")
        .doesNotContain("http.status-200").doesNotContain("id.no-nul");
  }

  @Test
  void theSummaryFitsAScreen() {
    List<CheckResult> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(new CheckResult(String.format("delivery.c%02d", i), null, Severity.MUST, CheckResult.Status.FAILED,
          "word ".repeat(200), List.of(), List.of(), null, null, null, 0));
    }
    reporter(false).printSummary(Fixtures.report(many.toArray(CheckResult[]::new)), null);

    List<String> lines = lines();
    assertThat(lines).hasSizeLessThan(60).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    assertThat(lines).contains("  … and 25 more (see the reports)");
    assertThat(lines.stream().filter(l -> l.startsWith("        word")).count()).as("two lines per message").isEqualTo(30);
    assertThat(buffer.toString()).doesNotContain("Reports in");
  }

  @Test
  void advisoriesAreListedButLeaveTheVerdictAloneAndSeveritiesAreTheDecidingOnes() {
    reporter(false).printSummary(Fixtures.report(Fixtures.info(), Fixtures.warnedBelowItsSeverity(), Fixtures.passed()),
        null);
    assertThat(buffer.toString()).contains("3 checks in 3.5 s: 1 passed, 0 failed, 1 warned, 0 skipped, 1 info\n")
        .contains("\nWarned (1):\n  WARN  reconnect.resume-after-last-event-id (SHOULD, declared MUST)\n"
            + "        the witness comparison did not apply: 2 reused ids\n")
        .contains("\nInfo, neither warnings nor failures (1):\n  INFO  http.h2-offered\n"
            + "        plain http means HTTP/1.1: a browser allows six connections per origin\n")
        .contains("\nPASSED with 1 warning\n");

    buffer.getBuffer().setLength(0);
    reporter(false).printSummary(Fixtures.report(Fixtures.info(), Fixtures.passed()), null);
    assertThat(buffer.toString()).contains("0 skipped, 1 info").contains("\nPASSED\n")
        .doesNotContain("Warned").doesNotContain("with 1 warning");
  }

  @Test
  void theSummarySaysHowTheRunWasMade() {
    CheckResult leftOut = new CheckResult("comments.heartbeat", "comments", Severity.SHOULD, CheckResult.Status.SKIPPED,
        "runs in the full profile", List.of(), List.of(), null, null, null, 0);
    reporter(false).printSummary(Fixtures.report(Fixtures.passed(), leftOut).withRun(new RunReport.Run("quick", true, 3000,
        false, new RunReport.Browser("chromium", "http://h/page", true, 5000), List.of())), null);
    assertThat(buffer.toString()).contains("\nprofile quick, strict, 3s window; 1 check of a larger profile not run\n"
        + "browser view: chromium, 5s, page http://h/page\n2 checks in 3.5 s");
  }

  @Test
  void aCleanRunSummaryIsShort() {
    reporter(false).printSummary(Fixtures.report(Fixtures.passed(), Fixtures.skipped()), null);
    assertThat(buffer.toString()).contains("2 checks in 3.5 s: 1 passed, 0 failed, 0 warned, 1 skipped, 0 info\n\nPASSED\n")
        .doesNotContain("Failed (").doesNotContain("Warned (");
  }
}
