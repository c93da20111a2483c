package dev.ssekit.load.measure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What a reconnect storm measures, shared across the virtual users: when each stream was dropped,
 * when its new stream's response head arrived (reconnect time) and when its first event after the
 * drop arrived (recovery time), reconnects that failed, and how many events the new streams
 * carried that had been sent before they were asked for (the server's replay from its history).
 *
 * <p>Gatling reconnects by itself only after a mid-stream network error, and never reports it; so
 * the storm drops and reconnects each stream itself, as a browser would after a network blip:
 * it remembers the last {@code id} received (from the raw messages, in arrival order), waits the
 * stream's last {@code retry} hint (none: reconnects at once; capped), and sends {@code
 * Last-Event-ID}. Loss and duplication across the drop are counted by the connection's one
 * {@link SequenceTracker}, which both streams feed.
 *
 * <p>Thread-safety: histograms and counters are concurrent; each {@link Stream} is used by its own
 * virtual user only.
 */
public final class StormStats {
  private final long maxDelayMillis;

  private final ConcurrentHistogram reconnectMicros = new ConcurrentHistogram(DeliveryStats.MAX_MICROS, 3);
  private final ConcurrentHistogram recoveryMicros = new ConcurrentHistogram(DeliveryStats.MAX_MICROS, 3);
  private final LongAdder dropped = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder failedReconnects = new LongAdder();
  private final LongAdder recovered = new LongAdder();
  private final LongAdder withoutLastEventId = new LongAdder();
  private final LongAdder replayed = new LongAdder();
  private final AtomicLong firstDropMillis = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastDropMillis = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastRecoveryMillis = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong longestDelayMillis = new AtomicLong();

  /** @param maxDelay the longest a stream waits before reconnecting, whatever its retry hint */
  public StormStats(Duration maxDelay) {
    this.maxDelayMillis = maxDelay.toMillis();
  }

  private enum Phase { HOLDING, DROPPED, RECONNECTING, RECONNECTED, RECOVERED, FAILED }

  /** One virtual user's side of the storm. Not thread-safe: its virtual user only. */
  public static final class Stream {
    private Phase phase = Phase.HOLDING;
    private String lastEventId;
    private long retryMillis = -1;
    private long dropMillis;
    private long dropNanos;
    private long reconnectStartMicros;
    private long reconnectedMillis;
    private boolean countingReplay;

    /** The id to send as {@code Last-Event-ID}, or {@code null} for none (no id seen, or reset). */
    public String lastEventId() {
      return lastEventId == null || lastEventId.isEmpty() ? null : lastEventId;
    }

    /** When the new stream's head arrived (epoch ms), or 0 before. */
    public long reconnectedMillis() {
      return reconnectedMillis;
    }
  }

  /** A new virtual user's stream, not yet dropped. */
  public Stream stream() {
    return new Stream();
  }

  /**
   * One message, on either stream, in arrival order.
   *
   * @param receivedMillis when Gatling decoded it (epoch ms)
   * @param message Gatling's JSON form of the block
   */
  public void onMessage(Stream s, long receivedMillis, String message) {
    ResumeFields f = ResumeFields.of(message);
    if (f.id() != null) {
      s.lastEventId = f.id();
    }
    if (f.retryMillis() >= 0) {
      s.retryMillis = f.retryMillis();
    }
    if (!f.hasData()) {
      return;
    }
    if (s.phase == Phase.RECONNECTED) {
      s.phase = Phase.RECOVERED;
      recovered.increment();
      recoveryMicros.recordValue(clamp((receivedMillis - s.dropMillis) * 1000));
      lastRecoveryMillis.accumulateAndGet(receivedMillis, Math::max);
    }
    if (s.countingReplay) {
      // Replayed: sent before the new stream was asked for, so it can only have come from the
      // server's history. The replay ends at the first event sent later.
      long sentAt = InboundEvent.parse(message).sentAtMicros();
      if (sentAt >= 0 && sentAt < s.reconnectStartMicros) {
        replayed.increment();
      } else {
        s.countingReplay = false;
      }
    }
  }

  /** The virtual user drops its stream now. */
  public void dropping(Stream s) {
    s.phase = Phase.DROPPED;
    s.dropNanos = System.nanoTime();
    s.dropMillis = System.currentTimeMillis();
    dropped.increment();
    firstDropMillis.accumulateAndGet(s.dropMillis, Math::min);
    lastDropMillis.accumulateAndGet(s.dropMillis, Math::max);
  }

  /** How long this stream waits before reconnecting: its last retry hint (capped), else nothing. */
  public Duration reconnectDelay(Stream s) {
    long d = Math.min(Math.max(s.retryMillis, 0), maxDelayMillis);
    longestDelayMillis.accumulateAndGet(d, Math::max);
    return Duration.ofMillis(d);
  }

  /** The virtual user starts its new stream now. */
  public void reconnecting(Stream s) {
    s.phase = Phase.RECONNECTING;
    s.reconnectStartMicros = System.currentTimeMillis() * 1000;
    if (s.lastEventId() == null) {
      withoutLastEventId.increment();
    }
  }

  /** The new stream's connect finished: its response head arrived ({@code ok}), or it failed. */
  public void reconnected(Stream s, boolean ok) {
    if (!ok) {
      s.phase = Phase.FAILED;
      failedReconnects.increment();
      return;
    }
    s.phase = Phase.RECONNECTED;
    s.reconnectedMillis = System.currentTimeMillis();
    s.countingReplay = true;
    reconnects.increment();
    reconnectMicros.recordValue(clamp((System.nanoTime() - s.dropNanos) / 1000));
  }

  private static long clamp(long micros) {
    return Math.max(0, Math.min(DeliveryStats.MAX_MICROS, micros));
  }

  /** Drop to new response head, per stream, in µs. */
  public Histogram reconnectMicros() {
    return reconnectMicros;
  }

  /** Drop to first event on the new stream, per stream, in µs. */
  public Histogram recoveryMicros() {
    return recoveryMicros;
  }

  /** The storm's figures so far. */
  public Result result() {
    long d = dropped.sum();
    long rec = recovered.sum();
    Long recoveryMs = d > 0 && rec == d ? lastRecoveryMillis.get() - firstDropMillis.get() : null;
    Long spread = d > 0 ? lastDropMillis.get() - firstDropMillis.get() : null;
    return new Result(d, reconnects.sum(), failedReconnects.sum(), rec, recoveryMs, spread,
        longestDelayMillis.get(), withoutLastEventId.sum(), replayed.sum());
  }

  /**
   * @param dropped streams dropped
   * @param reconnects new streams whose response head arrived
   * @param failed new streams that did not open
   * @param recovered new streams that received an event
   * @param recoveryMs from the first drop until the last stream's first event after it; {@code
   *     null} unless every dropped stream recovered
   * @param dropSpreadMs from the first drop to the last (how "at once" the storm was)
   * @param longestDelayMs the longest wait before a reconnect (the retry hint)
   * @param withoutLastEventId reconnects sent without {@code Last-Event-ID} (no id received)
   * @param replayed events delivered on new streams that were sent before those were asked for
   *     (from the server's history: what the stream missed, plus any repeats)
   */
  public record Result(
      long dropped,
      long reconnects,
      long failed,
      long recovered,
      Long recoveryMs,
      Long dropSpreadMs,
      long longestDelayMs,
      long withoutLastEventId,
      long replayed) {

    /** Counters for {@code histograms.json}. */
    public Map<String, Long> diagnostics() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("stormDropped", dropped);
      m.put("stormReconnectsFailed", failed);
      m.put("stormRecovered", recovered);
      m.put("stormDropSpreadMs", dropSpreadMs);
      m.put("stormReconnectDelayMs", longestDelayMs);
      m.put("stormWithoutLastEventId", withoutLastEventId);
      m.put("stormReplayedEvents", replayed);
      return m;
    }
  }
}
