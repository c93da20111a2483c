package dev.ssekit.load.sim;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;

import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The steps every SSE scenario is made of: open a stream, hold it while counting what arrives,
 * close it.
 *
 * <p>No message check is armed: with the unmatched-message buffer on, every message from the
 * first byte after the connect lands in the buffer, and {@code processUnmatchedMessages} drains
 * it on a period ({@code setCheck} would clear it, losing messages between checks).
 */
final class SseChains {
  /**
   * Per-stream cap of Gatling's buffer; past it Gatling silently drops the oldest message, which
   * would count as a loss. Far above what one drain period holds at any sane rate.
   */
  static final int BUFFER = 100_000;

  private SseChains() {}

  /**
   * HTTP protocol: no warm-up request (it would leave loopback), every message buffered, and the
   * connections spread over the given source addresses (Gatling hands them to virtual users in
   * turn), when there are some.
   */
  static HttpProtocolBuilder protocol(RunSettings s) {
    HttpProtocolBuilder p = http.disableWarmUp().sseUnmatchedInboundMessageBufferSize(BUFFER);
    return s.localAddresses().isEmpty() ? p : p.localAddresses(s.localAddresses());
  }

  /**
   * When Gatling starts the virtual users: each step's new ones over the ramp, in whole seconds
   * (all at once when under one second), with the hold between steps. This is the earliest they
   * start; each then waits for its turn in the {@link StepSchedule}, which moves with slow
   * connects.
   */
  static List<OpenInjectionStep> arrivals(RunSettings s) {
    List<OpenInjectionStep> arrivals = new ArrayList<>();
    int before = 0;
    for (int step : s.steps()) {
      int more = step - before;
      arrivals.add(s.effectiveRamp().isZero() ? atOnceUsers(more) : rampUsers(more).during(s.effectiveRamp()));
      if (step != s.connections()) {
        arrivals.add(nothingFor(s.hold()));
      }
      before = step;
    }
    return arrivals;
  }

  /**
   * Wait for this user's turn (its step's start, then its share of the ramp), open the stream (on
   * its instance, with several {@code --urls}); a user whose connect failed is counted and stops here.
   */
  static ChainBuilder connect(LoadRun run) {
    return exec(run::arrive)
        .asLongAs(run::waitingForStep).on(pause(Duration.ofSeconds(1)))
        .pause(run::untilRelease)
        .exec(run::beginConnect)
        .exec(sse("sse connect").get(run::streamUrl))
        .exec(run::endConnect)
        .exitHereIfFailed();
  }

  /** Hold the stream until the run's drain end, draining the buffer every period, then once more. */
  static ChainBuilder holdAndCount(LoadRun run) {
    return holdAndCount(run::holding, run::drain, run.settings().drain());
  }

  /** Hold the stream while {@code holding}, draining the buffer into {@code drain} every period, then once more. */
  static ChainBuilder holdAndCount(
      Function<Session, Boolean> holding,
      BiFunction<List<SseInboundMessage>, Session, Session> drain,
      Duration period) {
    return asLongAs(holding)
        .on(pause(period), sse.processUnmatchedMessages(drain))
        .exec(sse.processUnmatchedMessages(drain));
  }

  /** Close the stream. */
  static ChainBuilder close(LoadRun run) {
    return exec(sse("sse close").close()).exec(run::endClose);
  }
}
