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
  /**
   * The history ring, grown by doubling as events are stored (up to {@code --history} slots) and
   * shrunk when most of it is empty, so a topic's memory follows what it holds: an idle topic
   * costs {@link #MIN_SLOTS} slots, not {@code --history}. Replaced (never resized in place) under
   * the publish lock; readers read {@link #lastSeq} before it, so the ring they see holds every
   * frame up to the {@code lastSeq} they saw.
   */
  private volatile AtomicReferenceArray<Frame> ring;
  private final int capacity;
  static final int MIN_SLOTS = 4;
  private final Map<String, Long> seqById = new ConcurrentHashMap<>();
  /** Publisher-chosen ids evicted from the history; reuse would make resumes skip events silently. */
  private final LinkedHashSet<String> retiredIds = new LinkedHashSet<>();
  private final int retiredLimit;
  private final Map<EventLoop, LoopSubscribers> loops = new ConcurrentHashMap<>();
  private final long idBase;
  /** True when the ids are a Redis stream's entry ids ({@code --broker}), not this server's own. */
  private final boolean brokered;
  /** The newest broker id appended, held or not (null before the first). */
  private volatile StreamId newestBrokerId;
  private volatile long lastSeq;
  private volatile long firstSeq = 1;
  private volatile long cumulativeBytes;
  /** Subscribers now (changed under the publish lock); a topic with none and no history is removable. */
  int subscriberCount;

  Topic(String name, int historyLimit, long idBase) {
    this(name, historyLimit, idBase, false);
  }

  /** A topic whose events come from a broker with their ids ({@link #appendAs}) when {@code brokered}. */
  Topic(String name, int historyLimit, long idBase, boolean brokered) {
    this.brokered = brokered;
    this.name = name;
    this.capacity = historyLimit;
    this.ring = new AtomicReferenceArray<>(Math.min(historyLimit, MIN_SLOTS));
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
    AtomicReferenceArray<Frame> r = ring;
    Frame f = r.get((int) (seq % r.length()));
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
    if (brokered) {
      // Stream ids grow in append order: one below the oldest held was issued and let go.
      StreamId asked = StreamId.parse(id);
      Frame oldest = frame(firstSeq);
      return asked != null && oldest != null && asked.compareTo(StreamId.parse(oldest.id)) < 0;
    }
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

  /**
   * True when {@code id} is a broker's id newer than the newest held: issued on another instance
   * and not read here yet (the reader is that far behind). Lock-free.
   */
  boolean ahead(String id) {
    if (!brokered) return false;
    StreamId asked = StreamId.parse(id);
    if (asked == null) return false;
    StreamId newest = newestBrokerId;
    return newest == null || asked.compareTo(newest) > 0;
  }

  /** How far past this machine's clock a broker id may be and still count as one Redis issued (clock skew). */
  static final long BROKER_CLOCK_SKEW_MILLIS = 1_000;

  /**
   * True when {@code id} is one this instance has not read yet but a client can have had: newer
   * than the newest held (so everything held is older), with events held (an empty mirror cannot
   * tell an id Redis issued from one of a stream it lost), and not later than now (Redis issues
   * ids from its clock; a later one is forged or foreign). Lock-free.
   */
  boolean aheadOfHeld(String id) {
    StreamId newest = newestBrokerId;
    if (!brokered || newest == null) return false;
    StreamId asked = StreamId.parse(id);
    return asked != null && asked.compareTo(newest) > 0
        && asked.millis() <= System.currentTimeMillis() + BROKER_CLOCK_SKEW_MILLIS;
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
    return store(Frame.event(this, seq, id, customId != null, EventEncoder.idLine(id), body, cumulativeBytes));
  }

  /**
   * Appends an event that a broker numbered {@code id} (its order there); under the publish lock.
   * Returns what {@link #append} does.
   */
  Frame[] appendAs(String id, byte[] body) {
    newestBrokerId = StreamId.parse(id);
    return store(Frame.event(this, lastSeq + 1, id, false, EventEncoder.idLine(id), body, cumulativeBytes));
  }

  private Frame[] store(Frame frame) {
    long seq = frame.seq;
    String id = frame.id;
    Frame pushedOut = null;
    long held = lastSeq - firstSeq + 1;
    if (held >= capacity) {
      pushedOut = frame(firstSeq); // the ring is full at --history: the oldest goes
      if (pushedOut != null) evict(pushedOut);
    } else if (held >= ring.length()) {
      resize(Math.min(capacity, ring.length() * 2));
    }
    AtomicReferenceArray<Frame> r = ring;
    r.set((int) (seq % r.length()), frame);
    seqById.put(id, seq);
    cumulativeBytes = frame.cumulativeEnd;
    lastSeq = seq; // publishes the frame to lock-free readers
    return new Frame[] {frame, pushedOut};
  }

  /** A new ring of {@code slots} holding the frames held now; under the publish lock. */
  private void resize(int slots) {
    AtomicReferenceArray<Frame> old = ring;
    AtomicReferenceArray<Frame> next = new AtomicReferenceArray<>(slots);
    for (long seq = firstSeq; seq <= lastSeq; seq++) {
      Frame f = old.get((int) (seq % old.length()));
      if (f != null && f.seq == seq) next.set((int) (seq % slots), f);
    }
    ring = next;
  }

  /** Slots in the ring now (what the history costs besides its frames). */
  int slots() {
    return ring.length();
  }

  /** Lets go of {@code f}, the oldest frame held; under the publish lock. */
  void evict(Frame f) {
    f.evicted = true;
    firstSeq = f.seq + 1;
    AtomicReferenceArray<Frame> r = ring;
    r.compareAndSet((int) (f.seq % r.length()), f, null);
    long held = lastSeq - firstSeq + 1;
    if (r.length() > MIN_SLOTS && held < r.length() / 4) resize(Math.max(MIN_SLOTS, r.length() / 2));
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
