package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * S-01 against a witness: {@code reconnect.resume-after-last-event-id}. A witness connection stays
 * open while a test connection takes an id {@code k} and drops; events happen while it is away
 * (the check's own when it can publish, the server's otherwise); the client comes back with
 * {@code Last-Event-ID: k} and is followed as EventSource follows a stream, across the server's
 * ends. What the check published while the client was away must come back once each; what the
 * witness saw after {@code k} must be what the resumed stream got. Streams that are not one
 * broadcast are judged without the witness ({@link UnwitnessedResume}).
 */
final class Resume {
  private Resume() {}

  /** How long to wait for the first id on the test connection. */
  static final Duration FIRST_ID_WINDOW = Duration.ofSeconds(10);
  /** How long to record after reconnecting. */
  static final Duration RESUME_WINDOW = Duration.ofSeconds(6);
  /** How many events past the cursor the resumed connection should see before it stops. */
  static final int RESUME_EVENTS = 6;

  static void afterLastEventId(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = Publishing.runId();
    Recorder.Session witness = recorder.open(Recorder.Request.of(target,
        FIRST_ID_WINDOW.plus(RESUME_WINDOW).plusSeconds(20)));
    try {
      if (!witness.awaitHead()) {
        findings.notApplicable("the witness connection got no response head: the http checks report why");
      }
      Cursors tc = testConnection(target, recorder, findings, run);
      String k = tc.finalCursor;
      // While T is away, events happen: ours when we can publish, the server's own otherwise.
      int published = 0;
      if (target.publishUrl() != null) {
        for (int i = 1; i <= 3; i++) {
          if (publishQuietly(recorder, "{\"data\":\"ssekit resume " + run + " " + i + "\"}")) published++;
        }
      } else {
        Thread.sleep(1000);
      }
      int want = Math.max(RESUME_EVENTS, published + 3);
      int away = published;
      // With a publish URL, one more event once reconnected: the stream is ordered, so when it arrives
      // the replay is over and the wait can end.
      String probe = "ssekit resume " + run + " " + (published + 1);
      // Followed as EventSource does: a server that ends the resumed stream after an event or two (after a retry)
      // and resumes again by Last-Event-ID loses nothing for a browser, so the judgement spans the reconnects.
      BrowserStream resumed = BrowserStream.follow(recorder, Recorder.Request.of(target, RESUME_WINDOW).withLastEventId(k),
          // With the check's own events, only the closing one ends the wait: other checks publish at the same
          // time, and a count of events could stop before the replay reached the last of ours.
          arrivals -> away > 0 ? arrivals.stream().anyMatch(a -> a.event().data().contains(probe))
              : arrivals.size() >= want);
      if (published > 0 && resumed.awaitHead()) publishQuietly(recorder, "{\"data\":\"" + probe + "\"}");
      BrowserStream.Followed after = resumed.await();
      Thread.sleep(300); // let the witness catch up with what T saw last
      witness.stop();
      Recording w = witness.await();

      judge(findings, run, published, tc, w, after, k);
    } finally {
      witness.stop();
    }
  }

  /**
   * The test connection, until the stream's first id (or, with a publish URL, until the check's own
   * event arrived without one): what the client had before it drops. Not applicable without an id.
   */
  private static Cursors testConnection(Target target, Recorder recorder, Findings findings, String run)
      throws InterruptedException {
    // Until the first id, or until our own published event arrived without one (the server sends no ids).
    String greeting = "ssekit resume " + run + " 0";
    Recorder.Session t = recorder.open(Recorder.Request.of(target, FIRST_ID_WINDOW)
        .until(events -> events.stream().anyMatch(e -> !e.lastEventId().isEmpty() || e.data().contains(greeting))));
    boolean greeted = false;
    if (t.awaitHead() && target.publishUrl() != null) {
      // A server that only speaks when spoken to gets one event, so it has an id to give. Once it is
      // published, the wait is the delivery probe's: a greeting that never comes ends it, not the 10 s window.
      greeted = publishQuietly(recorder, "{\"data\":\"ssekit resume " + run + " 0\"}");
      if (greeted && !t.awaitEnd(DeliveryProbe.WAIT)) t.stop();
    }
    Recording before = t.await();
    if (before.status() != 200) {
      findings.notApplicable("the test connection got " + Describe.head(before) + ": the http checks report it");
    }
    Cursors tc = Cursors.of(before);
    if (tc.finalCursor.isEmpty()) {
      if (before.end() == Recording.End.EOF && before.bodyLength() == 0) {
        findings.notApplicable("the test connection was answered 200 and ended at once with an empty body: nothing "
            + "to resume from (the delivery checks report a server that serves no events)");
      }
      boolean ownArrived = tc.events.stream().anyMatch(e -> e.data().contains(greeting));
      if (!ownArrived && greeted) {
        boolean inBytes = new String(before.body(), java.nio.charset.StandardCharsets.UTF_8).contains(greeting);
        findings.notApplicable("no id, and the event this check published " + (inBytes ? "reached the stream's bytes "
            + "but was never dispatched (nothing ended it with a blank line)" : "did not arrive") + " within "
            + DeliveryProbe.WAIT.toSeconds() + " s: nothing to resume from (the delivery checks report why)");
      }
      findings.notApplicable("the server sent no ids " + (ownArrived ? "(the event this check published arrived "
          + "without one)" : "within " + FIRST_ID_WINDOW.toSeconds() + " s")
          + ": nothing to resume from (a server without ids is not a failure)");
    }
    return tc;
  }

  /** Judges the resumed stream {@code after} (from {@code k}) on the events published while away and the witness {@code w}. */
  private static void judge(Findings findings, String run, int published, Cursors tc, Recording w,
      BrowserStream.Followed after, String k) {
    findings.note("cursor k = " + Findings.escape(k) + "; test connection saw " + tc.events.size()
        + " event(s) before dropping; " + published + " event(s) published while it was away"
        + (after.reconnects() > 0 ? "; the server ended the resumed stream and the client reconnected "
        + after.reconnects() + " time(s), as a browser does (" + after.summary() + ")" : ""));
    if (after.connections().isEmpty() || !after.opened()) {
      resumeRefused(findings, after, k);
      return;
    }
    Cursors wc = Cursors.of(w);
    Cursors ac = Cursors.of(after);
    Own own = published > 0 ? lostWhileAway(findings, run, published, tc, wc, after, k) : Own.NOT_CARRIED;
    if (own == Own.VIOLATION) return;
    String noWitness = UnwitnessedResume.whyNoWitness(tc, wc, ac, k);
    if (noWitness != null) {
      // Not one broadcast (per-connection events or ids): judge the resumed stream on its own.
      findings.evidence("witness ids: " + Describe.ids(wc.events, 40));
      UnwitnessedResume.judge(findings, k, tc, ac.ownIds, after.bodies(), noWitness);
      return;
    }
    int anchor = wc.eventsAfterFirst(k);
    List<DispatchedEvent> expected = wc.events.subList(anchor, wc.events.size());
    findings.note("after k the witness saw " + expected.size() + " event(s); the resumed connection saw "
        + after.events().size());
    if (expected.isEmpty() && own == Own.ALL_BACK) {
      nothingRepeated(findings, k, published, tc, w, after);
    } else {
      asTheWitnessSaw(findings, k, wc, anchor, w, after);
    }
  }

  /** The reconnect with {@code k} did not get a stream: a browser gives up for good. */
  private static void resumeRefused(Findings findings, BrowserStream.Followed after, String k) {
    if (after.connections().isEmpty()) {
      findings.notApplicable("the tool could not follow the resumed stream: " + after.why());
    }
    findings.evidence("resumed response bytes", after.first().body());
    findings.violation("reconnecting with Last-Event-ID " + Findings.escape(k) + " (an id this server sent "
        + "moments earlier) got " + Describe.head(after.first()) + ": a browser's EventSource fails the connection "
        + "and never comes back");
  }

  /**
   * Every event published while away came back, and the witness saw nothing else after {@code k}:
   * with nothing to compare, what the client already had must still not come again.
   */
  private static void nothingRepeated(Findings findings, String k, int published, Cursors tc, Recording w,
      BrowserStream.Followed after) {
    List<DispatchedEvent> again = after.events().stream().filter(tc.events::contains).toList();
    if (!again.isEmpty()) {
      findings.evidence("resumed bytes", after.bodies());
      findings.violation("after reconnecting with Last-Event-ID " + Findings.escape(k) + " the server sent again "
          + "what the client already had: " + Describe.event(again.get(0)) + (again.size() > 1 ? " and " + (again.size() - 1)
          + " more" : "") + ": a browser dispatches it twice (replay must start after the id, not at it or before)");
      return;
    }
    findings.note("the witness saw nothing after id " + Findings.escape(k) + " (" + Describe.end(w) + "); the "
        + published + " events this check published while the client was away each came back once");
  }

  /**
   * S-01 against the witness: the resumed stream's events are the witness's after {@code k}
   * (from {@code anchor}), none missing, none repeated, same order.
   */
  private static void asTheWitnessSaw(Findings findings, String k, Cursors wc, int anchor, Recording w,
      BrowserStream.Followed after) {
    List<DispatchedEvent> expected = wc.events.subList(anchor, wc.events.size());
    List<DispatchedEvent> got = after.events();
    if (expected.isEmpty()) {
      findings.notApplicable("no events followed id " + Findings.escape(k)
          + " within the window: nothing to compare the resumed stream with");
    }
    if (got.isEmpty()) {
      evidence(findings, expected, got, w, after);
      findings.violation("after reconnecting with Last-Event-ID " + Findings.escape(k)
          + " the connection received no events in " + RESUME_WINDOW.toSeconds() + " s, while the witness saw "
          + expected.size() + " after that id (first: " + Describe.event(expected.get(0)) + "): a browser would lose them");
      return;
    }
    int n = Math.min(expected.size(), got.size());
    for (int i = 0; i < n; i++) {
      if (!expected.get(i).equals(got.get(i))) {
        evidence(findings, expected, got, w, after);
        // What the first divergence means for a browser, then AssertJ's element-by-element diff.
        findings.assertThat(got.subList(0, n)).as("resuming after id %s diverges from the witness at event #%d: %s."
            + " The resumed connection's events, against the witness's after that id", Findings.escape(k), i,
            diagnose(wc.events, anchor, i, got.get(i))).containsExactlyElementsOf(expected.subList(0, n));
        return;
      }
    }
    if (got.size() > expected.size()) {
      findings.note("the resumed connection saw " + (got.size() - expected.size())
          + " event(s) more than the witness recorded; compared the first " + n);
    }
    findings.note("resumed stream equals the witness's " + n + " event(s) after " + Findings.escape(k)
        + ": ids " + Describe.ids(got.subList(0, n), 12));
  }

  /** What {@link #lostWhileAway} found. */
  enum Own {
    /** A loss or a repeat, reported. */
    VIOLATION,
    /** Every event published while away came back once. */
    ALL_BACK,
    /** The stream never carried the check's events: not judged. */
    NOT_CARRIED
  }

  /**
   * Judges the events this check published while the client was away, with or without a witness:
   * on a stream that carries them (the witness or the client saw one), each must arrive once after
   * the resume, across however many reconnects the resumed stream took.
   */
  private static Own lostWhileAway(Findings findings, String run, int published, Cursors tc, Cursors wc,
      BrowserStream.Followed after, String k) {
    String prefix = "ssekit resume " + run + " ";
    boolean carried = tc.events.stream().anyMatch(e -> e.data().contains(prefix))
        || wc.events.stream().anyMatch(e -> e.data().contains(prefix));
    if (!carried) {
      findings.note("the stream never carried the events this check published, so they cannot be judged "
          + "(a per-connection stream, or a publish URL for another stream)");
      return Own.NOT_CARRIED;
    }
    List<String> missing = new ArrayList<>();
    List<String> repeated = new ArrayList<>();
    for (int i = 1; i <= published; i++) {
      String mine = prefix + i;
      long n = after.events().stream().filter(e -> e.data().contains(mine) && !e.data().contains(mine + "0")).count();
      if (n == 0) missing.add(String.valueOf(i));
      if (n > 1) repeated.add(String.valueOf(i));
    }
    if (missing.isEmpty() && repeated.isEmpty()) return Own.ALL_BACK;
    findings.evidence("resumed bytes", after.bodies());
    findings.evidence("witness ids: " + Describe.ids(wc.events, 40));
    String across = after.reconnects() > 0 ? " (followed across " + after.reconnects() + " reconnect(s))" : "";
    if (!missing.isEmpty()) {
      findings.violation((missing.size() == published ? "none of the " + published + " events this check published "
          + "while the client was away was" : missing.size() + " of the " + published + " events this check "
          + "published while the client was away " + (missing.size() == 1 ? "was" : "were") + " not")
          + " replayed after it reconnected with Last-Event-ID " + Findings.escape(k) + across + " (missing: #"
          + String.join(", #", missing) + "): a browser that loses its connection for a moment silently loses "
          + "what was published meanwhile. Keep recent events (with their ids) and, when a client comes back with "
          + "Last-Event-ID, send it the ones after that id before the live stream");
    } else {
      findings.violation("events this check published while the client was away arrived more than once after it "
          + "reconnected with Last-Event-ID " + Findings.escape(k) + across + " (#" + String.join(", #", repeated)
          + "): a browser would show them twice");
    }
    return Own.VIOLATION;
  }

  /** Says what a divergence at index {@code i} of the resumed stream means. */
  private static String diagnose(List<DispatchedEvent> witness, int anchor, int i, DispatchedEvent got) {
    int at = witness.indexOf(got); // the same event: id, type and data
    if (at < 0) {
      return "that event never appeared on the witness connection (the resumed stream carries something else)";
    }
    int expectedAt = anchor + i;
    if (at < expectedAt) {
      return (expectedAt - at) + " event(s) repeated: the browser already had " + Describe.event(got)
          + " and would show it twice (replay starts too early, e.g. at the id itself instead of after it)";
    }
    return (at - expectedAt) + " event(s) missing: a browser would never see " + Describe.event(witness.get(expectedAt))
        + (at - expectedAt > 1 ? " and the next " + (at - expectedAt - 1) : "") + " (replay starts too late, or none)";
  }

  private static void evidence(Findings findings, List<DispatchedEvent> expected, List<DispatchedEvent> got,
      Recording w, BrowserStream.Followed after) {
    findings.evidence("witness after k (ids): " + Describe.ids(expected, 40));
    findings.evidence("resumed (ids): " + Describe.ids(got, 40));
    findings.evidence("resumed bytes", after.bodies());
    findings.evidence("witness bytes", w.body());
  }

  /** Publishes {@code json} on a connection of its own; true when the server accepted it. */
  private static boolean publishQuietly(Recorder recorder, String json) {
    try {
      return recorder.publishAlone(json).status() / 100 == 2;
    } catch (IOException e) {
      return false;
    }
  }
}
