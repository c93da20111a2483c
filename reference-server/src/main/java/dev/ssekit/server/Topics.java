package dev.ssekit.server;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The topic registry and the publish lock. Publishing, subscribing and removing empty topics
 * take one lock briefly (encoding happens before it); event loops read histories without it.
 * Memory is bounded three ways: events per topic ({@code --history}), bytes of history across
 * all topics ({@code --history-bytes}, oldest evicted first, whatever its topic), and the number
 * of topics (empty topics are removed; past {@link #MAX_TOPICS} new names are refused).
 */
final class Topics {

  /** Default --max-topics: topics a server holds at once; past it, new topic names are refused. */
  static final int MAX_TOPICS = 10_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._~:@/-]{1,128}");

  private final Object lock = new Object();
  private final ConcurrentHashMap<String, Topic> byName = new ConcurrentHashMap<>();
  private final ArrayDeque<Frame> publishOrder = new ArrayDeque<>();
  private final int historyLimit;
  private final int maxTopics;
  private final long historyBytesLimit;
  private final long maxQueueBytes;
  private ServerMetrics metrics;
  /** Set with {@code --broker}: topics are mirrors of Redis streams, filled by {@link #appendFromBroker}. */
  private boolean brokered;
  /** Told the name of each topic swept away (the broker stops reading it). */
  private Consumer<String> swept = name -> {};
  private long historyBytes;
  private boolean closed;

  Topics(int historyLimit, long historyBytesLimit, long maxQueueBytes) {
    this(historyLimit, historyBytesLimit, maxQueueBytes, MAX_TOPICS);
  }

  Topics(int historyLimit, long historyBytesLimit, long maxQueueBytes, int maxTopics) {
    this.maxTopics = maxTopics;
    this.historyLimit = historyLimit;
    this.historyBytesLimit = historyBytesLimit;
    this.maxQueueBytes = maxQueueBytes;
  }

  void bind(ServerMetrics serverMetrics) {
    this.metrics = serverMetrics;
  }

  /**
   * From now on topics are mirrors of a broker's streams (called before any topic exists);
   * {@code onSwept} hears of each topic removed.
   */
  void brokered(Consumer<String> onSwept) {
    synchronized (lock) {
      this.brokered = true;
      this.swept = onSwept;
    }
  }

  /** Why {@code name} is not a topic name, or null when it is one. */
  static String invalidReason(String name) {
    if (NAME.matcher(name).matches()) return null;
    return "topic must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : @ / -";
  }

  /** Thrown when a publish cannot be accepted; the message is the reason given to the client. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }

  /**
   * Publishes an event whose type and data lines were encoded as {@code body}, with the
   * publisher's {@code customId} or a generated one. Returns the frame.
   */
  Frame publish(String topicName, String customId, byte[] body) throws Refused {
    Topic topic;
    Frame frame;
    synchronized (lock) {
      if (closed) throw new Refused(503, "server is shutting down; publish to another instance");
      topic = getOrCreateLocked(topicName);
      if (topic == null) throw new Refused(429, "this server already holds " + maxTopics + " topics (--max-topics); publish to an existing topic");
      if (customId != null && topic.idTaken(customId)) {
        throw new Refused(409, "id '" + customId + "' is already in use on this topic");
      }
      frame = storeLocked(topic.append(customId, body));
    }
    metrics.eventsPublished.increment();
    topic.signal();
    return frame;
  }

  /** Accounts a frame {@link Topic#append}ed and any it pushed out; evicts past --history-bytes. */
  private Frame storeLocked(Frame[] appended) {
    Frame frame = appended[0];
    if (appended[1] != null) historyBytes -= appended[1].memoryCost();
    historyBytes += frame.memoryCost();
    publishOrder.addLast(frame);
    while (historyBytes > historyBytesLimit && publishOrder.size() > 1) {
      Frame oldest = publishOrder.pollFirst();
      if (oldest.evicted) continue; // already pushed out of its topic's ring
      oldest.topic.evict(oldest);
      historyBytes -= oldest.memoryCost();
    }
    // Frames pushed out of a ring stay in publishOrder until they reach its head.
    while (!publishOrder.isEmpty() && publishOrder.peekFirst().evicted) publishOrder.pollFirst();
    return frame;
  }

  /** An event as a broker numbered it: its stream id, and its type and data lines encoded once. */
  record BrokerEvent(String id, byte[] body) {}

  /**
   * Appends events a broker read for {@code topicName}, in its order, and wakes the topic's
   * subscribers. Events of a topic not mirrored here (swept meanwhile) are dropped: a later
   * mirror starts from the broker's own tail. Returns how many were appended.
   */
  int appendFromBroker(String topicName, List<BrokerEvent> events) {
    Topic topic;
    int appended = 0;
    synchronized (lock) {
      topic = byName.get(topicName);
      if (topic == null) return 0;
      for (BrokerEvent e : events) {
        // Never one id twice, nor backwards: a read that raced a re-mirror may bring the tail again.
        if (!topic.ahead(e.id())) continue;
        storeLocked(topic.appendAs(e.id(), e.body()));
        appended++;
      }
    }
    if (appended == 0) return 0;
    metrics.eventsPublished.increment(appended);
    topic.signal();
    return appended;
  }

  /**
   * Mirrors {@code topicName} here from {@code tail}, the broker's newest events (those fit to
   * send), unless it already is. Returns null when it was mirrored already, else the newest id
   * stored ({@code "0-0"} when none); the caller follows after the newest entry it read, kept or
   * not. Throws when the registry is full.
   */
  String mirror(String topicName, List<BrokerEvent> tail) throws Refused {
    synchronized (lock) {
      if (byName.containsKey(topicName)) return null;
      Topic topic = getOrCreateLocked(topicName);
      if (topic == null) throw new Refused(429, "this server already mirrors " + maxTopics + " topics (--max-topics)");
      for (BrokerEvent e : tail) storeLocked(topic.appendAs(e.id(), e.body()));
      return tail.isEmpty() ? "0-0" : tail.get(tail.size() - 1).id();
    }
  }

  /** True when {@code topicName} is mirrored here (always true without a broker). */
  boolean mirrored(String topicName) {
    return !brokered || byName.containsKey(topicName);
  }

  /** The topic {@code topicName} when it exists here, else null; lock-free. */
  Topic find(String topicName) {
    return byName.get(topicName);
  }

  /** {@link #subscribe}'s answer, with a broker, for a topic swept since it was mirrored: mirror it again. */
  static final Start NOT_MIRRORED = new Start(null, null, 0, 0, false, null, false, false);

  /**
   * Where a new stream starts. {@code heldIds} (oldest, newest) is set on a resume miss when the
   * topic holds events; {@code expired} tells a miss on an id this topic issued and let go from
   * one on an id it never issued (a restart, another instance, garbage). {@code ahead} (with a
   * broker): the id it resumes after is newer than anything this instance has read from Redis yet
   * (another instance issued it and the catch-up wait ran out; see {@link Topic#aheadOfHeld}), so
   * it starts at the live edge, having everything held here already, and skips what is read later
   * up to that id.
   */
  record Start(Topic topic, LoopSubscribers group, long nextSeq, long joinedAtBytes, boolean resumed, String[] heldIds,
      boolean expired, boolean ahead) {}

  /**
   * Registers a subscriber of {@code topicName} on {@code loop} and decides where it starts: after
   * {@code lastEventId} when that id is in the history, else at the next live event. Null when the
   * topic registry is full.
   */
  Start subscribe(String topicName, EventLoop loop, String lastEventId) {
    synchronized (lock) {
      // With a broker a topic exists here only as a mirror; one swept since it was mirrored is mirrored again.
      if (brokered && !byName.containsKey(topicName)) return NOT_MIRRORED;
      Topic topic = getOrCreateLocked(topicName);
      if (topic == null) return null;
      topic.subscriberCount++;
      LoopSubscribers group = topic.group(loop, this);
      long after = lastEventId == null ? -1 : topic.seqOf(lastEventId);
      boolean resumed = after >= 0;
      long next = resumed ? after + 1 : topic.lastSeq() + 1;
      boolean ahead = lastEventId != null && !resumed && topic.aheadOfHeld(lastEventId);
      boolean missed = lastEventId != null && !resumed && !ahead;
      return new Start(topic, group, next, topic.cumulativeBytes(), resumed, missed ? topic.heldIdRange() : null,
          missed && topic.issuedAndGone(lastEventId), ahead);
    }
  }

  /** Counts a subscriber out of its topic. */
  void unsubscribed(Topic topic) {
    synchronized (lock) {
      topic.subscriberCount--;
    }
  }

  /** Removes topics with no subscribers and no history, so names cannot fill the registry for good. */
  int sweep() {
    int removed = 0;
    synchronized (lock) {
      for (Topic t : byName.values()) {
        if (t.subscriberCount == 0 && !t.hasHistory() && byName.remove(t.name, t)) {
          removed++;
          swept.accept(t.name);
        }
      }
    }
    return removed;
  }

  /** True once {@link #close()} was called. */
  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Refuses publishes from now on (shutdown). */
  void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  private Topic getOrCreateLocked(String name) {
    Topic t = byName.get(name);
    if (t != null) return t;
    if (byName.size() >= maxTopics) {
      sweepLocked();
      if (byName.size() >= maxTopics) return null;
    }
    t = new Topic(name, historyLimit, System.currentTimeMillis() * 1000, brokered);
    byName.put(name, t);
    return t;
  }

  private void sweepLocked() {
    byName.values().removeIf(t -> {
      boolean remove = t.subscriberCount == 0 && !t.hasHistory();
      if (remove) swept.accept(t.name);
      return remove;
    });
  }

  ServerMetrics metrics() {
    return metrics;
  }

  long maxQueueBytes() {
    return maxQueueBytes;
  }

  long historyBytes() {
    synchronized (lock) {
      return historyBytes;
    }
  }

  Collection<Topic> all() {
    return byName.values();
  }

  /** Runs {@code action} for the subscribers of every topic that live on {@code loop}; call it on that loop. */
  void forGroupsOn(EventLoop loop, Consumer<LoopSubscribers> action) {
    for (Topic topic : byName.values()) {
      for (LoopSubscribers ls : topic.loopGroups()) {
        if (ls.loop == loop) action.accept(ls);
      }
    }
  }

  int maxTopics() {
    return maxTopics;
  }

  int size() {
    return byName.size();
  }
}
