package dev.ssekit.conformance.report;

import static dev.ssekit.conformance.report.Stubs.evidence;
import static dev.ssekit.conformance.report.Stubs.meta;
import static dev.ssekit.conformance.report.Stubs.note;
import static dev.ssekit.conformance.report.Stubs.warning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.report.CheckResult.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestIdentifier;
import org.opentest4j.TestAbortedException;

/** {@link ResultCollector} driven through its listener callbacks with stub identifiers. */
class ResultCollectorTest {

  private final ResultCollector collector = new ResultCollector();

  private CheckResult only() {
    assertThat(collector.results()).hasSize(1);
    return collector.results().get(0);
  }

  @Test
  void aSuccessfulCheckPassesWithItsMetadataEvidenceAndNotes() {
    TestIdentifier t = Stubs.test("status200");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("http.status-200", "MUST", "Answers 200 OK"));
    collector.reportingEntryPublished(t, evidence("status: \"HTTP/1.1 200 OK\""));
    collector.reportingEntryPublished(t, note("headers after 3 ms"));
    collector.reportingEntryPublished(t, evidence("second"));
    collector.executionFinished(t, TestExecutionResult.successful());

    CheckResult r = only();
    assertThat(r.id()).isEqualTo("http.status-200");
    assertThat(r.category()).isEqualTo("http");
    assertThat(r.severity()).isEqualTo(Severity.MUST);
    assertThat(r.status()).isEqualTo(Status.PASSED);
    assertThat(r.message()).isNull();
    assertThat(r.evidence()).containsExactly("status: \"HTTP/1.1 200 OK\"", "second");
    assertThat(r.notes()).containsExactly("headers after 3 ms");
    assertThat(r.summary()).isEqualTo("Answers 200 OK");
    assertThat(r.spec()).endsWith("#http.status-200");
    assertThat(r.rule()).isEqualTo("H-01");
    assertThat(r.durationMs()).isNotNegative();
    assertThat(collector.exitStatus()).isZero();
    assertThat(collector.anyCheckRan()).isTrue();
  }

  @Test
  void aSuccessfulCheckThatPublishedWarningsIsWarnedWithEveryWarning() {
    TestIdentifier t = Stubs.test("retry");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("retry.sane", "SHOULD", "Sane retry"));
    collector.reportingEntryPublished(t, warning("[SHOULD retry.sane] retry: 0"));
    collector.reportingEntryPublished(t, warning("[SHOULD retry.sane] retry: 99999999"));
    collector.executionFinished(t, TestExecutionResult.successful());

    CheckResult r = only();
    assertThat(r.status()).isEqualTo(Status.WARNED);
    assertThat(r.message()).isEqualTo("retry: 0\nretry: 99999999");
    assertThat(r.severity()).isEqualTo(Severity.SHOULD);
    assertThat(r.declaredSeverity()).isEqualTo(Severity.SHOULD);
    assertThat(collector.exitStatus()).as("warnings do not fail a run").isZero();
  }

  @Test
  void aFailedCheckCarriesTheAssertionMessageAndFailsTheRun() {
    TestIdentifier t = Stubs.test("framing");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("framing.terminated", "MUST", "Terminated"));
    collector.reportingEntryPublished(t, warning("an earlier warning"));
    collector.executionFinished(t, TestExecutionResult.failed(new AssertionError("[MUST framing.terminated] saw x")));

    CheckResult r = only();
    assertThat(r.status()).isEqualTo(Status.FAILED);
    assertThat(r.message()).isEqualTo("saw x");
    assertThat(r.severity()).isEqualTo(Severity.MUST);
    assertThat(r.notes()).containsExactly("warning: an earlier warning");
    assertThat(collector.anyCheckFailed()).isTrue();
    assertThat(collector.exitStatus()).isEqualTo(1);
  }

  @Test
  void theReportedSeverityIsTheDecidingViolationsAndTheDeclaredOneIsKept() {
    // A MUST check that could only prove a SHOULD violation warned at SHOULD (and at MAY).
    TestIdentifier warned = Stubs.test("resume");
    collector.executionStarted(warned);
    collector.reportingEntryPublished(warned, meta("reconnect.resume", "MUST", "Resumes"));
    collector.reportingEntryPublished(warned, warning("[MAY reconnect.resume] order not judged"));
    collector.reportingEntryPublished(warned, warning("[SHOULD reconnect.resume] 2 reused ids"));
    collector.executionFinished(warned, TestExecutionResult.successful());
    // A strict run: a MUST check failed on its SHOULD violation, after a MAY warning.
    TestIdentifier failed = Stubs.test("released");
    collector.executionStarted(failed);
    collector.reportingEntryPublished(failed, meta("lifecycle.released", "MUST", "Released"));
    collector.reportingEntryPublished(failed, warning("[MAY lifecycle.released] slow"));
    collector.executionFinished(failed,
        TestExecutionResult.failed(new AssertionError("[SHOULD lifecycle.released] 20 still open")));

    java.util.Map<String, CheckResult> byId = new java.util.HashMap<>();
    collector.results().forEach(r -> byId.put(r.id(), r));
    assertThat(byId.get("reconnect.resume")).extracting(CheckResult::status, CheckResult::severity,
        CheckResult::declaredSeverity, CheckResult::message)
        .containsExactly(Status.WARNED, Severity.SHOULD, Severity.MUST, "order not judged\n2 reused ids");
    assertThat(byId.get("lifecycle.released")).extracting(CheckResult::status, CheckResult::severity,
        CheckResult::declaredSeverity, CheckResult::message)
        .containsExactly(Status.FAILED, Severity.SHOULD, Severity.MUST, "20 still open");
    assertThat(byId.get("lifecycle.released").notes()).containsExactly("warning (MAY): slow");
  }

  @Test
  void aCheckThatEndedWithAnAdvisoryIsInfoAndNeverFailsTheRun() {
    TestIdentifier t = Stubs.test("h2");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("http.h2-offered", "MAY", "HTTP/2"));
    collector.reportingEntryPublished(t, org.junit.platform.engine.reporting.ReportEntry.from(
        dev.ssekit.conformance.checks.Findings.KEY_INFO, "plain http means HTTP/1.1"));
    collector.executionFinished(t, TestExecutionResult.successful());

    CheckResult r = only();
    assertThat(r.status()).isEqualTo(Status.INFO);
    assertThat(r.message()).isEqualTo("plain http means HTTP/1.1");
    assertThat(r.severity()).isEqualTo(Severity.MAY);
    assertThat(collector.exitStatus()).isZero();
    assertThat(collector.report("1", "http://h/", null, Instant.now(), 1).summary())
        .isEqualTo(new RunReport.Summary(0, 0, 0, 0, 1));
  }

  @Test
  void anAdvisoryAfterAWarningLeavesTheCheckWarned() {
    TestIdentifier t = Stubs.test("both");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("http.both", "SHOULD", "Both"));
    collector.reportingEntryPublished(t, warning("[SHOULD http.both] a real problem"));
    collector.reportingEntryPublished(t, org.junit.platform.engine.reporting.ReportEntry.from(
        dev.ssekit.conformance.checks.Findings.KEY_INFO, "and some advice"));
    collector.executionFinished(t, TestExecutionResult.successful());

    CheckResult r = only();
    assertThat(r.status()).isEqualTo(Status.WARNED);
    assertThat(r.message()).isEqualTo("a real problem");
    assertThat(r.notes()).containsExactly("info: and some advice");
  }

  @Test
  void anUnexpectedExceptionFailsWithItsTypeAndRootCauseButNoStackTrace() {
    TestIdentifier t = Stubs.test("crash");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("data.crash", "MUST", "Crash"));
    collector.executionFinished(t, TestExecutionResult.failed(
        new IllegalStateException("recording failed", new java.net.SocketException("Connection reset"))));

    assertThat(only().message())
        .isEqualTo("java.lang.IllegalStateException: recording failed (caused by java.net.SocketException: Connection reset)")
        .doesNotContain("\tat ");
  }

  @Test
  void anAbortedCheckIsSkippedWithTheReason() {
    TestIdentifier t = Stubs.test("ids");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, meta("id.no-nul", "MUST", "No NUL"));
    collector.executionFinished(t, TestExecutionResult.aborted(new TestAbortedException("Assumption failed: no ids seen")));

    CheckResult r = only();
    assertThat(r.status()).isEqualTo(Status.SKIPPED);
    assertThat(r.message()).isEqualTo("no ids seen");
    assertThat(r.id()).isEqualTo("id.no-nul");
  }

  @Test
  void aDisabledCheckIsSkippedWithItsIdentityReadFromTheAnnotation() {
    collector.executionSkipped(Stubs.test(SampleChecks.class, "fullProfileOnly"), "runs in the full profile");

    CheckResult r = only();
    assertThat(r.id()).isEqualTo("lifecycle.sample-full-only");
    assertThat(r.category()).isEqualTo("lifecycle");
    assertThat(r.severity()).isEqualTo(Severity.SHOULD);
    assertThat(r.summary()).isEqualTo("Keeps streams open past 100 s");
    assertThat(r.spec()).isEqualTo(SampleChecks.SPEC + "#sse-processing-model");
    assertThat(r.rule()).isEqualTo("-");
    assertThat(r.status()).isEqualTo(Status.SKIPPED);
    assertThat(r.message()).isEqualTo("runs in the full profile");
    assertThat(r.durationMs()).isZero();
    assertThat(collector.anyCheckRan()).as("a disabled check did not run").isFalse();
    assertThat(collector.exitStatus()).isZero();
  }

  @Test
  void aTestThatIsNotACheckIsReportedUnderItsJUnitName() {
    TestIdentifier t = Stubs.test(ResultCollectorTest.class, "aTestThatIsNotACheckIsReportedUnderItsJUnitName");
    collector.executionStarted(t);
    collector.reportingEntryPublished(t, org.junit.platform.engine.reporting.ReportEntry.from("value", "hello"));
    collector.executionFinished(t, TestExecutionResult.successful());

    CheckResult r = only();
    assertThat(r.id()).isEqualTo("ResultCollectorTest#aTestThatIsNotACheckIsReportedUnderItsJUnitName");
    assertThat(r.category()).isEqualTo(CheckResult.OTHER);
    assertThat(r.severity()).isNull();
    assertThat(r.notes()).containsExactly("value: hello");
  }

  @Test
  void aFailedContainerIsAProblemNotACheck() {
    TestIdentifier c = Stubs.container(SampleChecks.Broken.class);
    collector.executionStarted(c);
    collector.executionFinished(c, TestExecutionResult.failed(new IllegalStateException("cannot open")));

    assertThat(collector.results()).isEmpty();
    assertThat(collector.anyContainerFailed()).isTrue();
    assertThat(collector.problems()).containsExactly(
        new RunReport.Problem("Broken", "java.lang.IllegalStateException: cannot open"));
    assertThat(collector.exitStatus()).as("no check failed").isZero();
    assertThat(collector.anyCheckRan()).isFalse();
  }

  @Test
  void aSuccessfulContainerAddsNothing() {
    TestIdentifier c = Stubs.container(SampleChecks.class);
    collector.executionStarted(c);
    collector.executionFinished(c, TestExecutionResult.successful());
    assertThat(collector.results()).isEmpty();
    assertThat(collector.anyContainerFailed()).isFalse();
  }

  @Test
  void eachCheckEndsAtMostOnce() {
    TestIdentifier t = Stubs.test("twice");
    collector.executionStarted(t);
    collector.executionFinished(t, TestExecutionResult.successful());
    collector.executionFinished(t, TestExecutionResult.failed(new AssertionError("late")));
    assertThat(only().status()).isEqualTo(Status.PASSED);
  }

  @Test
  void theReportOrdersChecksByCategoryThenIdAndCountsThem() {
    for (String id : List.of("lifecycle.a", "http.z", "retry.b", "http.a", "framing.c", "other-thing")) {
      TestIdentifier t = Stubs.test(id);
      collector.executionStarted(t);
      if (id.contains(".")) collector.reportingEntryPublished(t, meta(id, "MUST", id));
      collector.executionFinished(t, TestExecutionResult.successful());
    }
    Instant started = Instant.parse("2026-01-02T03:04:05Z");
    RunReport report = collector.report("9.9", "http://h/e", "http://h/p", started, 77);

    assertThat(report.checks()).extracting(CheckResult::id)
        .containsExactly("http.a", "http.z", "framing.c", "retry.b", "lifecycle.a", "other-thing()");
    assertThat(report.toolName()).isEqualTo(RunReport.TOOL_NAME);
    assertThat(report.toolVersion()).isEqualTo("9.9");
    assertThat(report.url()).isEqualTo("http://h/e");
    assertThat(report.publishUrl()).isEqualTo("http://h/p");
    assertThat(report.startedAt()).isEqualTo(started);
    assertThat(report.durationMs()).isEqualTo(77);
    assertThat(report.summary()).isEqualTo(new RunReport.Summary(6, 0, 0, 0));
  }

  @Test
  void checksReportingFromManyThreadsAtOnceAreAllCollectedWithTheirOwnEntries() throws Exception {
    int threads = 16;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int n = 0; n < threads; n++) {
        int thread = n;
        futures.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            String id = "delivery.t" + thread + "-" + i;
            TestIdentifier t = Stubs.test(id);
            collector.executionStarted(t);
            collector.reportingEntryPublished(t, meta(id, "MUST", id));
            collector.reportingEntryPublished(t, evidence("from " + id));
            if (i % 5 == 0) collector.reportingEntryPublished(t, warning("warn " + id));
            collector.executionFinished(t, i % 7 == 0
                ? TestExecutionResult.failed(new AssertionError("fail " + id)) : TestExecutionResult.successful());
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : futures) f.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    List<CheckResult> results = collector.results();
    assertThat(results).hasSize(threads * perThread);
    for (CheckResult r : results) {
      assertThat(r.evidence()).containsExactly("from " + r.id());
      int i = Integer.parseInt(r.id().substring(r.id().indexOf('-') + 1));
      Status expected = i % 7 == 0 ? Status.FAILED : i % 5 == 0 ? Status.WARNED : Status.PASSED;
      assertThat(r.status()).as(r.id()).isEqualTo(expected);
    }
    assertThat(collector.exitStatus()).isEqualTo(1);
  }
}
