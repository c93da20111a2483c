package dev.ssekit.conformance.record;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reads of one recording as they are kept: decoded (what the checks parse) and, for a body in
 * a content coding, as sent. Reads within {@link #COALESCE_NANOS} of the previous one join it (up
 * to 256 KiB), so a flood of tiny reads does not become a flood of objects. Every read is charged
 * to the recording (its byte cap) and to the recorder's budget for all open recordings, counting
 * {@link #READ_OVERHEAD} per stored read; {@link #release()} gives the budget back.
 *
 * <p>Written by the session's reader thread; {@link #stored()} may be called from any thread.
 */
final class ChunkLog {

  /** What one stored read costs beyond its bytes (object headers, the record, its time). */
  static final int READ_OVERHEAD = 64;
  /** Reads closer together than this are stored as one (same arrival time, to the millisecond). */
  static final long COALESCE_NANOS = 1_000_000;
  /** A joined read grows no larger than this. */
  private static final int MAX_JOINED = 256 * 1024;

  /**
   * A copy of what is stored.
   *
   * @param decoded the reads decoded
   * @param wire the reads as sent (the same list for identity)
   */
  record Stored(List<Recording.Chunk> decoded, List<Recording.Chunk> wire) {}

  private final long start;
  private final AtomicLong live;
  private final Reads chunks = new Reads();
  private final Reads wireChunks = new Reads();
  private long accounted;
  private long lastReadNanos = Long.MIN_VALUE;

  /**
   * An empty log.
   *
   * @param start when the request was sent ({@link System#nanoTime}): chunks are timed from it
   * @param live the bytes all of the recorder's open recordings hold, charged and given back here
   */
  ChunkLog(long start, AtomicLong live) {
    this.start = start;
    this.live = live;
  }

  /**
   * Stores one read that arrived at {@code now}: {@code wire} as sent, {@code decoded} as decoded
   * ({@code identity}: the same bytes, stored once). Returns what all open recordings hold now.
   */
  long store(byte[] wire, byte[] decoded, boolean identity, long now) {
    boolean coalesce = now - lastReadNanos < COALESCE_NANOS;
    lastReadNanos = now;
    long cost = wire.length + (coalesce ? 0 : READ_OVERHEAD) + (identity ? 0 : decoded.length);
    accounted += cost;
    long total = live.addAndGet(cost);
    synchronized (chunks) {
      chunks.append(decoded, Duration.ofNanos(now - start), coalesce);
      if (!identity) wireChunks.append(wire, Duration.ofNanos(now - start), coalesce);
    }
    return total;
  }

  /** What this recording has been charged so far. */
  long accounted() {
    return accounted;
  }

  /** Drops every stored read (the tool ran short of memory; the charge stays until {@link #release()}). */
  void clear() {
    synchronized (chunks) {
      chunks.clear();
      wireChunks.clear();
    }
  }

  /** Gives this recording's charge back to the recorder's budget (once, when the recording ends). */
  void release() {
    live.addAndGet(-accounted);
  }

  /** A copy of the reads; {@code identity}: the body was sent as it reads, so wire and decoded are one list. */
  Stored stored(boolean identity) {
    synchronized (chunks) {
      List<Recording.Chunk> decoded = chunks.copy();
      return new Stored(decoded, identity ? decoded : wireChunks.copy());
    }
  }

  /**
   * One list of stored reads. The newest read grows in place while later reads join it (its
   * buffer doubles, up to {@link #MAX_JOINED}), so a flood of one-byte reads costs each byte once,
   * not a copy of everything joined so far. Guarded by the log's lock.
   */
  private static final class Reads {
    private final List<Recording.Chunk> done = new ArrayList<>();
    private byte[] tail;
    private int tailLength;
    private Duration tailAt;

    /** Stores a read that arrived {@code at}; one within a millisecond of the previous joins it. */
    void append(byte[] bytes, Duration at, boolean coalesce) {
      if (bytes.length == 0) return;
      if (coalesce && tail != null && tailLength + bytes.length <= MAX_JOINED) {
        if (tailLength + bytes.length > tail.length) {
          tail = Arrays.copyOf(tail, Math.min(MAX_JOINED, Math.max(tailLength + bytes.length, 2 * tail.length)));
        }
        System.arraycopy(bytes, 0, tail, tailLength, bytes.length);
        tailLength += bytes.length;
        return;
      }
      settleTail();
      tail = bytes; // not written into: it is exactly full, so the first join copies it
      tailLength = bytes.length;
      tailAt = at;
    }

    /** The newest read, joined reads included, as a stored chunk of its exact length. */
    private void settleTail() {
      if (tail != null) {
        done.add(new Recording.Chunk(tailAt, tailLength == tail.length ? tail : Arrays.copyOf(tail, tailLength)));
        tail = null;
      }
    }

    List<Recording.Chunk> copy() {
      List<Recording.Chunk> all = new ArrayList<>(done.size() + 1);
      all.addAll(done);
      if (tail != null) all.add(new Recording.Chunk(tailAt, Arrays.copyOf(tail, tailLength)));
      return List.copyOf(all);
    }

    void clear() {
      done.clear();
      tail = null;
      tailLength = 0;
    }
  }
}
