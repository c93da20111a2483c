package dev.ssekit.server;

import java.util.concurrent.TimeUnit;

/**
 * Connections that are not (yet) streams, bounded by {@code --max-pending-connections}: from
 * accept until a connection becomes an event or scenario stream (which {@code --max-connections}
 * bounds) or closes. That covers request heads and bodies being read, answers being written and
 * keep-alive connections idle between requests: every accepted connection counts toward one bound
 * or the other, so trickling heads (slowloris) cannot take the descriptors streams need.
 *
 * <p>Admission happens on the acceptor, before a connection gets a pipeline:
 * <ul>
 *   <li>below {@link #softMark()} (nine tenths of the bound): admitted;</li>
 *   <li>from there on, each new connection evicts the connection that has been pending longest
 *       (since it was accepted or last finished a request), if that one has been pending at least
 *       {@link #MIN_AGE_NANOS}: slow heads make room for fast ones, and a head that arrives in one
 *       packet is done long before it could be the oldest. The evicted connection is answered
 *       {@code 503} with {@code Retry-After} when it was mid-request, else just closed;</li>
 *   <li>when every pending connection is younger than that (a burst of real clients still being
 *       read), the acceptor stops accepting until there is room again (one falls below the mark or
 *       ages enough), and new connections wait in the kernel's backlog;</li>
 *   <li>at the bound itself a new connection is closed at once, without an answer.</li>
 * </ul>
 * Established streams are never evicted. The count includes evicted connections until they have
 * closed, so it bounds the descriptors pending connections hold.
 *
 * <p>The pending connections are kept in one list, oldest first, linked through their
 * {@link RequestDeadline} handlers (no allocation per connection). Guarded by {@code this}; the
 * acceptor and every event loop use it, each for a few pointer moves per connection or request.
 */
final class PendingConnections {

  /** How long a connection must have been pending before a newcomer may evict it. */
  static final long MIN_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int max;
  private final int softMark;
  private RequestDeadline oldest;
  private RequestDeadline newest;
  /** Connections admitted and not yet gone (a stream, or closed); evicted ones count until closed. */
  private int held;
  private long evicted;
  private long refused;
  /** Run once when a connection leaves while the acceptor waits for room. */
  private Runnable onLeave;

  PendingConnections(int max) {
    if (max < 1) throw new IllegalArgumentException("max-pending-connections must be at least 1");
    this.max = max;
    this.softMark = max - Math.max(1, max / 10);
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
   * On the acceptor, for each accepted connection: false when it must be closed at once (the
   * bound is reached). Past the soft mark it evicts the oldest pending connection if that one is
   * old enough (told on its own loop); the acceptor then asks {@link #roomFor} before the next.
   */
  boolean accept(long nowNanos) {
    RequestDeadline victim = null;
    synchronized (this) {
      if (held >= max) {
        refused++;
        return false;
      }
      held++;
      if (held <= softMark) return true;
      RequestDeadline first = oldest;
      if (first != null && nowNanos - first.pendingSince >= MIN_AGE_NANOS) {
        unlink(first);
        evicted++;
        victim = first;
      }
    }
    if (victim != null) victim.evict(max);
    return true;
  }

  /**
   * Whether accepting may go on after a pause: below the soft mark, or the oldest pending
   * connection is old enough to make room for the next.
   */
  synchronized boolean roomFor(long nowNanos) {
    return held < softMark || (held < max && oldest != null && nowNanos - oldest.pendingSince >= MIN_AGE_NANOS);
  }

  /** How long until the oldest pending connection may be evicted; a guess when there is none. */
  synchronized long nanosUntilEvictable(long nowNanos) {
    if (oldest == null) return MIN_AGE_NANOS / 10;
    return Math.max(0, MIN_AGE_NANOS - (nowNanos - oldest.pendingSince));
  }

  /** Runs {@code r} once, on the next connection that leaves (a stream now, or closed). */
  synchronized void onNextLeave(Runnable r) {
    onLeave = r;
  }

  /** A connection admitted by {@link #accept} got its pipeline: it joins the list as the newest. */
  synchronized void joined(RequestDeadline d, long nowNanos) {
    d.pendingSince = nowNanos;
    append(d);
  }

  /** The connection finished a request and is idle again: it moves to the newest end. */
  synchronized void refreshed(RequestDeadline d, long nowNanos) {
    if (!d.linked) return; // picked for eviction already
    unlink(d);
    d.pendingSince = nowNanos;
    append(d);
  }

  /** The connection became a stream or closed: it no longer counts. Called once per admitted connection. */
  void left(RequestDeadline d) {
    Runnable r;
    synchronized (this) {
      if (d.linked) unlink(d);
      held--;
      r = onLeave;
      onLeave = null;
    }
    if (r != null) r.run();
  }

  private void append(RequestDeadline d) {
    d.older = newest;
    d.newer = null;
    if (newest != null) newest.newer = d;
    else oldest = d;
    newest = d;
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
