package dev.ssekit.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * First in the pipeline of a connection that is still plain HTTP (see
 * {@link SseServerInitializer}): bounds how long a client may take. Idle between requests: 30 s
 * ({@link SseServerInitializer#HTTP_IDLE_SECONDS}); from the first byte of a request head to its
 * end: {@code --head-timeout}; from the head to the end of the body: {@code --body-timeout}. A
 * client that trickles a head or a body (a byte now and then keeps a read timeout from firing) is
 * answered {@code 408} and closed. {@link RequestGuard} reports the end of each head and request.
 * Removed with the other HTTP handlers when the connection becomes a stream. All on the channel's
 * event loop.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

  private enum Phase { IDLE, HEAD, BODY, ANSWERING }

  private final long idleNanos;
  private final long headNanos;
  private final long bodyNanos;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.IDLE;
  private ScheduledFuture<?> timer;
  private boolean removed;

  RequestDeadline(long idleNanos, long headNanos, long bodyNanos) {
    this.idleNanos = idleNanos;
    this.headNanos = headNanos;
    this.bodyNanos = bodyNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (context.channel().isActive()) enter(Phase.IDLE);
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    if (timer == null) enter(Phase.IDLE);
    context.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (phase == Phase.IDLE) enter(Phase.HEAD); // the first byte of a request: its head is due
    context.fireChannelRead(msg);
  }

  /** The head of a request was decoded; a body, if any, is due within --body-timeout. */
  void headDone(boolean bodyFollows) {
    enter(bodyFollows ? Phase.BODY : Phase.ANSWERING);
  }

  /** The request was read whole and answered (or handed over); the next one may come. */
  void requestDone() {
    enter(Phase.IDLE);
  }

  /** A refusal is on its way out; only the linger bound applies now. */
  void answering() {
    enter(Phase.ANSWERING);
  }

  private void enter(Phase next) {
    if (removed) return;
    phase = next;
    if (timer != null) timer.cancel(false);
    timer = null;
    long nanos = switch (next) {
      case IDLE -> idleNanos;
      case HEAD -> headNanos;
      case BODY -> bodyNanos;
      case ANSWERING -> 0;
    };
    if (nanos > 0) {
      Phase armedFor = next;
      timer = ctx.executor().schedule(() -> expire(armedFor), nanos, TimeUnit.NANOSECONDS);
    }
  }

  private void expire(Phase armedFor) {
    if (removed || phase != armedFor || !ctx.channel().isActive()) return;
    timer = null;
    switch (armedFor) {
      case IDLE -> ctx.close();
      case HEAD -> refuse("request head not complete within " + Durations.format(java.time.Duration.ofNanos(headNanos))
          + " (--head-timeout)");
      case BODY -> refuse("request body not complete within " + Durations.format(java.time.Duration.ofNanos(bodyNanos))
          + " (--body-timeout)");
      case ANSWERING -> { }
    }
  }

  /** 408 written raw (this handler sits before the codec), then close. */
  private void refuse(String why) {
    ServerLog.anomaly("request-timeout", "closing " + ctx.channel().remoteAddress() + ": " + why);
    phase = Phase.ANSWERING;
    byte[] body = (why + "\n").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n";
    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), head + new String(body, StandardCharsets.UTF_8)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    removed = true;
    if (timer != null) timer.cancel(false);
    timer = null;
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    if (timer != null) timer.cancel(false);
    timer = null;
    context.fireChannelInactive();
  }
}
