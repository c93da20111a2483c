package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connection lifecycle: streams stay open, the tool stays bounded. Whether abandoned streams are
 * let go is {@link ReleaseChecks}' question (it runs alone).
 */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class LifecycleChecks {

  @SseCheck(id = "lifecycle.stream-stays-open", severity = Severity.SHOULD, rule = "L-02", spec = Spec.AUTHORING,
      summary = "The server keeps the stream open for the whole recording window")
  void staysOpen(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
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

  @SseCheck(id = "lifecycle.no-fixed-age-cut", severity = Severity.SHOULD, rule = "L-02", spec = Spec.AUTHORING,
      profile = Target.Profile.FULL,
      summary = "A stream is not cut at a fixed age (30, 60 and 100 s are common server and proxy timeouts)")
  void noFixedAgeCut(Target target, Recorder recorder, Findings f) throws InterruptedException {
    Duration window = Duration.ofSeconds(110);
    Recording r = recorder.record(Recorder.Request.of(target, window).withMaxBytes(64L << 20));
    if (!r.responded() || r.status() != 200) f.notApplicable("no stream: " + (r.responded() ? r.status() : r.end()));
    f.note("held " + r.duration().toSeconds() + " s, ended by " + r.end());
    if (r.end() == Recording.End.EOF || r.end() == Recording.End.ERROR) {
      long age = r.duration().toSeconds();
      String hint = Math.abs(age - 30) <= 2 ? " (30 s: a servlet async timeout, as in Spring MVC's default)"
          : Math.abs(age - 60) <= 3 ? " (60 s: nginx proxy_read_timeout or a load balancer's idle timeout)"
          : Math.abs(age - 100) <= 5 ? " (100 s: Cloudflare's proxy timeout)" : "";
      f.violation("the stream was cut after " + age + " s" + hint + ": every client reconnects at that age, and"
          + " loses events unless the server resumes by id");
    }
  }
}
