package dev.ssekit.server;

import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Connections that are not (yet) streams, bounded by {@code --max-pending-connections}: from
 * accept until a connection becomes an event or scenario stream (which {@code --max-connections}
 * bounds) or closes. That covers request heads and bodies being read, answers being written and
 * keep-alive connections idle between requests: every accepted connection counts toward one bound
 * or the other, so trickling heads (slowloris) cannot take the descriptors streams need.
 *
 * <p>Admission happens on the acceptor, before a connection gets a pipeline, one connection at a
 * time (the listening channel reads one accept per read, see {@link SseServer}):
 * <ul>
 *   <li>below {@link #softMark()} (nine tenths of the bound): admitted;</li>
 *   <li>from there on, each new connection evicts the connection that has been pending longest
 *       (since it was accepted or last sent a whole request), if that one has been pending at least
 *       {@link #MIN_AGE_NANOS}: slow heads make room for fast ones, and a head that arrives in one
 *       packet is done long before it could be the oldest. The evicted connection is answered
 *       {@code 503} with {@code Retry-After} when it was mid-request, else just closed;</li>
 *   <li>when there is no room for the next one (the bound is reached, or past the soft mark every
 *       pending connection is younger than that), the acceptor stops accepting and new connections
 *       wait in the kernel's backlog. While it waits, {@link #makeRoom} lets the next one in as
 *       soon as the oldest is old enough (at the bound, by evicting it first). Once the acceptor
 *       has waited {@link #MIN_AGE_NANOS} with no room, the next one comes in anyway: below the
 *       bound into the places above the soft mark, at the bound by evicting a pending connection
 *       whatever its age, an idle keep-alive connection first (HTTP/1.1 lets a server close an idle
 *       persistent connection at any time). So connections that keep finishing requests cannot
 *       hold the acceptor off for good; they slow newcomers to about one a second.</li>
 * </ul>
 * Established streams are never evicted. The count includes evicted connections until they have
 * closed, so it bounds the descriptors pending connections hold; a new connection that arrives at
 * the bound anyway is closed at once (the acceptor stops before that, so this is a safety net).
 *
 * <p>The pending connections are kept in one list, oldest first, linked through their
 * {@link RequestDeadline} handlers. A connection's age counts from its accept, and its place in
 * the list is its place in the accept order ({@link Admission}), not the moment its event loop
 * got round to setting up its pipeline: with several loops a later connection can be set up
 * first, and the longest pending must not depend on which loop was busier. Ages are read from one
 * clock ({@link #now()}, {@link System#nanoTime()} unless a test supplies one). Guarded by {@code this}; the
 * acceptor and every event loop use it, each for a few pointer moves per connection or request
 * (a forced eviction scans the list for an idle connection, at most once per wait).
 */
final class PendingConnections {

  /** How long a connection must have been pending before a newcomer may evict it. */
  static final long MIN_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Where the acceptor records a connection's {@link Admission}, for its pipeline to join the list with. */
  static final AttributeKey<Admission> ADMISSION = AttributeKey.valueOf("ssekit.pending.admission");

  /** A connection's place in the accept order and when (by {@link #now()}) it was accepted. */
  record Admission(long seq, long atNanos) {}

  private final int max;
  private final int softMark;
  private final LongSupplier clock;
  /** The next place in the order of accepts and finished requests. */
  private long nextSeq;
  private RequestDeadline oldest;
  private RequestDeadline newest;
  /** Connections admitted and not yet gone (a stream, or closed); evicted ones count until closed. */
  private int held;
  /** Evicted connections that have not closed yet (they still count in {@link #held}). */
  private int evicting;
  /** Admissions owed for evictions made while the acceptor waited ({@link #makeRoom}). */
  private int credits;
  private long evicted;
  private long refused;
  /** Run once when a connection leaves while the acceptor waits for room. */
  private Runnable onLeave;

  PendingConnections(int max) {
    this(max, System::nanoTime);
  }

  PendingConnections(int max, LongSupplier clock) {
    this.clock = clock;
    if (max < 1) throw new IllegalArgumentException("max-pending-connections must be at least 1");
    this.max = max;
    this.softMark = max - Math.max(1, max / 10);
  }

  /** Now, by the clock ages are measured with. */
  long now() {
    return clock.getAsLong();
  }

  int max() {
    return max;
  }

  /** From this many pending connections on, a newcomer evicts the oldest. */
  int softMark() {
    return softMark;
  }

  /** Pending connections now (descriptors held by connections that are not streams). */
  synchronized int held() {
    return held;
  }

  synchronized long evicted() {
    return evicted;
  }

  synchronized long refused() {
    return refused;
  }

  /**
   * On the acceptor, for each accepted connection: its place in the accept order, or null when it
   * must be closed at once (the bound is reached). Past the soft mark it evicts the oldest pending
   * connection if that one is old enough (told on its own loop); the acceptor then asks
   * {@link #makeRoom} before the next.
   */
  Admission accept(long nowNanos) {
    RequestDeadline victim = null;
    Admission admitted;
    synchronized (this) {
      if (held >= max) {
        refused++;
        return null;
      }
      held++;
      admitted = new Admission(nextSeq++, nowNanos);
      if (credits > 0) credits--;
      if (held <= softMark) return admitted;
      RequestDeadline first = oldest;
      if (first != null && nowNanos - first.pendingSince >= MIN_AGE_NANOS) victim = pick(first);
    }
    if (victim != null) victim.evict(max);
    return admitted;
  }

  /**
   * On the acceptor, after each accept and while it waits: true when it may accept the next
   * connection: below the soft mark; or below the bound when the oldest is old enough to be
   * evicted by it, an eviction made here is owed an admission, or {@code waitedLong} (the acceptor
   * has waited about {@link #MIN_AGE_NANOS} without room: the next one may take a place between
   * the soft mark and the bound). Otherwise, at the bound and unless an eviction is already under
   * way, it makes room: it evicts the longest-pending connection if that one is old enough, or,
   * when {@code waitedLong}, the longest-pending idle one, else the longest-pending one, whatever
   * their age. Returns false then: the acceptor waits for the evicted connection to close
   * ({@link #onNextLeave}), after which one new connection is let in.
   */
  boolean makeRoom(long nowNanos, boolean waitedLong) {
    RequestDeadline victim = null;
    synchronized (this) {
      if (held < softMark) return true;
      if (held < max && (credits > 0 || waitedLong || (oldest != null && nowNanos - oldest.pendingSince >= MIN_AGE_NANOS))) {
        return true;
      }
      if (evicting > 0 || oldest == null) return false; // a descriptor is on its way back, or none to evict yet
      if (nowNanos - oldest.pendingSince >= MIN_AGE_NANOS) {
        victim = pick(oldest);
      } else if (waitedLong) {
        RequestDeadline idle = oldest;
        while (idle != null && !idle.idle) idle = idle.newer;
        victim = pick(idle != null ? idle : oldest);
      } else {
        return false;
      }
      credits++;
    }
    victim.evict(max);
    return false;
  }

  /** Unlinks {@code d} as evicted (it counts until it closes); under the lock. */
  private RequestDeadline pick(RequestDeadline d) {
    unlink(d);
    d.evicted = true;
    evicting++;
    evicted++;
    return d;
  }

  /** Connections in the list now: admitted, set up, not picked for eviction (tests wait for this). */
  synchronized int listed() {
    int n = 0;
    for (RequestDeadline d = oldest; d != null; d = d.newer) n++;
    return n;
  }

  /** How long until the oldest pending connection may be evicted; a guess when there is none. */
  synchronized long nanosUntilEvictable(long nowNanos) {
    if (oldest == null) return MIN_AGE_NANOS / 10;
    return Math.max(0, MIN_AGE_NANOS - (nowNanos - oldest.pendingSince));
  }

  /** Runs {@code r} once, on the next connection that leaves (a stream now, or closed); null clears it. */
  synchronized void onNextLeave(Runnable r) {
    onLeave = r;
  }

  /**
   * A connection admitted by {@link #accept} got its pipeline: it joins the list at its place in
   * the accept order (nearly always the newest end), aged from its accept. Without an admission
   * (not accepted through {@link #accept}) it joins as the newest, aged from now.
   */
  synchronized void joined(RequestDeadline d, Admission admitted) {
    if (admitted == null) admitted = new Admission(nextSeq++, now());
    d.seq = admitted.seq();
    d.pendingSince = admitted.atNanos();
    RequestDeadline after = newest;
    while (after != null && after.seq > d.seq) after = after.older;
    insertAfter(after, d);
  }

  /** The connection has sent a whole request: it moves to the newest end, aged from now. */
  synchronized void refreshed(RequestDeadline d) {
    if (!d.linked) return; // picked for eviction already
    unlink(d);
    d.seq = nextSeq++;
    d.pendingSince = now();
    insertAfter(newest, d);
  }

  /** The connection became a stream or closed: it no longer counts. Called once per admitted connection. */
  void left(RequestDeadline d) {
    Runnable r;
    synchronized (this) {
      if (d.linked) unlink(d);
      if (d.evicted) {
        d.evicted = false;
        evicting--;
      }
      held--;
      r = onLeave;
      onLeave = null;
    }
    if (r != null) r.run();
  }

  /** Links {@code d} right after {@code after} (null: as the oldest). */
  private void insertAfter(RequestDeadline after, RequestDeadline d) {
    d.older = after;
    d.newer = after != null ? after.newer : oldest;
    if (d.newer != null) d.newer.older = d;
    else newest = d;
    if (after != null) after.newer = d;
    else oldest = d;
    d.linked = true;
  }

  private void unlink(RequestDeadline d) {
    if (d.older != null) d.older.newer = d.newer;
    else oldest = d.newer;
    if (d.newer != null) d.newer.older = d.older;
    else newest = d.older;
    d.older = d.newer = null;
    d.linked = false;
  }
}
