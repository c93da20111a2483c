package dev.ssekit.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * On the listening channel, ahead of Netty's acceptor; pauses accepting (new connections wait in
 * the kernel's backlog meanwhile) in two cases.
 *
 * <p>Accepting fails (typically {@code EMFILE}, no file descriptor left): it pauses for a moment
 * and tries again, doubling the pause up to half a second while it keeps failing, and logs it in
 * one rate-limited line that needs no file. The failure is not passed on: the rest of the pipeline
 * would log it through {@code java.util.logging}, whose formatter opens the time-zone data file,
 * which fails for the same reason and used to kill the accepting thread.
 *
 * <p>Every accepted connection is counted in {@link PendingConnections} until it becomes a stream.
 * After each one, if there is no room for another (the bound reached, or past the soft mark with
 * every pending connection still young), accepting waits: until a pending connection leaves, the
 * oldest is old enough to be evicted, or {@link PendingConnections#MIN_AGE_NANOS} of waiting
 * have passed (then the next one comes in anyway; at the bound {@link PendingConnections#makeRoom}
 * first evicts one whatever its age). The listening channel
 * reads one accept at a time (see {@link SseServer}), so the wait starts at the next connection on
 * every transport; one that still arrives at the bound itself is closed at once.
 */
@ChannelHandler.Sharable
final class AcceptBackoff extends ChannelInboundHandlerAdapter {

  private static final long FIRST_PAUSE_MS = 20;
  private static final long MAX_PAUSE_MS = 500;
  /** Longest wait between checks for room (a connection leaving normally ends the wait sooner). */
  private static final long MAX_ROOM_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private final ServerMetrics metrics;
  private final PendingConnections pending;
  // Touched only on the acceptor's event loop.
  private long pauseMs = FIRST_PAUSE_MS;
  private long lastFailureNanos;
  /** Not before this (after a failed accept). */
  private long resumeAtNanos;
  private boolean paused;
  /** When the current wait for room began ({@link PendingConnections#now()}). */
  private long pausedSinceNanos;
  private ScheduledFuture<?> timer;
  private Runnable wake;

  AcceptBackoff(ServerMetrics metrics, PendingConnections pending) {
    this.metrics = metrics;
    this.pending = pending;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // An accepted connection: the pause starts small again once accepting works for a second.
    if (System.nanoTime() - lastFailureNanos > 1_000_000_000L) pauseMs = FIRST_PAUSE_MS;
    long now = pending.now();
    PendingConnections.Admission admitted = pending.accept(now);
    if (admitted != null) {
      ((Channel) msg).attr(PendingConnections.ADMISSION).set(admitted); // its place in the accept order
      ctx.fireChannelRead(msg);
    } else {
      ((Channel) msg).unsafe().closeForcibly(); // not registered yet: closes the descriptor, nothing else
      ServerLog.anomaly("pending-full", "closed a new connection at once: " + pending.max()
          + " connections without a stream are open (--max-pending-connections)");
    }
    if (!pending.makeRoom(now, false)) pause(ctx, 0, now);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // The listening channel closed (shutdown): nothing to wake any more. A connection leaving
    // later must not post to the acceptor's loop, which may be shut down by then.
    pending.onNextLeave(null);
    if (timer != null) timer.cancel(false);
    timer = null;
    paused = false;
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    try {
      metrics.acceptFailures.increment();
      lastFailureNanos = System.nanoTime();
      long pause = pauseMs;
      pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
      ServerLog.anomaly("accept-failed", "cannot accept connections (" + cause.getMessage() + "; "
          + FdLimits.open() + " of " + FdLimits.current().limit() + " files open); pausing accepts for " + pause + "ms");
      pause(ctx, TimeUnit.MILLISECONDS.toNanos(pause), pending.now());
    } catch (Throwable t) { // never let logging or accounting end the accept loop
      if (!ctx.channel().config().isAutoRead()) return;
      ctx.channel().config().setAutoRead(false);
      ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), MAX_PAUSE_MS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Stops accepting for at least {@code nanos}, and until there is room for a pending connection.
   * {@code now} is the time the decision to wait was made on ({@link PendingConnections#now()}):
   * the wait counts from there, not from a second reading of the clock, which a moment later
   * (the acceptor's thread preempted in between) could start it late and postpone the forced
   * eviction.
   */
  private void pause(ChannelHandlerContext ctx, long nanos, long now) {
    if (!paused) pausedSinceNanos = now;
    resumeAtNanos = Math.max(resumeAtNanos, System.nanoTime() + nanos);
    ctx.channel().config().setAutoRead(false);
    paused = true;
    tryResume(ctx);
  }

  private void tryResume(ChannelHandlerContext ctx) {
    if (!paused) return;
    if (timer != null) timer.cancel(false);
    timer = null;
    long realNow = System.nanoTime();
    long wait;
    if (realNow < resumeAtNanos) {
      wait = resumeAtNanos - realNow;
    } else if (!ctx.channel().isOpen()) {
      paused = false;
      return;
    } else {
      if (wake == null) wake = () -> {
        try {
          ctx.executor().execute(() -> tryResume(ctx));
        } catch (RejectedExecutionException shuttingDown) {
          // the acceptor's loop is stopping: there is nothing left to resume
        }
      };
      pending.onNextLeave(wake); // before makeRoom: the connection it evicts may close at once
      long now = pending.now();
      if (pending.makeRoom(now, now - pausedSinceNanos >= PendingConnections.MIN_AGE_NANOS)) {
        pending.onNextLeave(null);
        paused = false;
        ctx.channel().config().setAutoRead(true);
        return;
      }
      // Woken early by a connection leaving; else check again when the oldest is old enough or
      // the wait is long enough to evict one whatever its age, and at least every 100 ms.
      wait = MAX_ROOM_CHECK_NANOS;
      long untilOld = pending.nanosUntilEvictable(now);
      long untilForced = pausedSinceNanos + PendingConnections.MIN_AGE_NANOS - now;
      if (untilOld > 0) wait = Math.min(wait, untilOld);
      if (untilForced > 0) wait = Math.min(wait, untilForced);
      wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), wait);
    }
    timer = ctx.executor().schedule(() -> {
      timer = null;
      tryResume(ctx);
    }, wait, TimeUnit.NANOSECONDS);
  }
}
