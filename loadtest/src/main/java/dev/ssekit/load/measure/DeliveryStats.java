package dev.ssekit.load.measure;

import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;

/**
 * Everything the virtual users measure, shared across them: connection counts, connect times,
 * delivery latency (receive time minus the send time the event carries, on this machine's clock)
 * and one {@link SequenceTracker} per connection.
 *
 * <p>Which events are accounted: when the load tester publishes, only events whose data carries
 * its run id; when the server publishes (the reference server's ticks), events whose data carries
 * {@code seq} and {@code sentAtMicros} and no run id. With several injectors ({@code --injectors}),
 * each publishes its share under its own run id and every stream receives them all: the peers'
 * events are timed and checked for repeats and order on each connection (one tracker per peer),
 * but not for loss, which only the injector that published an event can judge (it knows what it
 * sent, which publishes failed, and when each of its streams opened). Other events are counted,
 * not accounted.
 *
 * <p>Thread-safe: the histograms ({@link Timings}) are concurrent, counters are adders; each {@link
 * Connection} is used by its own virtual user only.
 */
public final class DeliveryStats {
  /** Largest value the histograms track, in microseconds (one hour); larger values are clamped. */
  public static final long MAX_MICROS = 3_600_000_000L;

  private final String runId;
  private final Set<String> peerRunIds;
  private volatile long accountUntilMicros;

  private final Timings timings = new Timings();

  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger peakOpen = new AtomicInteger();

  private final LongAdder messages = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder notEvents = new LongAdder();
  private final LongAdder unaccounted = new LongAdder();
  private final LongAdder peerEvents = new LongAdder();
  private final LongAdder early = new LongAdder();
  private final LongAdder outOfRange = new LongAdder();
  private final AtomicLong lowestSeq = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastSeqBeforeEnd = new AtomicLong(-1);

  private final Queue<Connection> connections = new ConcurrentLinkedQueue<>();

  /**
   * @param runId the run id the load tester's own events carry, or {@code null} when the server
   *     publishes
   * @param accountUntilMicros server-published events sent after this instant (epoch µs) are past
   *     the accounted range
   */
  public DeliveryStats(String runId, long accountUntilMicros) {
    this(runId, Set.of(), accountUntilMicros);
  }

  /**
   * @param peerRunIds the run ids of the other injectors' events (empty when this one runs alone)
   */
  public DeliveryStats(String runId, Set<String> peerRunIds, long accountUntilMicros) {
    this.runId = runId;
    this.peerRunIds = Set.copyOf(peerRunIds);
    this.accountUntilMicros = accountUntilMicros;
  }

  /** Moves the end of the accounted range (server-published events), once the run knows it. */
  public void accountUntil(long micros) {
    this.accountUntilMicros = micros;
  }

  /** Connect attempts that have finished, opened or failed. */
  public long attempts() {
    return opened.get() + failed.get();
  }

  /** One virtual user's connection. Not thread-safe: its virtual user only. */
  public static final class Connection {
    private final long startNanos;
    private final long startMillis;
    private SequenceTracker tracker;
    /** One tracker per peer injector whose events this connection received (repeats and order only). */
    private Map<String, SequenceTracker> peers;
    private boolean sawEvent;
    private boolean open;
    private boolean down;
    /** When its last message arrived, and when it stopped reading (epoch ms; 0: not yet). */
    private long lastMessageMillis;
    private long closedMillis;
    /** When its latest accounted event arrived (epoch ms; 0: none yet). */
    private long lastAccountedMillis;
    /** The latest send time among its accounted events (epoch µs), or -1. */
    private long latestSentAtMicros = -1;
    /** It was still receiving its backlog when the drain after the hold ran out ({@link #cutOff}). */
    private boolean cutOff;

    Connection(long startNanos, long startMillis) {
      this.startNanos = startNanos;
      this.startMillis = startMillis;
    }
  }

  /** A virtual user is about to connect (now). */
  public Connection connecting() {
    return new Connection(System.nanoTime(), System.currentTimeMillis());
  }

  /**
   * The connect finished.
   *
   * @param ok whether the stream opened (200, {@code text/event-stream})
   * @param startAfter the last sequence number published before this point, or {@code -1} when
   *     the server publishes
   */
  public void connected(Connection c, boolean ok, long startAfter) {
    if (!ok) {
      failed.incrementAndGet();
      return;
    }
    timings.connect((System.nanoTime() - c.startNanos) / 1000);
    opened.incrementAndGet();
    peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    c.open = true;
    c.tracker =
        startAfter >= 0
            ? SequenceTracker.startingAfter(startAfter)
            : SequenceTracker.fromFirstArrival();
    connections.add(c);
  }

  /**
   * The virtual user dropped its stream and will open another (reconnect-storm): it no longer
   * counts as open until {@link #up}, so the timeline shows the drop.
   */
  public void down(Connection c) {
    if (c.open) {
      c.open = false;
      c.down = true;
      open.decrementAndGet();
    }
  }

  /** The dropped stream's replacement opened; the connection counts as open again. */
  public void up(Connection c) {
    if (c.down) {
      c.down = false;
      c.open = true;
      peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    }
  }

  /** The virtual user closed its stream. */
  public void closed(Connection c) {
    c.closedMillis = System.currentTimeMillis();
    if (c.open) {
      c.open = false;
      open.decrementAndGet();
    }
  }

  /**
   * One message from Gatling's buffer.
   *
   * @param receivedMillis when Gatling decoded it (epoch ms)
   * @param message Gatling's JSON form of the block
   */
  public void onMessage(Connection c, long receivedMillis, String message) {
    messages.increment();
    c.lastMessageMillis = Math.max(c.lastMessageMillis, receivedMillis);
    InboundEvent ev = InboundEvent.parse(message);
    if (!ev.isEvent()) {
      notEvents.increment();
      return;
    }
    events.increment();
    if (!c.sawEvent) {
      c.sawEvent = true;
      timings.firstEvent((receivedMillis - c.startMillis) * 1000);
    }
    if (c.tracker != null && ev.sequenced() && ev.run() != null && peerRunIds.contains(ev.run())) {
      onPeerEvent(c, ev, receivedMillis);
      return;
    }
    if (!accounted(ev) || c.tracker == null) {
      unaccounted.increment();
      return;
    }
    SequenceTracker.Arrival arrival = c.tracker.record(ev.seq());
    c.lastAccountedMillis = Math.max(c.lastAccountedMillis, receivedMillis);
    c.latestSentAtMicros = Math.max(c.latestSentAtMicros, ev.sentAtMicros());
    switch (arrival) {
      case EARLY -> early.increment();
      case OUT_OF_RANGE -> outOfRange.increment();
      default -> {}
    }
    if (runId == null && ev.sentAtMicros() <= accountUntilMicros) {
      lastSeqBeforeEnd.accumulateAndGet(ev.seq(), Math::max);
    }
    if (runId == null) {
      lowestSeq.accumulateAndGet(ev.seq(), Math::min);
    }
    if (arrival != SequenceTracker.Arrival.DUPLICATE && ev.sentAtMicros() >= 0) {
      timings.delivery(receivedMillis * 1000 - ev.sentAtMicros());
    }
  }

  /** Another injector's event: checked for repeats and order on this connection, and timed. */
  private void onPeerEvent(Connection c, InboundEvent ev, long receivedMillis) {
    peerEvents.increment();
    if (c.peers == null) {
      c.peers = new HashMap<>(4);
    }
    SequenceTracker.Arrival arrival = c.peers.computeIfAbsent(ev.run(), r -> SequenceTracker.fromFirstArrival()).record(ev.seq());
    if (arrival != SequenceTracker.Arrival.DUPLICATE && ev.sentAtMicros() >= 0) {
      timings.delivery(receivedMillis * 1000 - ev.sentAtMicros());
    }
  }

  private boolean accounted(InboundEvent ev) {
    if (!ev.sequenced()) {
      return false;
    }
    if (runId != null) {
      return runId.equals(ev.run());
    }
    return ev.run() == null && ev.sentAtMicros() >= 0;
  }

  /**
   * Whether this connection has everything up to the end of the accounted range: its highest
   * sequence number reached {@code end} (the publisher's last), or (server-published, {@code end}
   * negative) it received an event sent after the accounted range ended.
   */
  public boolean caughtUp(Connection c, long end) {
    if (c.tracker == null) {
      return true; // nothing to wait for
    }
    return end >= 0 ? c.tracker.highest() >= end : c.latestSentAtMicros > accountUntilMicros;
  }

  /** Whether this connection's latest accounted event arrived less than {@code quietMs} before {@code nowMillis}. */
  public boolean stillReceiving(Connection c, long nowMillis, long quietMs) {
    return c.lastAccountedMillis > 0 && nowMillis - c.lastAccountedMillis < quietMs;
  }

  /**
   * The drain after the hold ran out while this connection was still receiving its backlog: what
   * it has not read past its latest event counts as not yet read (by this injector), not lost.
   */
  public void cutOff(Connection c) {
    c.cutOff = true;
  }

  /**
   * Settles every connection against the expected range. A missing delivery is lost (by the
   * server), unless its connection was {@link #cutOff}: still receiving when the drain after the
   * hold ran out, in which case what it had not read past its latest event counts as not yet read
   * ({@link SequenceTracker#settle(long, LongPredicate, boolean)}); a gap below it is lost all the
   * same. A connection that went quiet before the drain ran out had received all its server was
   * going to send: its missing tail is lost.
   *
   * @param end the last sequence number every connection had to receive: the publisher's last,
   *     or (server-published) {@link #lastServerSeqBeforeEnd()}
   */
  public Totals settle(long end, LongPredicate notPublished) {
    long expected = 0;
    long delivered = 0;
    long lost = 0;
    long duplicated = 0;
    long outOfOrder = 0;
    long notYetRead = 0;
    long behind = 0;
    for (Connection c : connections) {
      SequenceTracker.Result r = c.tracker.settle(end, notPublished, c.cutOff);
      expected += r.expected();
      delivered += r.delivered();
      lost += r.lost();
      duplicated += r.duplicated();
      outOfOrder += r.outOfOrder();
      notYetRead += r.notYetRead();
      if (r.notYetRead() > 0) {
        behind++;
      }
      if (c.peers != null) {
        for (SequenceTracker peer : c.peers.values()) {
          duplicated += peer.duplicated();
          outOfOrder += peer.outOfOrder();
        }
      }
    }
    return new Totals(expected, delivered, lost, duplicated, outOfOrder, notYetRead, behind);
  }

  /**
   * Summed counts over all connections.
   *
   * @param behindConnections connections that had deliveries not yet read when they stopped reading
   */
  public record Totals(long expected, long delivered, long lost, long duplicated, long outOfOrder, long notYetRead,
      long behindConnections) {
    public Totals(long expected, long delivered, long lost, long duplicated, long outOfOrder) {
      this(expected, delivered, lost, duplicated, outOfOrder, 0, 0);
    }
  }

  /** The highest server-published sequence number sent before the accounted range ended, or -1. */
  public long lastServerSeqBeforeEnd() {
    return lastSeqBeforeEnd.get();
  }

  /** The lowest server-published sequence number any connection saw, or -1. */
  public long lowestServerSeq() {
    long v = lowestSeq.get();
    return v == Long.MAX_VALUE ? -1 : v;
  }

  /** The delivery latencies recorded since the last call (µs), for the run's timeline. */
  public Histogram takePeriodLatency() {
    return timings.takePeriodLatency();
  }

  public Histogram latencyMicros() {
    return timings.latency();
  }

  public Histogram connectMicros() {
    return timings.connect();
  }

  public Histogram firstEventMicros() {
    return timings.firstEvent();
  }

  public long opened() {
    return opened.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Streams open right now (as far as the virtual users know). */
  public int open() {
    return open.get();
  }

  public int peakOpen() {
    return peakOpen.get();
  }

  /** Counters that are not in capacity.json but explain it (written to histograms.json). */
  public java.util.Map<String, Long> diagnostics() {
    var m = new java.util.LinkedHashMap<String, Long>();
    m.put("messages", messages.sum());
    m.put("events", events.sum());
    m.put("notEvents", notEvents.sum());
    m.put("unaccountedEvents", unaccounted.sum());
    if (!peerRunIds.isEmpty()) {
      m.put(dev.ssekit.load.report.Merge.PEER_EVENTS, peerEvents.sum());
    }
    m.put("earlyEvents", early.sum());
    m.put("outOfRangeEvents", outOfRange.sum());
    m.put("latenciesBelowZero", timings.latenciesBelowZero());
    return m;
  }
}
