package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.protocol.DispatchedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes payloads one at a time on a followed stream, each followed by a plain marker event
 * ({@code {"data":"ssekit-RUN-step-K"}}), and waits for the marker before the next. Because a
 * stream is ordered, whatever arrived between marker K-1 and marker K is what the server wrote for
 * payload K (events the server adds of its own aside), so each payload is judged by position even
 * when the server drops or rewrites the event name; and when the server ends the stream, the step
 * says which payload it was publishing. A correct server takes milliseconds a step; the waits are
 * bounded, and once the stream is dead (a reconnect refused) or silent, the remaining steps are
 * not run.
 */
final class Lockstep {
  private Lockstep() {}

  /** How long a step waits for its marker. */
  static final Duration STEP_WAIT = Duration.ofMillis(2500);
  /** Consecutive steps without any event after which the stream counts as silent. */
  static final int SILENT_STEPS = 2;

  /** One payload to publish: a label for messages and its JSON body (data, event?, id?). */
  record Item(String label, String data, String json) {}

  /**
   * What one step saw.
   *
   * @param answer the answer to the payload's publish
   * @param markerAccepted whether the marker publish was accepted
   * @param markerSeen whether the marker arrived in time
   * @param endedDuring how many connections the server ended while this step ran
   * @param arrived the events dispatched between the previous marker and this one (markers excluded)
   */
  record Step(int index, Item item, Recorder.Published answer, boolean markerAccepted, boolean markerSeen,
      int endedDuring, List<BrowserStream.Arrival> arrived) {}

  /**
   * A whole run.
   *
   * @param steps the steps run, in order (fewer than the items when the stream died or fell silent)
   * @param followed the followed stream, every connection and event
   * @param stoppedBecause why steps stopped early, or null
   */
  record Result(List<Step> steps, BrowserStream.Followed followed, String stoppedBecause, String run) {

    /** The first step during which the server ended the stream, or null. */
    Step firstTeardown() {
      for (Step s : steps) if (s.endedDuring() > 0) return s;
      return null;
    }
  }

  static String marker(String run, int k) {
    return "ssekit-" + run + "-step-" + k;
  }

  /** The start of a stop reason that is the tool's bound, not the server's doing. */
  static final String TOOL_WINDOW = "the check's time window ran out";

  /** A run waits for markers one by one for this long at most; then it publishes the rest without waiting. */
  static final Duration BUDGET = Duration.ofSeconds(5);
  /** A server slower than this to deliver one event is run in batch from the start. */
  static final Duration SLOW = Duration.ofMillis(250);

  /**
   * Runs {@code items} in lockstep on a stream of {@code target}, each step waiting up to
   * {@code stepWait} for its marker; not applicable when the stream does not open. Past
   * {@link #BUDGET} (a slow or lossy server), the remaining items and their markers are published
   * back to back and only the last marker is waited for: still judged by position, but a teardown
   * among them is no longer pinned to one payload.
   */
  static Result run(Target target, Recorder recorder, String run, List<Item> items, Findings findings,
      DeliveryProbe.Outcome probe) throws InterruptedException {
    Duration stepWait = DeliveryProbe.stepWait(probe);
    boolean slow = probe.latencyMillis() > SLOW.toMillis();
    // Room for the ready events (up to three waits), the budget, the silence rule and the publishes themselves.
    Duration window = BUDGET.plus(stepWait.multipliedBy(SILENT_STEPS + 2L + Publishing.READY_TRIES))
        .plusSeconds(items.size() / 2 + 2);
    BrowserStream s = Publishing.follow(recorder, Recorder.Request.of(target, window), null, findings);
    Publishing.ready(List.of(s), recorder, run, stepWait, probe);
    StepsPublished published = publishInSteps(s, recorder, run, items, stepWait, slow);
    if (slow) {
      findings.note("the server took " + probe.latencyMillis() + " ms to deliver one event: the payloads were "
          + "published back to back, not one at a time");
    } else if (published.batch()) {
      findings.note("the server was slow: after " + BUDGET.toSeconds() + " s the remaining payloads were published "
          + "without waiting for each");
    }
    BrowserStream.Followed f = s.stopAndAwait();
    return new Result(attribute(published, f.arrivals(), run), f, published.stopped(), run);
  }

  /**
   * The steps as published, before the events are attributed to them.
   *
   * @param endedBefore per step, how many connections the server had ended when it began
   * @param endedAfter per step, how many when it was over (the same as before for a step not waited for)
   * @param stopped why steps stopped early, or null
   * @param batch whether the steps (from some point on) were published without waiting for each
   */
  private record StepsPublished(List<Step> steps, List<Integer> endedBefore, List<Integer> endedAfter, String stopped,
      boolean batch) {}

  /**
   * Publishes each item and then its marker, waiting for the marker while the budget lasts (a
   * {@code slow} server: never), and stops early when the stream ended for good, a marker was
   * refused, or nothing at all arrived for {@link #SILENT_STEPS} steps.
   */
  private static StepsPublished publishInSteps(BrowserStream s, Recorder recorder, String run, List<Item> items,
      Duration stepWait, boolean slow) throws InterruptedException {
    long budgetEnd = System.nanoTime() + BUDGET.toNanos();
    List<Step> steps = new ArrayList<>();
    List<Integer> endedBefore = new ArrayList<>();
    List<Integer> endedAfter = new ArrayList<>();
    int silent = 0;
    boolean batch = slow;
    for (int k = 0; k < items.size(); k++) {
      if (s.ended()) {
        return new StepsPublished(steps, endedBefore, endedAfter, s.stopReason() == BrowserStream.Stop.WINDOW
            ? TOOL_WINDOW + " before payload #" + k + " (the server is slow)"
            : "the stream ended for good before payload #" + k + ": " + s.arrivalsSoFar().size() + " event(s) "
            + "had arrived", batch);
      }
      batch |= System.nanoTime() > budgetEnd;
      int before = s.connectionsEnded();
      int arrivalsBefore = s.arrivalsSoFar().size();
      Recorder.Published answer = Publishing.publish(recorder, items.get(k).json());
      Recorder.Published m = Publishing.publish(recorder, Publishing.json("data", marker(run, k)));
      boolean last = k == items.size() - 1;
      boolean seen = Publishing.accepted(m) && (!batch || last)
          && s.awaitArrivals(Publishing.seen(marker(run, k)), batch ? stepWait.multipliedBy(2) : stepWait);
      endedBefore.add(before);
      // A step not waited for (batch) cannot say which payload a stream end followed: none is blamed.
      endedAfter.add(batch && !last ? before : s.connectionsEnded());
      steps.add(new Step(k, items.get(k), answer, Publishing.accepted(m), seen, 0, List.of()));
      if (!Publishing.accepted(m)) {
        return new StepsPublished(steps, endedBefore, endedAfter, "publishing the plain marker event {\"data\":\""
            + marker(run, k) + "\"} was refused (" + Publishing.answer(m) + ")", batch);
      }
      if (batch) continue;
      // A step during which the server ended the stream is explained (the client was reconnecting), not silent.
      silent = seen || s.arrivalsSoFar().size() > arrivalsBefore || s.connectionsEnded() > before ? 0 : silent + 1;
      if (silent >= SILENT_STEPS) {
        return new StepsPublished(steps, endedBefore, endedAfter, "no event at all arrived for " + SILENT_STEPS
            + " steps in a row (" + stepWait.toMillis() * SILENT_STEPS + " ms): the stream delivers nothing", batch);
      }
    }
    return new StepsPublished(steps, endedBefore, endedAfter, null, batch);
  }

  /**
   * Gives each step the events that arrived after the previous step's marker and before its own
   * (markers and nudges aside), and how many connections the server ended while it ran.
   */
  private static List<Step> attribute(StepsPublished published, List<BrowserStream.Arrival> all, String run) {
    List<Step> judged = new ArrayList<>();
    int from = 0; // after the last ready marker: what came before the first step is not a payload's
    for (int i = 0; i < all.size(); i++) if (all.get(i).event().data().contains(Publishing.readyMarker(run))) from = i + 1;
    for (Step st : published.steps()) {
      int to = indexOf(all, marker(run, st.index()), from);
      boolean seenAtAll = to >= 0;
      int end = seenAtAll ? to : nextMarker(all, run, from);
      List<BrowserStream.Arrival> arrived = new ArrayList<>();
      for (int i = from; i < end; i++) {
        DispatchedEvent e = all.get(i).event();
        if (!isMarker(e, run) && !isNudge(e)) arrived.add(all.get(i));
      }
      judged.add(new Step(st.index(), st.item(), st.answer(), st.markerAccepted(), seenAtAll,
          published.endedAfter().get(st.index()) - published.endedBefore().get(st.index()), arrived));
      // A missing marker leaves the window open to the next one: the next step looks at the same events too
      // (an exact match settles each payload; anything else in it is ambiguous, and both say so).
      if (seenAtAll) from = to + 1;
    }
    return judged;
  }

  /** The first event at or after {@code from} carrying exactly {@code marker} (not a longer step number). */
  private static int indexOf(List<BrowserStream.Arrival> all, String marker, int from) {
    for (int i = from; i < all.size(); i++) {
      String d = all.get(i).event().data();
      for (int at = d.indexOf(marker); at >= 0; at = d.indexOf(marker, at + 1)) {
        int after = at + marker.length();
        if (after >= d.length() || !Character.isDigit(d.charAt(after))) return i;
      }
    }
    return -1;
  }

  /** The index of the next marker of this run at or after {@code from}, or the end. */
  private static int nextMarker(List<BrowserStream.Arrival> all, String run, int from) {
    for (int i = from; i < all.size(); i++) if (isMarker(all.get(i).event(), run)) return i;
    return all.size();
  }

  private static boolean isMarker(DispatchedEvent e, String run) {
    return e.data().contains("ssekit-" + run + "-step-");
  }

  /** A nudge the recorder published to draw out a held response head: not a payload. */
  private static boolean isNudge(DispatchedEvent e) {
    return e.data().startsWith("ssekit nudge");
  }

  /**
   * Whether a payload itself ends streams: on a fresh stream, marker A, then the payload, then
   * marker B; and the same with a plain event in the payload's place. A server that ends streams
   * every few events ends both or neither; one that fails on the payload ends only the first.
   */
  record Confirmation(boolean payloadEnds, boolean plainEnds) {
    String description() {
      if (payloadEnds && !plainEnds) return "confirmed on a fresh stream: the stream ends when this payload is published, "
          + "and not when a plain event is published in its place";
      if (payloadEnds) return "not the payload: a fresh stream also ends when a plain event is published in its place "
          + "(the server ends streams every few events)";
      return "not reproduced on a fresh stream (the stream ended at this step for another reason)";
    }
  }

  static Confirmation confirmTeardown(Target target, Recorder recorder, Item item, DeliveryProbe.Outcome probe)
      throws InterruptedException {
    String run = Publishing.runId();
    boolean payload = endsStream(target, recorder, run + "a", item.json(), probe);
    boolean plain = endsStream(target, recorder, run + "b", Publishing.json("data", "ssekit-" + run + "-plain"), probe);
    return new Confirmation(payload, plain);
  }

  private static boolean endsStream(Target target, Recorder recorder, String run, String json, DeliveryProbe.Outcome probe)
      throws InterruptedException {
    Duration wait = DeliveryProbe.stepWait(probe);
    BrowserStream s = BrowserStream.follow(recorder, Recorder.Request.of(target, wait.multipliedBy(3)), null);
    try {
      if (!s.awaitHead()) return false;
      String a = marker(run, 0);
      String b = marker(run, 1);
      Publishing.publish(recorder, Publishing.json("data", a));
      if (!s.awaitArrivals(Publishing.seen(a), wait)) return false;
      int before = s.connectionsEnded();
      Publishing.publish(recorder, json);
      Publishing.publish(recorder, Publishing.json("data", b));
      s.awaitArrivals(arrivals -> arrivals.stream().anyMatch(x -> x.connection() == 0 && x.event().data().contains(b)),
          wait);
      return s.connectionsEnded() > before
          && s.arrivalsSoFar().stream().noneMatch(x -> x.connection() == 0 && x.event().data().contains(b));
    } finally {
      s.stop();
    }
  }
}
