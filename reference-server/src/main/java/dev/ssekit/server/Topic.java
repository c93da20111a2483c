package dev.ssekit.server;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One topic: its bounded history, its id sequence and its subscribers, grouped by event loop.
 *
 * <p>Ordering and exactly-once resume rest on one lock. {@link #publish} assigns the next
 * sequence number, appends to the history and queues the frame on every loop while holding it;
 * {@link #subscribe} takes the replay and records the last sequence number it covers while
 * holding it. A frame queued before a subscription is skipped by that subscriber (its sequence
 * number is covered by the replay); a frame queued after it is written after the replay, because
 * both run on the subscriber's loop in submission order. So no event is lost or repeated even
 * while events are published during a replay.
 *
 * <p>Generated ids are decimal numbers that start at the topic's creation time in microseconds
 * since the epoch, so ids keep growing across restarts and an id from an earlier instance is never
 * mistaken for one of this instance's events.
 */
final class Topic {

  final String name;
  private final int historyLimit;
  private final ServerMetrics metrics;
  private final long maxQueueBytes;
  private final ArrayDeque<Frame> history = new ArrayDeque<>();
  private final Map<String, Long> seqById = new HashMap<>();
  private final Map<EventLoop, LoopSubscribers> loops = new ConcurrentHashMap<>();
  private final long idBase;
  private long lastSeq;

  Topic(String name, int historyLimit, ServerMetrics metrics, long maxQueueBytes, long idBase) {
    this.name = name;
    this.historyLimit = historyLimit;
    this.metrics = metrics;
    this.maxQueueBytes = maxQueueBytes;
    this.idBase = idBase;
  }

  /** Thrown when a publisher's own id is already in this topic's history. */
  static final class DuplicateIdException extends Exception {
    private static final long serialVersionUID = 1L;

    DuplicateIdException(String id) {
      super("id '" + id + "' is already in use on this topic");
    }
  }

  /**
   * Publishes {@code type} and {@code data} with {@code id}, or with the next generated id when
   * {@code id} is null. Returns the frame (its id is the event's id).
   */
  Frame publish(String type, String data, String id) throws DuplicateIdException {
    synchronized (this) {
      long seq = lastSeq + 1;
      String eventId = id != null ? id : Long.toString(idBase + seq);
      if (seqById.containsKey(eventId)) throw new DuplicateIdException(eventId);
      Frame frame = Frame.event(seq, eventId, EventEncoder.encode(new OutboundEvent(type, data, eventId)));
      lastSeq = seq;
      history.addLast(frame);
      seqById.put(eventId, seq);
      if (history.size() > historyLimit) seqById.remove(history.removeFirst().id);
      for (LoopSubscribers ls : loops.values()) ls.enqueue(frame);
      metrics.eventsPublished.increment();
      return frame;
    }
  }

  /** What a new subscriber gets: the frames to replay and whether its Last-Event-ID was found. */
  record Subscription(List<Frame> replay, boolean resumed, String oldestId, String newestId) {}

  /**
   * Registers {@code s} on its channel's loop (call it there) and returns the frames after
   * {@code lastEventId} to write first; {@code lastEventId == null} means a fresh stream.
   */
  Subscription subscribe(Subscriber s, String lastEventId) {
    EventLoop loop = s.channel.eventLoop();
    synchronized (this) {
      LoopSubscribers ls = loops.computeIfAbsent(loop, l -> new LoopSubscribers(l, this, metrics, maxQueueBytes));
      s.startSeq = lastSeq;
      ls.add(s);
      String oldest = history.isEmpty() ? null : history.peekFirst().id;
      String newest = history.isEmpty() ? null : history.peekLast().id;
      if (lastEventId == null) return new Subscription(List.of(), false, oldest, newest);
      Long after = seqById.get(lastEventId);
      if (after == null) return new Subscription(List.of(), false, oldest, newest);
      List<Frame> replay = new ArrayList<>();
      // Walk back from the newest frame: resumes are usually near the head.
      Iterator<Frame> it = history.descendingIterator();
      while (it.hasNext()) {
        Frame f = it.next();
        if (f.seq <= after) break;
        replay.add(f);
      }
      java.util.Collections.reverse(replay);
      return new Subscription(replay, true, oldest, newest);
    }
  }

  /** Removes {@code s}; call on its channel's loop. */
  void unsubscribe(Subscriber s) {
    LoopSubscribers ls = loops.get(s.channel.eventLoop());
    if (ls != null) ls.remove(s);
  }

  /** The per-loop groups, for heartbeats and shutdown (each touched only on its own loop). */
  Collection<LoopSubscribers> loopGroups() {
    return loops.values();
  }

  synchronized int historySize() {
    return history.size();
  }
}
