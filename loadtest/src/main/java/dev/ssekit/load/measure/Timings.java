package dev.ssekit.load.measure;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The timing histograms {@link DeliveryStats} keeps, in µs clamped to 0 … {@link
 * DeliveryStats#MAX_MICROS}: connect time, time to the first event, and delivery latency, over
 * the whole run and again per sampling period. Thread-safe: every virtual user records here.
 */
final class Timings {
  private final ConcurrentHistogram latencyMicros = histogram();
  private final ConcurrentHistogram connectMicros = histogram();
  private final ConcurrentHistogram firstEventMicros = histogram();
  /**
   * The same latencies again, per sampling period. Fixed range rather than auto-resizing: an
   * auto-resizing interval histogram once encoded a header narrower than its counts (a resize
   * racing the interval flip), which made the report unreadable.
   */
  private final Recorder latencyPeriod = new Recorder(DeliveryStats.MAX_MICROS, 3);
  private final LongAdder latenciesBelowZero = new LongAdder();

  private static ConcurrentHistogram histogram() {
    return new ConcurrentHistogram(DeliveryStats.MAX_MICROS, 3);
  }

  private static long clamp(long micros) {
    return Math.max(0, Math.min(DeliveryStats.MAX_MICROS, micros));
  }

  /** A connect that opened, {@code micros} after it began. */
  void connect(long micros) {
    connectMicros.recordValue(clamp(micros));
  }

  /** A connection's first event, {@code micros} after its connect began. */
  void firstEvent(long micros) {
    firstEventMicros.recordValue(clamp(micros));
  }

  /** One delivery's latency; below zero (the clock moved) it is counted and recorded as 0. */
  void delivery(long micros) {
    if (micros < 0) {
      latenciesBelowZero.increment();
    }
    long clamped = clamp(micros);
    latencyMicros.recordValue(clamped);
    latencyPeriod.recordValue(clamped);
  }

  /** Deliveries whose latency came out below zero. */
  long latenciesBelowZero() {
    return latenciesBelowZero.sum();
  }

  /** The delivery latencies recorded since the last call. */
  Histogram takePeriodLatency() {
    return latencyPeriod.getIntervalHistogram();
  }

  Histogram latency() {
    return latencyMicros;
  }

  Histogram connect() {
    return connectMicros;
  }

  Histogram firstEvent() {
    return firstEventMicros;
  }
}
