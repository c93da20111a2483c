package dev.ssekit.load.sim;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.http.HttpDsl.sse;

import dev.ssekit.load.measure.StormStats;
import dev.ssekit.load.report.CapacityReport;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The reconnect storm: in the middle of the hold every virtual user drops its stream at the same
 * instant, waits the stream's last {@code retry} hint (as a browser would; none means at once;
 * at most {@link #MAX_RECONNECT_DELAY}) and opens a new one with {@code Last-Event-ID: <the last id
 * it received>} (on the same instance, with several {@code --urls}), while events keep being
 * published. Both streams of a virtual user feed one sequence accounting, so an event the server
 * fails to replay counts as lost and one it replays twice as duplicated.
 *
 * <p>Timeline: ramp; the hold starts when the last connect finishes; the drop is at {@code hold / 2}
 * after that; the new streams hold until the hold's end plus grace (or, if they reconnected later,
 * for grace after reconnecting); then each closes. A reconnect that fails ends that virtual user;
 * the events published after its drop then count as lost, since the client never got them.
 *
 * <p>Gatling's report shows the drop and the reconnect as the requests {@code sse drop} and {@code
 * sse reconnect}; {@code capacity.json} gets {@code reconnects} and {@code recoveryMs}.
 */
final class ReconnectStorm implements ScenarioFigures {
  /** The longest a stream waits before reconnecting, whatever its retry hint says. */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(10);

  /**
   * The last drain is this long before the drop, so that at the drop instant each virtual user
   * only closes (all of them at once, not one after another's drain). What arrives meanwhile is
   * dropped unread with the stream; the last id predates it, so the server must replay it.
   */
  static final Duration LAST_DRAIN_LEAD = Duration.ofMillis(100);

  private static final String STREAM = "ssekit.storm";

  private final LoadRun run;
  private final StormStats stats = new StormStats(MAX_RECONNECT_DELAY);

  private ReconnectStorm(LoadRun run) {
    this.run = run;
  }

  /** The chain between connect and close, for a run whose reports get the storm's figures. */
  static ChainBuilder hold(LoadRun run) {
    ReconnectStorm storm = new ReconnectStorm(run);
    run.setFigures(storm);
    return storm.chain();
  }

  private ChainBuilder chain() {
    return exec(this::join)
        .asLongAs(this::beforeTheLastDrain)
        .on(pause(this::nextPause), sse.processUnmatchedMessages(this::drain))
        .pause(this::untilTheDrop)
        .exec(this::drop)
        .exec(sse("sse drop").close())
        .pause(this::reconnectDelay)
        .exec(this::beginReconnect)
        .doIfOrElse(this::hasLastEventId)
        .then(exec(sse("sse reconnect").get(run::streamUrl).header("Last-Event-ID", this::lastEventId)))
        .orElse(exec(sse("sse reconnect").get(run::streamUrl)))
        .exec(this::endReconnect)
        .exitHereIfFailed()
        .exec(SseChains.holdAndCount(this::holdingAfter, this::drain, run.settings().drain()));
  }

  /** The drop instant (epoch ms): the middle of the hold; later while the connects are unfinished. */
  long dropAtMillis() {
    return run.holdEndMillis() - run.settings().hold().toMillis() / 2;
  }

  // ---- session functions ----

  private Session join(Session session) {
    return session.set(STREAM, stats.stream());
  }

  private long lastDrainAtMillis() {
    return dropAtMillis() - LAST_DRAIN_LEAD.toMillis();
  }

  private boolean beforeTheLastDrain(Session session) {
    return System.currentTimeMillis() < lastDrainAtMillis();
  }

  /** One drain period, or less so that the last one ends at the last drain. */
  private Duration nextPause(Session session) {
    long untilLast = Math.max(0, lastDrainAtMillis() - System.currentTimeMillis());
    return Duration.ofMillis(Math.min(untilLast, run.settings().drain().toMillis()));
  }

  private Duration untilTheDrop(Session session) {
    return Duration.ofMillis(Math.max(0, dropAtMillis() - System.currentTimeMillis()));
  }

  private Session drain(List<SseInboundMessage> messages, Session session) {
    StormStats.Stream s = session.get(STREAM);
    for (SseInboundMessage m : messages) {
      stats.onMessage(s, m.timestamp(), m.message());
    }
    return run.drain(messages, session);
  }

  private Session drop(Session session) {
    stats.dropping(session.get(STREAM));
    return run.streamDown(session);
  }

  private Duration reconnectDelay(Session session) {
    return stats.reconnectDelay(session.get(STREAM));
  }

  private Session beginReconnect(Session session) {
    stats.reconnecting(session.get(STREAM));
    // Only the reconnect's own outcome counts (closing a stream the server had broken marks a KO).
    return session.markAsSucceeded();
  }

  private boolean hasLastEventId(Session session) {
    return lastEventId(session) != null;
  }

  private String lastEventId(Session session) {
    StormStats.Stream s = session.get(STREAM);
    return s.lastEventId();
  }

  private Session endReconnect(Session session) {
    boolean ok = !session.isFailed();
    stats.reconnected(session.get(STREAM), ok);
    return ok ? run.streamUp(session) : run.endClose(session);
  }

  private boolean holdingAfter(Session session) {
    StormStats.Stream s = session.get(STREAM);
    return run.holding(session)
        || System.currentTimeMillis() < s.reconnectedMillis() + run.settings().grace().toMillis();
  }

  // ---- the report ----

  @Override
  public CapacityReport.Connections connections(CapacityReport.Connections measured) {
    StormStats.Result r = stats.result();
    return new CapacityReport.Connections(measured.requested(), measured.opened(), measured.failed(),
        measured.peakOpen(), r.reconnects(), r.recoveryMs());
  }

  @Override
  public Map<String, Histogram> histograms() {
    Map<String, Histogram> m = new LinkedHashMap<>();
    m.put("reconnect", stats.reconnectMicros());
    m.put("recovery", stats.recoveryMicros());
    return m;
  }

  @Override
  public Map<String, Long> diagnostics() {
    return stats.result().diagnostics();
  }

  @Override
  public List<String> summaryLines() {
    StormStats.Result r = stats.result();
    List<String> lines = new ArrayList<>();
    if (r.dropped() == 0) {
      lines.add("  storm        no stream was dropped (none was open at the drop)");
      return lines;
    }
    lines.add(String.format(Locale.ROOT,
        "  storm        %d streams dropped at once (within %d ms), reconnected after %s: %d reconnected, %d failed%s",
        r.dropped(), r.dropSpreadMs(),
        r.longestDelayMs() == 0 ? "no wait (no retry hint)" : "up to " + r.longestDelayMs() + " ms (the retry hint)",
        r.reconnects(), r.failed(),
        r.withoutLastEventId() == 0 ? "" : ", " + r.withoutLastEventId() + " without Last-Event-ID (no id received)"));
    Histogram rec = stats.recoveryMicros();
    Histogram con = stats.reconnectMicros();
    lines.add(String.format(Locale.ROOT,
        "  recovery     drop to first event: p50 %s  p99 %s  max %s ms (%d of %d streams); drop to new stream p99 %s ms",
        ms(rec, 50), ms(rec, 99), ms(rec, 100), r.recovered(), r.dropped(), ms(con, 99)));
    lines.add(r.recoveryMs() != null
        ? "  recovered    every stream had an event again " + r.recoveryMs() + " ms after the drop"
        : "  recovered    NOT every stream: " + (r.dropped() - r.recovered()) + " had no event after the drop");
    lines.add(r.replayed() > 0
        ? "  resume       " + r.replayed() + " events sent before the reconnects arrived on the new streams (the"
            + " server's replay from its history)"
        : "  note: no event sent before the reconnects arrived on the new streams (none was missed, or the server"
            + " did not replay them): resuming was not exercised");
    return lines;
  }

  private static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0
        ? "n/a"
        : String.format(Locale.ROOT, "%.1f", h.getValueAtPercentile(percentile) / 1000.0);
  }
}
