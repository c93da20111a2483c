package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.DispatchedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * AssertJ as the checks' assertion engine: a failed {@code f.assertThat(..)} has its check's
 * severity (MUST fails at once, SHOULD warns and goes on, strict SHOULD fails, MAY warns); its
 * message names the check and is the description alone, while AssertJ's comparison (values
 * escaped, cut at 2 KiB) is evidence. And {@code f.info(..)} ends a check as an advisory, a passed
 * test, even strict.
 */
class FindingsAssertionsTest {

  /** Sample checks (not named *Checks, so the suite's own package scan never runs them). */
  @ExtendWith(SseExtension.class)
  static class Samples {
    /** What ran after a failed assertion, per method. */
    static final List<String> reached = java.util.Collections.synchronizedList(new ArrayList<>());

    @SseCheck(id = "http.sample-must", severity = Severity.MUST, spec = Spec.PROCESSING, summary = "sample")
    void must(Findings f) {
      f.assertThat("text/html\r\n").as("the media type (a browser fails the connection)").isEqualTo("text/event-stream");
      reached.add("must");
    }

    @SseCheck(id = "http.sample-should", severity = Severity.SHOULD, spec = Spec.PROCESSING, summary = "sample")
    void should(Findings f) {
      f.assertThat(List.of(1, 2)).as("ids").containsExactly(1, 2);
      f.assertThat(3).as("open streams after the clients left").isZero();
      reached.add("should");
    }

    @SseCheck(id = "reconnect.sample-may", severity = Severity.MAY, spec = Spec.PROCESSING, summary = "sample")
    void may(Findings f) {
      f.assertThat(List.of(new DispatchedEvent("message", "a\nb", "2")))
          .as("the resumed events").containsExactly(new DispatchedEvent("message", "a\nb", "1"));
      reached.add("may");
    }

    @SseCheck(id = "data.sample-undescribed", severity = Severity.SHOULD, spec = Spec.PROCESSING, summary = "sample")
    void undescribed(Findings f) {
      f.assertThat(List.of("x".repeat(3000))).containsExactly("y");
      reached.add("undescribed");
    }

    @SseCheck(id = "http.sample-info", severity = Severity.SHOULD, spec = Spec.PROCESSING, summary = "sample")
    void info(Findings f) {
      f.info("an advisory for nearly every server");
      reached.add("after info");
    }
  }

  private static Map<String, Event> run(boolean strict, Map<String, String> warnings) {
    return run(strict, warnings, new HashMap<>(), new HashMap<>());
  }

  /** Runs the samples; collects each method's warnings, evidence and advisories (one per line). */
  private static Map<String, Event> run(boolean strict, Map<String, String> warnings, Map<String, String> evidence,
      Map<String, String> info) {
    Samples.reached.clear();
    EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Target.URL, "http://127.0.0.1:9/events")
        .configurationParameter(Target.STRICT, Boolean.toString(strict))
        .selectors(selectClass(Samples.class)).execute();
    Map<String, Event> byMethod = new HashMap<>();
    r.testEvents().finished().stream().forEach(e -> byMethod.put(
        ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName(), e));
    r.allEvents().reportingEntryPublished().stream().forEach(e -> {
      ReportEntry entry = e.getPayload(ReportEntry.class).orElseThrow();
      String method = ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName();
      String warning = entry.getKeyValuePairs().get(Findings.KEY_WARNING);
      if (warning != null) warnings.merge(method, warning, (a, b) -> a + "\n" + b);
      String ev = entry.getKeyValuePairs().get(Findings.KEY_EVIDENCE);
      if (ev != null) evidence.merge(method, ev, (a, b) -> a + "\n" + b);
      String advisory = entry.getKeyValuePairs().get(Findings.KEY_INFO);
      if (advisory != null) info.merge(method, advisory, (a, b) -> a + "\n" + b);
    });
    return byMethod;
  }

  private static TestExecutionResult result(Event e) {
    return e.getPayload(TestExecutionResult.class).orElseThrow();
  }

  @Test
  void aFailedAssertionHasItsChecksSeverityAndItsDescriptionAsTheMessage() {
    Map<String, String> warnings = new HashMap<>();
    Map<String, String> evidence = new HashMap<>();
    Map<String, Event> results = run(false, warnings, evidence, new HashMap<>());

    TestExecutionResult must = result(results.get("must"));
    assertThat(must.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    assertThat(must.getThrowable().orElseThrow().getMessage())
        .isEqualTo("[MUST http.sample-must] the media type (a browser fails the connection): was \"text/html\\r\\n\", "
            + "expected \"text/event-stream\"");
    // AssertJ's comparison is evidence, with the values escaped.
    assertThat(evidence.get("must")).startsWith("assertion: ").contains("\"text/html\\r\\n\"")
        .contains("\"text/event-stream\"").doesNotContain("the media type");

    // SHOULD and MAY warn, and the check goes on after the failed assertion.
    assertThat(result(results.get("should")).getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(warnings.get("should")).startsWith("[SHOULD http.sample-should] open streams after the clients left");
    assertThat(evidence.get("should")).startsWith("assertion: ").contains("3");
    assertThat(result(results.get("may")).getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(warnings.get("may")).startsWith("[MAY reconnect.sample-may] the resumed events: was [{id \"2\"");
    assertThat(evidence.get("may")).startsWith("assertion: Expecting actual:")
        .contains("{id \"1\", type \"message\", data \"a\\nb\"}").contains("{id \"2\"");
    assertThat(Samples.reached).containsExactlyInAnyOrder("should", "may", "undescribed");
  }

  @Test
  void anUndescribedAssertionGetsAShortMessageAndItsComparisonIsCut() {
    Map<String, String> warnings = new HashMap<>();
    Map<String, String> evidence = new HashMap<>();
    run(false, warnings, evidence, new HashMap<>());
    String prefix = "[SHOULD data.sample-undescribed] ";
    assertThat(warnings.get("undescribed")).startsWith(prefix + "Expecting actual: [\"xxx").endsWith("…")
        .doesNotContain("\n");
    assertThat(warnings.get("undescribed").length() - prefix.length()).isLessThanOrEqualTo(Findings.MAX_SHORT_MESSAGE);
    assertThat(evidence.get("undescribed")).startsWith("assertion: ").contains("more bytes)");
    assertThat(evidence.get("undescribed").getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isLessThan(Findings.MAX_EVIDENCE_BYTES + 100);
  }

  @Test
  void infoEndsTheCheckAsAPassedTestWithTheAdvisoryEvenStrict() {
    for (boolean strict : new boolean[] {false, true}) {
      Map<String, String> warnings = new HashMap<>();
      Map<String, String> info = new HashMap<>();
      Map<String, Event> results = run(strict, warnings, new HashMap<>(), info);
      assertThat(result(results.get("info")).getStatus()).as("strict " + strict)
          .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
      assertThat(info.get("info")).isEqualTo("an advisory for nearly every server");
      assertThat(warnings).doesNotContainKey("info");
      assertThat(Samples.reached).doesNotContain("after info");
    }
  }

  @Test
  void strictTurnsAFailedShouldAssertionIntoAFailure() {
    Map<String, String> warnings = new HashMap<>();
    Map<String, Event> results = run(true, warnings);
    TestExecutionResult should = result(results.get("should"));
    assertThat(should.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    assertThat(should.getThrowable().orElseThrow().getMessage())
        .startsWith("[SHOULD http.sample-should] open streams after the clients left: was 3, expected 0");
    assertThat(warnings).doesNotContainKey("should");
    assertThat(Samples.reached).containsExactly("may");
  }
}
