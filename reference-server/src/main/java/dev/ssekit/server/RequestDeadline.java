package dev.ssekit.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
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
 *
 * <p>It is also the connection's entry in {@link PendingConnections} (the links below), from
 * accept until it becomes a stream or closes; a connection evicted from there to make room is
 * answered {@code 503} if mid-request, else closed.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

  private enum Phase { IDLE, HEAD, BODY, ANSWERING }

  /** How long an evicted connection that was mid-request may take to close its side after the 503. */
  static final long EVICT_LINGER_MILLIS = 1_000;
  /** ... or how long it may stay silent meanwhile (a slow head that sends nothing more needs no wait). */
  static final long EVICT_QUIET_MILLIS = 200;

  private final long idleNanos;
  private final long headNanos;
  private final long bodyNanos;
  private final PendingConnections pending;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.IDLE;
  private ScheduledFuture<?> timer;
  private boolean removed;
  private boolean joined;
  /** Evicted mid-request: the 503 is out, the rest of the request is dropped until the close. */
  private boolean draining;
  private long lastInputNanos;
  /** Between requests (read from the acceptor, which prefers idle connections when it must evict a young one). */
  volatile boolean idle = true;

  // The list of PendingConnections; guarded by that object.
  long pendingSince;
  RequestDeadline older;
  RequestDeadline newer;
  boolean linked;
  boolean evicted;

  RequestDeadline(long idleNanos, long headNanos, long bodyNanos, PendingConnections pending) {
    this.idleNanos = idleNanos;
    this.headNanos = headNanos;
    this.bodyNanos = bodyNanos;
    this.pending = pending;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (!joined) {
      joined = true;
      pending.joined(this, System.nanoTime());
    }
    if (context.channel().isActive()) enter(Phase.IDLE);
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    if (timer == null) enter(Phase.IDLE);
    context.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (draining) {
      lastInputNanos = System.nanoTime();
      ReferenceCountUtil.release(msg);
      return;
    }
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
    if (!removed) pending.refreshed(this, System.nanoTime());
  }

  /**
   * Picked to make room among {@code --max-pending-connections} (called from the acceptor): on this
   * connection's loop, unless it became a stream or closed meanwhile. Idle or answering: closed at
   * once. Mid-request (head or body being read): answered {@code 503} + {@code Retry-After}
   * (written raw: this handler sits before the codec), then the output is shut down and whatever
   * the client still sends is dropped until it closes its side, goes quiet for
   * {@link #EVICT_QUIET_MILLIS}, or at most {@link #EVICT_LINGER_MILLIS}: closing with its bytes
   * unread, or with more on the way, would reset the connection, and a reset can destroy the 503
   * before the client reads it.
   */
  void evict(int bound) {
    ctx.executor().execute(() -> {
      if (removed || !ctx.channel().isActive()) return;
      ServerLog.anomaly("pending-evicted", "closing " + ctx.channel().remoteAddress() + " (" + phase.name().toLowerCase(java.util.Locale.ROOT)
          + "): " + bound + " connections without a stream are open (--max-pending-connections); it was the longest pending");
      if (timer != null) timer.cancel(false);
      timer = null;
      if (phase != Phase.HEAD && phase != Phase.BODY) {
        ctx.close();
        return;
      }
      phase = Phase.ANSWERING;
      idle = false;
      draining = true;
      String body = "the server holds as many connections without a stream as it allows (--max-pending-connections "
          + bound + ") and this request was the slowest; retry\n";
      String head = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
          + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n";
      // Written from here, ahead of the codec: nothing else is queued on a pending connection.
      ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), head + body)).addListener(f -> {
        if (f.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) duplex.shutdownOutput();
        else ctx.close();
      });
      // The client's FIN closes the channel (half-closure is off); else it is closed once the
      // client has sent nothing for EVICT_QUIET_MILLIS, and after EVICT_LINGER_MILLIS whatever it
      // sends: the descriptor it holds is what a newcomer is waiting for.
      lastInputNanos = System.nanoTime();
      closeWhenQuiet(lastInputNanos + TimeUnit.MILLISECONDS.toNanos(EVICT_LINGER_MILLIS));
    });
  }

  private void closeWhenQuiet(long deadlineNanos) {
    long now = System.nanoTime();
    long quietAt = lastInputNanos + TimeUnit.MILLISECONDS.toNanos(EVICT_QUIET_MILLIS);
    if (now >= quietAt || now >= deadlineNanos || !ctx.channel().isOpen()) {
      ctx.close();
      return;
    }
    ctx.executor().schedule(() -> closeWhenQuiet(deadlineNanos), Math.min(quietAt, deadlineNanos) - now, TimeUnit.NANOSECONDS);
  }

  /** A refusal is on its way out; only the linger bound applies now. */
  void answering() {
    enter(Phase.ANSWERING);
  }

  private void enter(Phase next) {
    if (removed) return;
    phase = next;
    idle = next == Phase.IDLE;
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
    // A stream now (counted by --max-connections), or closed: no longer pending.
    if (joined) {
      joined = false;
      pending.left(this);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    if (timer != null) timer.cancel(false);
    timer = null;
    context.fireChannelInactive();
  }
}
