package dev.ssekit.conformance.checks;

import java.util.HashSet;
import java.util.Set;

/**
 * Something on the server that counts its open connections, for
 * {@code lifecycle.abandoned-streams-released} ({@link ReleaseChecks}): its sockets
 * ({@link ServerSockets}) or its own gauge of open streams ({@link MetricsGauge}).
 */
interface Gauge {
  /** What is counted, for messages. */
  String name();

  /** What a leak exhausts, for messages. */
  String resource();

  /** The count now, or null when it cannot be read. */
  Snapshot read();

  /**
   * How many of the streams opened between {@code before} and {@code held} are still open in
   * {@code after}: the sockets themselves when they can be told apart, else the rise in the count.
   */
  default double stillOpen(Snapshot before, Snapshot held, Snapshot after) {
    if (before.ids() != null && held.ids() != null && after.ids() != null) {
      Set<String> left = new HashSet<>(held.ids());
      left.removeAll(before.ids());
      left.retainAll(after.ids());
      return left.size();
    }
    return after.count() - before.count();
  }

  /**
   * One reading of a gauge.
   *
   * @param count what it counts
   * @param ids the identities of what it counts (socket inodes), or null when only the count is known
   */
  record Snapshot(double count, Set<String> ids) {
    static Snapshot of(double count) {
      return new Snapshot(count, null);
    }
  }
}
