package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether a published event reaches the stream at all, asked once per run before the first
 * delivery check: one plain event on a fresh stream. When it does not (publishing refused, the
 * event never arriving), the first delivery check to run fails with that cause and the others are
 * skipped naming it, instead of nine checks each waiting out their windows and each blaming
 * something else. When it does, its latency sets how long a step waits for an event.
 */
final class DeliveryProbe {
  private DeliveryProbe() {}

  /** How long the probe event may take. */
  static final Duration WAIT = Duration.ofSeconds(4);

  /** The outcome: {@code problem} null when the event arrived, after {@code latencyMillis}. */
  record Outcome(String problem, long latencyMillis, String streamProblem, boolean subscribeRace) {

    Outcome(String problem, long latencyMillis, String streamProblem) {
      this(problem, latencyMillis, streamProblem, false);
    }

    /** A slow server (events take over {@link Lockstep#SLOW}) that showed no subscription race. */
    boolean slowWithoutRace() {
      return latencyMillis > Lockstep.SLOW.toMillis() && !subscribeRace;
    }
  }

  private static final Map<Recorder, Outcome> OUTCOMES = Collections.synchronizedMap(new WeakHashMap<>());
  private static final Map<Recorder, String> REPORTED_BY = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The probe's outcome for this run (measured on first use). When published events do not reach
   * the stream, the first check to ask fails with the cause and every later one is skipped.
   */
  static Outcome require(Target target, Recorder recorder, Findings findings, String checkId)
      throws InterruptedException {
    Outcome o;
    synchronized (OUTCOMES) {
      o = OUTCOMES.get(recorder);
      if (o == null) {
        o = measure(target, recorder);
        OUTCOMES.put(recorder, o);
      }
    }
    if (o.streamProblem() != null) {
      findings.notApplicable("the stream did not open: " + o.streamProblem() + " (the http checks report it)");
    }
    if (o.problem() == null) return o;
    String first = REPORTED_BY.putIfAbsent(recorder, checkId);
    if (first != null && !first.equals(checkId)) {
      findings.notApplicable("not judged: " + o.problem() + " (reported by " + first + ")");
    }
    findings.violation(o.problem());
    return o;
  }

  private static Outcome measure(Target target, Recorder recorder) throws InterruptedException {
    String marker = "ssekit-" + Publishing.runId() + "-probe";
    BrowserStream s = BrowserStream.follow(recorder, Recorder.Request.of(target, WAIT.plusSeconds(Recorder.HEAD_TIMEOUT
        .toSeconds())), Publishing.seen(marker));
    if (!s.awaitHead()) {
      BrowserStream.Followed f = s.stopAndAwait();
      return new Outcome(null, 0, Describe.head(f.first()));
    }
    long sent = s.elapsedNanos();
    Recorder.Published p = Publishing.publish(recorder, Publishing.json("data", marker));
    if (!Publishing.accepted(p)) {
      s.stop();
      return new Outcome("publishing a plain event {\"data\":\"" + marker + "\"} to " + target.publishUrl()
          + " was refused (" + Publishing.answer(p) + "): the delivery checks cannot publish (check --publish-url "
          + "and --publish-header)", 0, null);
    }
    // An event published the instant the head arrives can miss a server that subscribes the stream a moment
    // later (Jetty's EventSourceServlet adds the emitter in onOpen): a second one, a second later, settles it.
    boolean arrived = s.awaitArrivals(Publishing.seen(marker), Duration.ofSeconds(1));
    long sentSecond = -1;
    if (!arrived && !s.ended()) {
      sentSecond = s.elapsedNanos();
      Publishing.publish(recorder, Publishing.json("data", marker + "-again"));
      arrived = s.awaitArrivals(Publishing.seen(marker), WAIT.minusSeconds(1));
    }
    BrowserStream.Followed f = s.stopAndAwait();
    if (!arrived && f.stop() == BrowserStream.Stop.FAILED && f.why() != null) {
      return new Outcome("a plain event published to " + target.publishUrl() + " never reached the stream: " + f.why()
          + "; " + f.summary(), 0, null);
    }
    if (!arrived && contains(f.bodies(), marker)) {
      return new Outcome("a plain event published to " + target.publishUrl() + " reached the stream's bytes but a "
          + "browser never dispatched it: the event is not ended with a blank line (an empty line after its "
          + "fields), so a browser keeps waiting for the rest of it; end every event with an empty line", 0, null);
    }
    if (!arrived) {
      return new Outcome("a plain event published to " + target.publishUrl() + " ({\"data\":\"" + marker + "\"}, "
          + "accepted with " + p.status() + ") never reached the stream within " + WAIT.toSeconds() + " s ("
          + f.events().size() + " other event(s) did; " + f.summary() + "): the publish URL feeds another stream, "
          + "or the server holds events back", 0, null);
    }
    BrowserStream.Arrival first = f.arrivals().stream().filter(a -> a.event().data().contains(marker)).findFirst()
        .orElseThrow();
    boolean again = first.event().data().contains(marker + "-again");
    long from = again ? sentSecond : sent;
    return new Outcome(null, Math.max(0, first.atNanos() - from) / 1_000_000, null, again);
  }

  private static boolean contains(byte[] body, String text) {
    return new String(body, java.nio.charset.StandardCharsets.UTF_8).contains(text);
  }

  /** How long a lockstep step waits for its marker, from the probe's latency: generous, but bounded. */
  static Duration stepWait(Outcome o) {
    long ms = Math.max(600, Math.min(Lockstep.STEP_WAIT.toMillis(), o.latencyMillis() * 10 + 400));
    return Duration.ofMillis(ms);
  }
}
