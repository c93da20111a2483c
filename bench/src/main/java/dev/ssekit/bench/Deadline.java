package dev.ssekit.bench;

import java.time.Duration;

/**
 * The bound on a whole {@link HoldConnections} run ({@code --deadline}): every wait of the run
 * ends at the sooner of its own timeout and this instant.
 */
final class Deadline {

  private final long nanos;

  /** The instant {@code length} after {@code startNanos} ({@link System#nanoTime()}). */
  Deadline(long startNanos, Duration length) {
    this.nanos = startNanos + length.toNanos();
  }

  boolean passed() {
    return System.nanoTime() - nanos >= 0;
  }

  /** The {@link System#nanoTime()} at which a wait of {@code d} starting now must end. */
  long until(Duration d) {
    return Math.min(nanos, System.nanoTime() + d.toNanos());
  }

  /** Sleeps {@code d}, or less when the deadline comes first. */
  void sleep(Duration d) throws InterruptedException {
    long until = until(d);
    long left;
    while ((left = until - System.nanoTime()) > 0) Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
  }
}
