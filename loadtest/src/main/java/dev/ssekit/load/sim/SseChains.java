package dev.ssekit.load.sim;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
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

  /** HTTP protocol: no warm-up request (it would leave loopback), every message buffered. */
  static HttpProtocolBuilder protocol() {
    return http.disableWarmUp().sseUnmatchedInboundMessageBufferSize(BUFFER);
  }

  /** Connections open over the ramp, in whole seconds (all at once when under one second). */
  static OpenInjectionStep arrivals(RunSettings s) {
    return s.effectiveRamp().isZero()
        ? atOnceUsers(s.connections())
        : rampUsers(s.connections()).during(s.effectiveRamp());
  }

  /** Open the stream; a user whose connect failed is counted and stops here. */
  static ChainBuilder connect(LoadRun run) {
    return exec(run::beginConnect)
        .exec(sse("sse connect").get(run.settings().url().toString()))
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
