package dev.ssekit.load.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * When each virtual user may connect and when each step is measured, decided as the run goes
 * rather than fixed in advance, so slow connects (a busy injector, a slow server) never cut a
 * step short or let the next one start early.
 *
 * <p>Step {@code k} holds {@code steps[k]} connections. Its gate opens (step 0: at the start;
 * step k: when step k-1's window ends), then its new virtual users are released evenly over
 * {@code ramp}. Its measuring window starts once every one of its connect attempts has finished
 * (or {@code ramp + connectBound} after its gate, whichever is first) and lasts {@code hold}. The
 * last window's end is the end of the hold; {@code onHoldEnd} hears it once.
 *
 * <p>Thread-safe: virtual users call it from Gatling's threads.
 */
final class StepSchedule {
  private static final long UNKNOWN = -1;

  private final List<Integer> steps;
  private final long rampMillis;
  private final long holdMillis;
  private final long boundMillis;
  private final LongConsumer onHoldEnd;
  private final long[] gate;
  private final long[] windowStart;
  private final AtomicInteger nextIndex = new AtomicInteger();
  /** The step whose window has not started yet (steps.size() when all have). */
  private volatile int current;
  /** When the current step's window starts at the latest, or UNKNOWN. */
  private volatile long currentDeadline;

  StepSchedule(List<Integer> steps, Duration ramp, Duration hold, Duration connectBound, long startMillis, LongConsumer onHoldEnd) {
    this.steps = List.copyOf(steps);
    this.rampMillis = ramp.toMillis();
    this.holdMillis = hold.toMillis();
    this.boundMillis = connectBound.toMillis();
    this.onHoldEnd = onHoldEnd;
    this.gate = new long[steps.size()];
    this.windowStart = new long[steps.size()];
    java.util.Arrays.fill(gate, UNKNOWN);
    java.util.Arrays.fill(windowStart, UNKNOWN);
    gate[0] = startMillis;
    currentDeadline = startMillis + rampMillis + boundMillis;
  }

  /** The latest the hold can end: every step taking its whole connect bound. */
  long holdEndBound(long startMillis) {
    return startMillis + steps.size() * (rampMillis + boundMillis + holdMillis);
  }

  /** A fresh virtual user's index, 0-based, in connect order. */
  int assign() {
    return nextIndex.getAndIncrement();
  }

  /** The step a virtual user belongs to. */
  int stepOf(int index) {
    for (int k = 0; k < steps.size(); k++) {
      if (index < steps.get(k)) {
        return k;
      }
    }
    return steps.size() - 1;
  }

  /** Whether this user's step gate has not opened yet (it should wait and ask again). */
  synchronized boolean gateUnknown(int index) {
    return gate[stepOf(index)] == UNKNOWN;
  }

  /** When this user may connect (epoch ms): its step's gate plus its share of the ramp. */
  synchronized long releaseAt(int index) {
    int k = stepOf(index);
    int before = k == 0 ? 0 : steps.get(k - 1);
    int count = steps.get(k) - before;
    return gate[k] + (rampMillis * (index - before)) / count;
  }

  /** A connect attempt finished; {@code attempts} have finished so far. */
  void attempted(long attempts, long nowMillis) {
    int k = current;
    if (k < steps.size() && attempts >= steps.get(k)) {
      startWindow(k, nowMillis);
    }
  }

  /**
   * Called often: starts the current window if its connects are overdue. The unlocked read is
   * only a cheap filter; the deadline is checked again, for the same step, under the lock (two
   * threads may both see step k overdue; the second must not then start step k+1).
   */
  void tick(long nowMillis) {
    long deadline = currentDeadline;
    if (deadline != UNKNOWN && nowMillis >= deadline) {
      startWindow(-1, nowMillis);
    }
  }

  /** Starts step {@code k}'s window now, or (k = -1) the current step's if its deadline passed. */
  private void startWindow(int k, long nowMillis) {
    long holdEnd = UNKNOWN;
    synchronized (this) {
      if (k < 0) {
        if (currentDeadline == UNKNOWN || nowMillis < currentDeadline) {
          return;
        }
        k = current;
      }
      if (k != current || k >= steps.size() || gate[k] == UNKNOWN) {
        return;
      }
      windowStart[k] = nowMillis;
      current = k + 1;
      if (k + 1 < steps.size()) {
        gate[k + 1] = nowMillis + holdMillis;
        currentDeadline = gate[k + 1] + rampMillis + boundMillis;
      } else {
        currentDeadline = UNKNOWN;
        holdEnd = nowMillis + holdMillis;
      }
    }
    if (holdEnd != UNKNOWN) {
      onHoldEnd.accept(holdEnd);
    }
  }

  /** The measuring windows of the steps that started, as {from, to} epoch ms. */
  synchronized List<long[]> windows() {
    List<long[]> out = new ArrayList<>();
    for (int k = 0; k < steps.size() && windowStart[k] != UNKNOWN; k++) {
      out.add(new long[] {windowStart[k], windowStart[k] + holdMillis});
    }
    return out;
  }
}
