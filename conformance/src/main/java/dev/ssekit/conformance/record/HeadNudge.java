package dev.ssekit.conformance.record;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Draws out response heads that a server holds back until its first write. A session still
 * without a head after {@link Recorder#NUDGE_AFTER} has an event published ({@link Recorder#NUDGE_JSON},
 * when the target has a publish URL), at most once a second whoever asks; once a nudge has drawn a
 * head out, the server is known to hold heads and later sessions are nudged after
 * {@link #AGAIN_AFTER}. One per {@link Recorder}, shared by its sessions; thread-safe.
 */
final class HeadNudge {

  /** How soon later streams are nudged once the server is known to hold heads. */
  static final Duration AGAIN_AFTER = Duration.ofMillis(200);

  /** Publishes the nudge; null without a publish URL. */
  private final Runnable publish;
  private final AtomicLong lastNudge = new AtomicLong();
  private final AtomicLong firstNudge = new AtomicLong();
  private final AtomicInteger nudges = new AtomicInteger();
  /** True once a nudge drew out a held head: the server holds heads until its first write. */
  private volatile boolean headsHeld;

  HeadNudge(Runnable publish) {
    this.publish = publish;
  }

  /** See {@link Recorder#nudgedBy}. */
  boolean nudgedBy(long nanos) {
    long first = firstNudge.get();
    return first != 0 && first - nanos <= 0;
  }

  /** How many nudges were published. */
  int count() {
    return nudges.get();
  }

  /**
   * Waits for {@code head} while {@code timeLeftNanos} lasts; past the nudge time without it,
   * nudges, and again while no head comes (another stream's nudge may have come too early for this
   * one). Returns whether the head came.
   *
   * @param status the session's status so far (positive once a response head was read)
   */
  boolean awaitHead(CountDownLatch head, LongSupplier timeLeftNanos, IntSupplier status) throws InterruptedException {
    // Once a nudge has drawn out a held head, this server holds heads: nudge later streams sooner.
    Duration after = headsHeld ? AGAIN_AFTER : Recorder.NUDGE_AFTER;
    if (publish == null || head.await(Math.min(after.toNanos(), timeLeftNanos.getAsLong()), TimeUnit.NANOSECONDS)) {
      return head.await(timeLeftNanos.getAsLong(), TimeUnit.NANOSECONDS);
    }
    boolean mine = false;
    while (timeLeftNanos.getAsLong() > 0) {
      mine |= nudge();
      long wait = Math.min(headsHeld ? AGAIN_AFTER.toNanos() * 2 : 1_000_000_000L, timeLeftNanos.getAsLong());
      if (head.await(wait, TimeUnit.NANOSECONDS)) {
        if (status.getAsInt() > 0 && mine) headsHeld = true;
        return true;
      }
    }
    return head.await(0, TimeUnit.NANOSECONDS);
  }

  /** Publishes the nudge in the background, unless one went out too recently; true when this call sent it. */
  private boolean nudge() {
    long now = System.nanoTime();
    long last = lastNudge.get();
    long spacing = headsHeld ? AGAIN_AFTER.toNanos() : 1_000_000_000L;
    if (last != 0 && now - last < spacing || !lastNudge.compareAndSet(last, now)) return false;
    firstNudge.compareAndSet(0, now);
    nudges.incrementAndGet();
    Thread t = new Thread(publish, "ssekit-nudge");
    t.setDaemon(true);
    t.start();
    return true;
  }
}
