package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The per-connection resume judgement on exact bytes (what the client had before the drop, what
 * the resumed connection got), for the outcomes a live server rarely produces on cue: the
 * SHOULD-level suspicions inside the MUST check, and an id-only block echoing the cursor, which
 * is no repeat. The live servers are in {@link PerConnectionResumeTest}.
 */
class UnwitnessedResumeTest {

  static final String BEFORE = "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n";

  /** Sample checks (not named *Checks, so the suite's own package scan never runs them). */
  @ExtendWith(SseExtension.class)
  static class Samples {
    private static void judge(Findings f, String resumed) {
      Cursors before = Cursors.of(recording(BEFORE, null));
      UnwitnessedResume.judge(f, before.finalCursor, before, recording(resumed, before.finalCursor), "a test");
    }

    @SseCheck(id = "reconnect.sample-reused", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, summary = "sample")
    void reused(Findings f) {
      judge(f, "id: 1\ndata: another\n\nid: 4\ndata: d\n\n");
    }

    @SseCheck(id = "reconnect.sample-backwards", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, summary = "sample")
    void backwards(Findings f) {
      judge(f, "id: 5\ndata: e\n\nid: 4\ndata: d\n\n");
    }

    @SseCheck(id = "reconnect.sample-repeat", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, summary = "sample")
    void repeat(Findings f) {
      judge(f, "id: 2\ndata: b\n\nid: 4\ndata: d\n\n");
    }

    @SseCheck(id = "reconnect.sample-repeat-across-reconnects", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID,
        summary = "sample")
    void repeatAcrossReconnects(Findings f) {
      // The resumed stream, followed across the server's end: its second connection starts with the first's last event.
      Cursors before = Cursors.of(recording(BEFORE, null));
      Cursors first = Cursors.of(recording("id: 4\ndata: d\n\nid: 5\ndata: e\n\n", "3"));
      Cursors second = Cursors.of(recording("id: 5\ndata: e\n\nid: 6\ndata: f\n\n", "5"));
      List<DispatchedEvent> got = new java.util.ArrayList<>(first.ownIds);
      got.addAll(second.ownIds);
      UnwitnessedResume.judge(f, before.finalCursor, before, got, new byte[0], "a test");
    }

    @SseCheck(id = "reconnect.sample-echo", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, summary = "sample")
    void echo(Findings f) {
      // An id-only block echoing the cursor, then an event without an id: nothing dispatched twice.
      judge(f, "id: 3\n\ndata: d\n\nid: 5\ndata: e\n\n");
    }
  }

  static Recording recording(String body, String lastEventIdSent) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<Recording.Chunk> chunks = List.of(new Recording.Chunk(Duration.ZERO, bytes));
    URI url = URI.create("http://127.0.0.1:9/events");
    return new Recording(url, url, 200, "HTTP/1.1", List.of(new Recording.Header("Content-Type", "text/event-stream")),
        Duration.ZERO, chunks, chunks, Recording.End.EOF, null, lastEventIdSent, Duration.ZERO, true);
  }

  @Test
  void suspicionsWarnAtShouldAndRepeatsFailAtMust() {
    EngineExecutionResults r = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Target.URL, "http://127.0.0.1:9/events")
        .selectors(selectClass(Samples.class)).execute();
    Map<String, TestExecutionResult> results = new HashMap<>();
    r.testEvents().finished().stream().forEach(e -> results.put(method(e), e.getRequiredPayload(TestExecutionResult.class)));
    Map<String, String> warnings = new HashMap<>();
    r.allEvents().reportingEntryPublished().stream().forEach(e -> {
      String w = e.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(Findings.KEY_WARNING);
      if (w != null) warnings.merge(method(e), w, (a, b) -> a + "\n" + b);
    });

    assertThat(results.get("reused").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(warnings.get("reused")).startsWith("[SHOULD reconnect.sample-reused] The witness comparison did not apply: a test")
        .contains("reused id(s)").contains("{id \"1\", type \"message\", data \"another\"}").doesNotContain("\"4\"");

    assertThat(results.get("backwards").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(warnings.get("backwards")).startsWith("[SHOULD reconnect.sample-backwards]")
        .contains("the ids go backwards: [\"4\" after \"5\"]");

    TestExecutionResult repeat = results.get("repeat");
    assertThat(repeat.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    assertThat(repeat.getThrowable().orElseThrow().getMessage()).startsWith("[MUST reconnect.sample-repeat]")
        .contains("repeated what the client already had: [{id \"2\", type \"message\", data \"b\"}]");
    assertThat(warnings).doesNotContainKey("repeat");

    TestExecutionResult across = results.get("repeatAcrossReconnects");
    assertThat(across.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    assertThat(across.getThrowable().orElseThrow().getMessage())
        .contains("repeated what the client already had: [{id \"5\", type \"message\", data \"e\"}]");

    assertThat(results.get("echo").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(warnings).doesNotContainKey("echo");
  }

  private static String method(Event e) {
    return ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName();
  }
}
