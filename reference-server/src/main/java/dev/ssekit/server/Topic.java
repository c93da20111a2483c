package dev.ssekit.server;

import io.netty.channel.EventLoop;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One topic: its bounded history (a ring of frames indexed by sequence number), its ids, and its
 * subscribers grouped by event loop.
 *
 * <p>Every change happens under the registry's publish lock ({@link Topics}); event loops read
 * the history without locks. A frame is stored before {@link #lastSeq} moves past it, so a
 * reader that sees {@code lastSeq} sees every frame up to it. Each subscriber keeps only the
 * sequence number of the next event it needs and is written from the history while its socket
 * accepts data ({@link LoopSubscribers#pump}); that is why resuming during concurrent publishing
 * can neither lose nor repeat an event, and why a slow subscriber costs no more memory than a
 * fast one.
 *
 * <p>Generated ids are decimal numbers that start at the topic's creation time in microseconds
 * since the epoch, so ids keep growing across restarts and an id from an earlier instance is never
 * mistaken for one of this instance's events.
 */
final class Topic {

  final String name;
  private final AtomicReferenceArray<Frame> ring;
  private final int capacity;
  private final Map<String, Long> seqById = new ConcurrentHashMap<>();
  /** Publisher-chosen ids evicted from the history; reuse would make resumes skip events silently. */
  private final LinkedHashSet<String> retiredIds = new LinkedHashSet<>();
  private final int retiredLimit;
  private final Map<EventLoop, LoopSubscribers> loops = new ConcurrentHashMap<>();
  private final long idBase;
  private volatile long lastSeq;
  private volatile long firstSeq = 1;
  private volatile long cumulativeBytes;
  /** Subscribers now (changed under the publish lock); a topic with none and no history is removable. */
  int subscriberCount;

  Topic(String name, int historyLimit, long idBase) {
    this.name = name;
    this.capacity = historyLimit;
    this.ring = new AtomicReferenceArray<>(historyLimit);
    this.retiredLimit = Math.max(1024, historyLimit * 4);
    this.idBase = idBase;
  }

  long lastSeq() {
    return lastSeq;
  }

  long cumulativeBytes() {
    return cumulativeBytes;
  }

  /** The frame with sequence number {@code seq}, or null when it was evicted or not yet published. */
  Frame frame(long seq) {
    if (seq < firstSeq || seq > lastSeq) return null;
    Frame f = ring.get((int) (seq % capacity));
    return f != null && f.seq == seq ? f : null;
  }

  /** The sequence number of the event with {@code id} while it is in the history, else -1. */
  long seqOf(String id) {
    Long seq = seqById.get(id);
    return seq == null || seq < firstSeq ? -1 : seq;
  }

  /** The oldest and newest ids held, for the resume-miss notice; under the publish lock. */
  String[] heldIdRange() {
    Frame oldest = frame(firstSeq);
    Frame newest = frame(lastSeq);
    return oldest == null || newest == null ? null : new String[] {oldest.id, newest.id};
  }

  boolean hasHistory() {
    return lastSeq >= firstSeq;
  }

  /**
   * True when {@code id} is not held but was issued here: a generated id of this topic's run below
   * the oldest held, or a retired publisher-chosen id. Under the publish lock.
   */
  boolean issuedAndGone(String id) {
    if (retiredIds.contains(id)) return true;
    if (id.isEmpty() || id.length() > 19 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
    long n;
    try {
      n = Long.parseLong(id);
    } catch (NumberFormatException e) {
      return false;
    }
    long seq = n - idBase;
    return seq >= 1 && seq < firstSeq;
  }

  /** True when {@code id} is held or was a publisher-chosen id of this topic; under the publish lock. */
  boolean idTaken(String id) {
    return seqById.containsKey(id) || retiredIds.contains(id);
  }

  /**
   * Appends an event; under the publish lock. Returns the frame and any frame pushed out of the
   * ring (the caller accounts its bytes), as a two-element array.
   */
  Frame[] append(String customId, byte[] body) {
    long seq = lastSeq + 1;
    String id = customId != null ? customId : Long.toString(idBase + seq);
    Frame frame = Frame.event(this, seq, id, customId != null, EventEncoder.idLine(id), body, cumulativeBytes);
    int slot = (int) (seq % capacity);
    Frame pushedOut = ring.get(slot);
    if (pushedOut != null && !pushedOut.evicted) evict(pushedOut);
    else pushedOut = null;
    ring.set(slot, frame);
    seqById.put(id, seq);
    cumulativeBytes = frame.cumulativeEnd;
    lastSeq = seq; // publishes the frame to lock-free readers
    return new Frame[] {frame, pushedOut};
  }

  /** Lets go of {@code f}, the oldest frame held; under the publish lock. */
  void evict(Frame f) {
    f.evicted = true;
    firstSeq = f.seq + 1;
    ring.compareAndSet((int) (f.seq % capacity), f, null);
    seqById.remove(f.id, f.seq);
    if (f.customId) {
      retiredIds.add(f.id);
      if (retiredIds.size() > retiredLimit) {
        var it = retiredIds.iterator();
        it.next();
        it.remove();
      }
    }
  }

  /** Tells every loop with subscribers that new frames are in the history. */
  void signal() {
    for (LoopSubscribers ls : loops.values()) ls.scheduleDrain();
  }

  /** The loop group for {@code loop}, created on first use; under the publish lock. */
  LoopSubscribers group(EventLoop loop, Topics registry) {
    return loops.computeIfAbsent(loop, l -> new LoopSubscribers(l, this, registry));
  }

  /** The per-loop groups (each touched only on its own loop). */
  Collection<LoopSubscribers> loopGroups() {
    return loops.values();
  }
}
