package dev.ssekit.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * One open event stream, and the only handler left in its pipeline: it discards what the client
 * sends after its request, resumes writing when the socket drains, and unsubscribes when the
 * connection closes. Its few fields are weighed against the per-connection memory budget; all of
 * them are confined to the channel's event loop.
 */
final class Subscriber extends ChannelInboundHandlerAdapter {

  final Channel channel;
  final boolean chunked;
  final LoopSubscribers group;
  /** Sequence number of the next event this stream needs. */
  long nextSeq;
  /** Topic bytes published when the stream opened: lag is counted from here, not from a replay's start. */
  final long joinedAtBytes;
  /** Position in its group's array, for O(1) removal; -1 when not registered. */
  int index = -1;
  /** Set when the stream was ended (shutdown, slow consumer): nothing more is written. */
  boolean ended;
  /**
   * With a broker: the id this stream resumed after, when this instance had not yet read that far
   * from Redis (another instance issued it); events up to it, read later, are not sent again.
   * Null once an event past it was reached, and for every other stream.
   */
  StreamId skipThrough;

  Subscriber(Channel channel, boolean chunked, LoopSubscribers group, long nextSeq, long joinedAtBytes) {
    this.channel = channel;
    this.chunked = chunked;
    this.group = group;
    this.nextSeq = nextSeq;
    this.joinedAtBytes = joinedAtBytes;
  }

  /**
   * Whether {@code f} is one the client already has ({@link #skipThrough}); clears the skip at the
   * first event past it.
   */
  boolean skips(Frame f) {
    StreamId id = StreamId.parse(f.id);
    if (id != null && id.compareTo(skipThrough) <= 0) return true;
    skipThrough = null;
    return false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) group.pumpAndFlush(this);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    group.metrics().openStreams.decrementAndGet();
    group.metrics().slots.decrementAndGet();
    // Later on the loop, so a close during a drain never reorders the array the drain iterates.
    try {
      ctx.channel().eventLoop().execute(() -> group.remove(this));
    } catch (RejectedExecutionException stopping) {
      group.remove(this); // the loop is stopping: nothing iterates any more
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ServerLog.anomaly("stream-error", "closing stream " + ctx.channel().remoteAddress() + ": " + cause);
    }
    ctx.close();
  }

  @Override
  public boolean isSharable() {
    return false;
  }
}
