package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connection lifecycle: streams stay open, abandoned streams are let go, the tool stays bounded. */
@ExtendWith(SseExtension.class)
public class LifecycleChecks {

  @SseCheck(id = "lifecycle.stream-stays-open", severity = Severity.SHOULD, rule = "L-02", spec = Spec.AUTHORING,
      summary = "The server keeps the stream open for the whole recording window")
  void staysOpen(PassiveStream stream, Findings f) {
    Recording r = HttpChecks.responded(stream, f);
    if (r.status() != 200) f.notApplicable("no stream: status " + r.status());
    f.note("recorded " + r.duration().toMillis() + " ms, " + r.bodyLength() + " bytes, ended by " + r.end());
    if (r.end() == Recording.End.EOF) {
      f.violation("the server ended the stream after " + r.duration().toMillis() + " ms: every client reconnects"
          + " (after its retry time) and depends on resume to lose nothing");
    }
  }

  @SseCheck(id = "lifecycle.bounded-reading", severity = Severity.MUST, rule = "F-08", spec = Spec.PARSING,
      summary = "The stream could be read within the tool's bounds (head in 10 s, no connection error)")
  void boundedReading(PassiveStream stream, Findings f) {
    Recording r = stream.recording();
    f.note("ended by " + r.end() + " after " + r.duration().toMillis() + " ms, " + r.bodyLength() + " bytes");
    switch (r.end()) {
      case NO_RESPONSE -> f.violation("the server accepted the connection but sent no response head within "
          + Recorder.HEAD_TIMEOUT.toSeconds() + " s: a browser shows a stream stuck in CONNECTING");
      case ERROR -> {
        // A connection that never answered is http.status-200's finding; one that broke off mid-stream is ours.
        if (r.responded()) f.violation("the stream broke off: " + r.error());
      }
      case BYTE_CAP -> f.violation("the server sent more than " + r.bodyLength() + " bytes within "
          + r.duration().toMillis() + " ms: an endless or runaway stream");
      default -> { }
    }
  }

  @SseCheck(id = "lifecycle.abandoned-streams-released", severity = Severity.SHOULD, rule = "L-03",
      spec = Spec.AUTHORING, profile = Target.Profile.STANDARD,
      summary = "After 50 clients open and drop streams, the server still answers new streams promptly")
  void abandonedStreams(Target target, Recorder recorder, Findings f) throws InterruptedException {
    int n = target.profile() == Target.Profile.FULL ? 200 : 50;
    List<Recorder.Session> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) sessions.add(recorder.open(Recorder.Request.of(target, Duration.ofSeconds(10))));
    int opened = 0;
    for (Recorder.Session s : sessions) if (s.awaitHead()) opened++;
    for (Recorder.Session s : sessions) s.stop();
    for (Recorder.Session s : sessions) s.await();
    Recording after = recorder.record(Recorder.Request.of(target, Duration.ofMillis(500)));
    f.note(opened + " of " + n + " streams opened and dropped; the next stream answered " + after.status() + " after "
        + (after.headersAfter() == null ? "-" : after.headersAfter().toMillis() + " ms"));
    f.require(after.status() == 200 && after.headersAfter() != null
            && after.headersAfter().compareTo(Duration.ofSeconds(2)) <= 0,
        "after " + n + " clients dropped their streams the server answered a new one with " + after.status()
            + (after.error() == null ? "" : " (" + after.error() + ")") + ": dropped connections are not released");
  }
}
