package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
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
      summary = "Streams the clients dropped are released: the server's sockets return to their baseline"
          + " (counted when --server-pid is given) and new streams are answered promptly")
  void abandonedStreams(Target target, Recorder recorder, Findings f) throws InterruptedException {
    int n = target.profile() == Target.Profile.FULL ? 200 : 50;
    ServerSockets sockets = target.serverPid() == null ? null : new ServerSockets(target.serverPid());
    Integer baseline = sockets == null ? null : sockets.count();
    List<Recorder.Session> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) sessions.add(recorder.open(Recorder.Request.of(target, Duration.ofSeconds(10))));
    int opened = 0;
    for (Recorder.Session s : sessions) if (s.awaitHead()) opened++;
    Integer held = sockets == null ? null : sockets.count();
    for (Recorder.Session s : sessions) s.stop();
    for (Recorder.Session s : sessions) s.await();
    if (sockets != null && baseline != null && held != null) {
      // Other checks run alongside: allow their few connections, and give the server time to notice.
      int slack = 20;
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      int after = sockets.count();
      while (after > baseline + slack && System.nanoTime() < deadline) {
        Thread.sleep(250);
        after = sockets.count();
      }
      f.note("server sockets: " + baseline + " before, " + held + " with " + opened + " streams held, " + after
          + " after they were dropped");
      f.require(after <= baseline + slack, "the server still holds " + (after - baseline) + " more sockets than before,"
          + " 15 s after " + opened + " clients dropped their streams: closed connections are not released (leak)");
    }
    Recording next = recorder.record(Recorder.Request.of(target, Duration.ofMillis(500)));
    f.note(opened + " of " + n + " streams opened and dropped; the next stream answered " + next.status() + " after "
        + (next.headersAfter() == null ? "-" : next.headersAfter().toMillis() + " ms"));
    f.require(next.status() == 200 && next.headersAfter() != null
            && next.headersAfter().compareTo(Duration.ofSeconds(2)) <= 0,
        "after " + n + " clients dropped their streams the server answered a new one with " + next.status()
            + (next.error() == null ? "" : " (" + next.error() + ")") + ": dropped connections are not released");
  }

  /** Counts a local process's open sockets through /proc (Linux). */
  static final class ServerSockets {
    private final java.nio.file.Path fds;

    ServerSockets(long pid) {
      this.fds = java.nio.file.Path.of("/proc", Long.toString(pid), "fd");
    }

    /** Open sockets now, or null when the process cannot be inspected. */
    Integer count() {
      try (var list = java.nio.file.Files.list(fds)) {
        return (int) list.filter(p -> {
          try {
            return java.nio.file.Files.readSymbolicLink(p).toString().startsWith("socket:");
          } catch (java.io.IOException | UnsupportedOperationException gone) {
            return false;
          }
        }).count();
      } catch (java.io.IOException e) {
        return null;
      }
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
