package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.StreamItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reconnection: what a browser's EventSource meets when it comes back with {@code Last-Event-ID}.
 * Resume is checked against a <em>witness</em> connection that stays open while the test
 * connection drops and returns, so it works on any server that sends ids, publish URL or not.
 * Streams that are not one broadcast (each connection its own events or ids) have no witness;
 * {@link UnwitnessedResume} says how they are recognised and judged instead.
 */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class ReconnectChecks {

  // ---------------------------------------------------------------- S-01

  @SseCheck(id = "reconnect.resume-after-last-event-id", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, rule = "S-01",
      summary = "after reconnecting with Last-Event-ID: k the client gets exactly the events after k (as a witness "
          + "connection saw them): none missing, none repeated, same order; on a per-connection stream (no witness) "
          + "nothing received before the drop is repeated and ids do not go backwards")
  void resumeAfterLastEventId(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    Resume.afterLastEventId(target, recorder, findings);
  }

  // ---------------------------------------------------------------- S-02

  @SseCheck(id = "reconnect.unknown-id-still-200", severity = Severity.MUST, spec = Spec.PROCESSING, rule = "H-11/S-02",
      summary = "a Last-Event-ID the server does not know (expired, from another instance, garbage) still gets "
          + "200 text/event-stream")
  void unknownIdStill200(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    List<String> bad = new ArrayList<>();
    String[] ids = {"ssekit-unknown-" + Publishing.runId(), String.valueOf(1_000_000_000_000_000_000L
        + ThreadLocalRandom.current().nextLong(1, 999_999_999_999_999L))};
    for (String id : ids) {
      Recording r = head(recorder, Recorder.Request.of(target, Duration.ofSeconds(3)).withLastEventId(id));
      findings.note("Last-Event-ID " + Findings.escape(id) + " → " + Describe.head(r));
      if (!isEventStream(r)) {
        bad.add(id + " -> " + Describe.head(r));
        if (!r.chunks().isEmpty()) findings.evidence("body for " + id, r.body());
      }
    }
    findings.assertThat(bad).as("unknown Last-Event-IDs not answered with 200 text/event-stream. A browser that"
        + " reconnects with an id the server no longer has (expired history, another instance, a restart) fails the"
        + " connection on any non-200 and never reconnects again; answer 200 and continue (optionally telling the"
        + " client continuity was lost)").isEmpty();
  }

  // ---------------------------------------------------------------- S-06

  @SseCheck(id = "reconnect.empty-last-event-id", severity = Severity.SHOULD, spec = Spec.LAST_EVENT_ID, rule = "S-06",
      summary = "an empty Last-Event-ID header means no cursor: a normal 200 event stream")
  void emptyLastEventId(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    Recording r = head(recorder, Recorder.Request.of(target, Duration.ofSeconds(3)).withLastEventId(""));
    findings.note("Last-Event-ID \"\" → " + Describe.head(r));
    if (!isEventStream(r) && !r.chunks().isEmpty()) findings.evidence("body", r.body());
    findings.require(isEventStream(r), "an empty Last-Event-ID header got " + Describe.head(r)
        + ": an empty header means \"no cursor\" (a client whose last event reset the id sends it), "
        + "and a browser fails the connection for good on anything but 200 text/event-stream");
  }

  // ---------------------------------------------------------------- burst

  @SseCheck(id = "reconnect.burst", severity = Severity.SHOULD, spec = Spec.PROCESSING,
      profile = Target.Profile.STANDARD,
      summary = "a burst of simultaneous reconnects (20; 200 in the full profile) all get 200 event-stream heads "
          + "within the head timeout")
  void burst(Target target, Recorder recorder, PassiveStream passive, Findings findings) throws InterruptedException {
    int n = target.profile() == Target.Profile.FULL ? 200 : 20;
    String lastId = passiveCursor(passive.recording());
    Recorder.Request request = Recorder.Request.of(target, Recorder.HEAD_TIMEOUT.plusSeconds(5));
    if (lastId != null) request = request.withLastEventId(lastId);
    findings.note(n + " simultaneous connections" + (lastId == null ? " without Last-Event-ID (no id on the passive stream)"
        : " with Last-Event-ID " + Findings.escape(lastId)));
    List<Recorder.Session> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) sessions.add(recorder.open(request));
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread th = new Thread(r, "ssekit-burst");
      th.setDaemon(true);
      return th;
    });
    List<Recording> results = new ArrayList<>();
    try {
      List<Future<Recording>> futures = new ArrayList<>();
      for (Recorder.Session s : sessions) {
        futures.add(pool.submit(() -> {
          s.awaitHead();
          s.stop();
          return s.await();
        }));
      }
      long deadline = System.nanoTime() + Recorder.HEAD_TIMEOUT.plusSeconds(15).toNanos();
      for (Future<Recording> f : futures) {
        try {
          results.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (ExecutionException | TimeoutException e) {
          results.add(null);
        }
      }
    } finally {
      for (Recorder.Session s : sessions) s.stop();
      pool.shutdownNow();
    }
    List<String> errors = new ArrayList<>();
    List<Long> headMs = new ArrayList<>();
    int failed = 0;
    for (Recording r : results) {
      if (r != null && r.headersAfter() != null) headMs.add(r.headersAfter().toMillis());
      boolean ok = r != null && isEventStream(r) && r.headersAfter() != null
          && r.headersAfter().compareTo(Recorder.HEAD_TIMEOUT) <= 0;
      if (!ok) {
        failed++;
        if (errors.size() < 5) errors.add(r == null ? "no result (the recorder did not finish)" : Describe.head(r));
      }
    }
    headMs.sort(null);
    if (!headMs.isEmpty()) {
      findings.note("response heads after p50 " + headMs.get(headMs.size() / 2) + " ms, max "
          + headMs.get(headMs.size() - 1) + " ms");
    }
    findings.assertThat(errors).as("the first of %d (of %d) simultaneous reconnects that did not get a 200"
        + " text/event-stream head within %d s. After a deploy or a network blip every client reconnects at once;"
        + " those that get an error stop for good (4xx/5xx) or pile on again", failed, n,
        Recorder.HEAD_TIMEOUT.toSeconds()).isEmpty();
  }

  // ---------------------------------------------------------------- S-05

  @SseCheck(id = "reconnect.retry-before-close", severity = Severity.SHOULD, spec = Spec.PROCESSING, rule = "S-05/L-04",
      summary = "a server that closes the stream has sent a retry field (to pace reconnects) and an id (so clients "
          + "can resume) before it closes")
  void retryBeforeClose(PassiveStream passive, Findings findings) {
    Recording r = passive.recording();
    if (r.status() != 200) {
      findings.notApplicable("the passive stream got " + Describe.head(r) + ": the http checks report it");
    }
    if (r.end() != Recording.End.EOF) {
      findings.notApplicable("the server kept the stream open for the whole " + r.duration().toSeconds()
          + " s window (ended by " + r.end().name().toLowerCase(Locale.ROOT) + ")");
    }
    List<StreamItem> items = r.items();
    Long retry = null;
    for (StreamItem i : items) if (i instanceof Retry h) retry = h.millis();
    String cursor = passiveCursor(r);
    findings.note("the server closed the stream after " + r.duration().toMillis() + " ms; retry "
        + (retry == null ? "never sent" : retry + " ms") + "; last id " + (cursor == null ? "none" : Findings.escape(cursor)));
    List<String> problems = new ArrayList<>();
    if (retry == null) {
      problems.add("no retry field was sent before the close, so every browser comes back after its own default "
          + "delay (about 3 s in Chromium) — all at once after a deploy");
    }
    if (cursor == null) {
      problems.add("no id was sent, so a reconnecting browser has no Last-Event-ID and events published while it "
          + "is away are lost");
    }
    if (!problems.isEmpty()) {
      findings.evidence("stream bytes", r.body());
      findings.violation("the server closed the stream (a browser reconnects): " + String.join("; ", problems));
    }
  }

  // ---------------------------------------------------------------- S-04

  @SseCheck(id = "reconnect.early-cursor", severity = Severity.MAY, spec = Spec.LAST_EVENT_ID, rule = "S-04",
      summary = "an id arrives soon after the stream opens, so a client that drops before the first real event "
          + "can still resume")
  void earlyCursor(PassiveStream passive, Findings findings) {
    Recording r = passive.recording();
    if (r.status() != 200) {
      findings.notApplicable("the passive stream got " + Describe.head(r) + ": the http checks report it");
    }
    EventStreamParser parser = new EventStreamParser(item -> { }, "", EventStreamParser.DEFAULT_MAX_LINE_CHARS,
        EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    Duration head = r.headersAfter() == null ? Duration.ZERO : r.headersAfter();
    for (Recording.Chunk c : r.chunks()) {
      parser.feed(c.bytes());
      if (!parser.lastEventId().isEmpty()) {
        Duration after = c.at().minus(head);
        if (after.isNegative()) after = Duration.ZERO;
        findings.note("first id " + Findings.escape(parser.lastEventId()) + " arrived " + after.toMillis()
            + " ms after the response head");
        findings.require(after.compareTo(Duration.ofSeconds(5)) <= 0, "the first id arrived " + after.toMillis()
            + " ms after the response head: a client that drops before then reconnects without Last-Event-ID and "
            + "misses what was published meanwhile; send an id early (an id-only block moves the cursor without an event)");
        return;
      }
    }
    findings.notApplicable("no id on the passive stream (recorded " + r.duration().toMillis() + " ms, ended by "
        + r.end().name().toLowerCase(Locale.ROOT) + ")");
  }

  // ---------------------------------------------------------------- helpers

  /** Opens {@code request}, waits for the head (bounded), closes, and returns what came. */
  private static Recording head(Recorder recorder, Recorder.Request request) throws InterruptedException {
    Recorder.Session s = recorder.open(request);
    s.awaitHead();
    s.stop();
    return s.await();
  }

  /** True for a 200 whose media type is text/event-stream (parameters allowed). */
  private static boolean isEventStream(Recording r) {
    if (r.status() != 200) return false;
    String ct = r.header("Content-Type");
    return ct != null && ct.split(";", 2)[0].trim().equalsIgnoreCase("text/event-stream");
  }

  /** The cursor a browser would hold after the passive recording, or null when there is none. */
  private static String passiveCursor(Recording r) {
    EventStreamParser p = new EventStreamParser(item -> { }, "", EventStreamParser.DEFAULT_MAX_LINE_CHARS,
        EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    for (Recording.Chunk c : r.chunks()) p.feed(c.bytes());
    return p.lastEventId().isEmpty() ? null : p.lastEventId();
  }
}
