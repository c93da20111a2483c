package dev.ssekit.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * On the listening channel, ahead of Netty's acceptor: when accepting fails (typically
 * {@code EMFILE}, no file descriptor left), stop accepting for a moment and try again, doubling
 * the pause up to half a second while it keeps failing, and log it in one rate-limited line that needs
 * no file. Pending connections wait in the kernel's backlog meanwhile and are accepted as soon as
 * descriptors free up. The failure is not passed on: the rest of the pipeline would log it
 * through {@code java.util.logging}, whose formatter opens the time-zone data file, which fails
 * for the same reason and used to kill the accepting thread.
 */
@ChannelHandler.Sharable
final class AcceptBackoff extends ChannelInboundHandlerAdapter {

  private static final long FIRST_PAUSE_MS = 20;
  private static final long MAX_PAUSE_MS = 500;
  private final ServerMetrics metrics;
  /** Touched only on the acceptor's event loop. */
  private long pauseMs = FIRST_PAUSE_MS;
  private long lastFailureNanos;

  AcceptBackoff(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // An accepted connection: the pause starts small again once accepting works for a second.
    if (System.nanoTime() - lastFailureNanos > 1_000_000_000L) pauseMs = FIRST_PAUSE_MS;
    ctx.fireChannelRead(msg);
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
      if (ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
          if (ctx.channel().isOpen()) ctx.channel().config().setAutoRead(true);
        }, pause, TimeUnit.MILLISECONDS);
      }
    } catch (Throwable t) { // never let logging or accounting end the accept loop
      if (!ctx.channel().config().isAutoRead()) return;
      ctx.channel().config().setAutoRead(false);
      ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), MAX_PAUSE_MS, TimeUnit.MILLISECONDS);
    }
  }
}
