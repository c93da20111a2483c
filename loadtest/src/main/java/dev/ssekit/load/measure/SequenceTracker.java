package dev.ssekit.load.measure;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Sequence accounting for one connection: which sequence numbers arrived, which twice, which late.
 *
 * <p>The expected range is {@code (startAfter, end]}. When the publisher is the load tester,
 * {@code startAfter} is the last sequence number it had sent when this connection was open
 * (everything later must arrive); when the server publishes (ticks), it is unknown and taken as one
 * below the lowest number seen, so losses before the first arrival cannot be seen. {@code end} is
 * decided once the run stops publishing, in {@link #settle}.
 *
 * <p>Thread-safety: methods are synchronized (uncontended: one virtual user records, the report
 * settles after the run), which also publishes the state to the settling thread.
 */
public final class SequenceTracker {
  /** What one arrival was. */
  public enum Arrival {
    /** First arrival of a number at or above every earlier one. */
    IN_ORDER,
    /** First arrival of a number below one already seen. */
    OUT_OF_ORDER,
    /** A number that had already arrived. */
    DUPLICATE,
    /** At or below {@code startAfter}: published before this connection was known to be open. */
    EARLY,
    /** So far from the first number that tracking it would cost unbounded memory. */
    OUT_OF_RANGE
  }

  /** Sequence numbers more than this far above the first one are not tracked (memory bound). */
  static final long MAX_SPAN = 50_000_000L;

  private static final long UNKNOWN = Long.MIN_VALUE;

  private final long startAfter;
  private long base = UNKNOWN;
  private final BitSet seen = new BitSet();
  private Set<Long> belowBase;
  private long maxSeen = Long.MIN_VALUE;
  private long minSeen = Long.MAX_VALUE;
  private long duplicated;
  private long outOfOrder;

  private SequenceTracker(long startAfter) {
    this.startAfter = startAfter;
  }

  /** A connection that must receive every number above {@code startAfter}. */
  public static SequenceTracker startingAfter(long startAfter) {
    return new SequenceTracker(startAfter);
  }

  /** A connection whose first expected number is unknown (the server publishes). */
  public static SequenceTracker fromFirstArrival() {
    return new SequenceTracker(UNKNOWN);
  }

  /** Records one arrival of {@code seq}. */
  public synchronized Arrival record(long seq) {
    if (startAfter != UNKNOWN && seq <= startAfter) {
      return Arrival.EARLY;
    }
    if (base == UNKNOWN) {
      base = seq;
    }
    long offset = seq - base;
    if (offset > MAX_SPAN) {
      return Arrival.OUT_OF_RANGE;
    }
    boolean duplicate;
    if (offset >= 0) {
      duplicate = seen.get((int) offset);
      seen.set((int) offset);
    } else {
      if (belowBase == null) {
        belowBase = new HashSet<>();
      }
      if (belowBase.size() >= 1_000_000) {
        return Arrival.OUT_OF_RANGE;
      }
      duplicate = !belowBase.add(seq);
    }
    if (duplicate) {
      duplicated++;
      return Arrival.DUPLICATE;
    }
    minSeen = Math.min(minSeen, seq);
    if (seq < maxSeen) {
      outOfOrder++;
      return Arrival.OUT_OF_ORDER;
    }
    maxSeen = seq;
    return Arrival.IN_ORDER;
  }

  /** Numbers that arrived more than once (each repeat counted). */
  public synchronized long duplicated() {
    return duplicated;
  }

  /** First arrivals of a number below one already seen. */
  public synchronized long outOfOrder() {
    return outOfOrder;
  }

  /** The highest number that arrived, or {@link Long#MIN_VALUE} when none did. */
  public synchronized long highest() {
    return maxSeen;
  }

  /**
   * Counts against the expected range {@code (start, end]}, every missing number as lost.
   *
   * @param end the last sequence number every open connection had to receive
   * @param notPublished numbers in the range that were never published (failed publishes)
   */
  public Result settle(long end, LongPredicate notPublished) {
    return settle(end, notPublished, false);
  }

  /**
   * Counts against the expected range {@code (start, end]}. A missing number below the highest
   * one received is a gap: lost by the server (one ordered stream delivers in order). A missing
   * number above it is lost too, unless {@code readerBehind}: the stream was still delivering its
   * backlog when the drain after the hold ran out, so those numbers were on their way (in the
   * server's queue, the socket or the injector's buffers) but not yet read; they count as {@code
   * notYetRead}.
   *
   * @param end the last sequence number every open connection had to receive
   * @param notPublished numbers in the range that were never published (failed publishes)
   * @param readerBehind whether the stream was still delivering when the drain ran out
   */
  public synchronized Result settle(long end, LongPredicate notPublished, boolean readerBehind) {
    long start = startAfter != UNKNOWN ? startAfter : (minSeen == Long.MAX_VALUE ? end : minSeen - 1);
    long expected = 0;
    long delivered = 0;
    long notYetRead = 0;
    for (long s = start + 1; s <= end; s++) {
      if (notPublished.test(s)) {
        continue;
      }
      expected++;
      if (has(s)) {
        delivered++;
      } else if (readerBehind && s > maxSeen) {
        notYetRead++;
      }
    }
    return new Result(expected, delivered, expected - delivered - notYetRead, duplicated, outOfOrder, notYetRead);
  }

  private boolean has(long seq) {
    if (base == UNKNOWN) {
      return false;
    }
    long offset = seq - base;
    if (offset >= 0) {
      return offset <= MAX_SPAN && seen.get((int) offset);
    }
    return belowBase != null && belowBase.contains(seq);
  }

  /** One connection's counts: {@code expected = delivered + lost + notYetRead}. */
  public record Result(long expected, long delivered, long lost, long duplicated, long outOfOrder, long notYetRead) {
    public Result(long expected, long delivered, long lost, long duplicated, long outOfOrder) {
      this(expected, delivered, lost, duplicated, outOfOrder, 0);
    }
  }
}
