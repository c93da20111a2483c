package dev.ssekit.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * First in the pipeline of a connection that is still plain HTTP (see
 * {@link SseServerInitializer}): bounds how long a client may take. Idle between requests: 30 s
 * ({@link SseServerInitializer#HTTP_IDLE_SECONDS}); from the first byte of a request head to its
 * end: {@code --head-timeout}; from the head to the end of the body: {@code --body-timeout}. A
 * client that trickles a head or a body (a byte now and then keeps a read timeout from firing) is
 * answered {@code 408} and closed without a reset (what it still sends is drained for a moment,
 * see {@link #answerAndDrain}). {@link RequestGuard} reports the end of each head and request.
 * Removed with the other HTTP handlers when the connection becomes a stream. All on the channel's
 * event loop.
 *
 * <p>It is also the connection's entry in {@link PendingConnections} (the links below), from
 * accept until it becomes a stream or closes; a connection evicted from there to make room is
 * answered {@code 503} if mid-request, else closed.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

  private enum Phase { IDLE, HEAD, BODY, ANSWERING }

  /** How long a connection answered mid-request (503 when evicted, 408 when too slow) may take to close its side. */
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
  /** Answered mid-request (503 or 408): the rest of the request is dropped until the close. */
  private boolean draining;
  private long lastInputNanos;
  /** Between requests (read from the acceptor, which prefers idle connections when it must evict a young one). */
  volatile boolean idle = true;

  // The list of PendingConnections; guarded by that object.
  long pendingSince;
  long seq;
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
      pending.joined(this, context.channel().attr(PendingConnections.ADMISSION).getAndSet(null));
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

  /**
   * The request was read whole and is about to be answered: the connection becomes the newest
   * pending one now, before the answer goes out, so a client that has its answer has finished its
   * request as far as eviction goes (refreshed after the write, a new connection the client opened
   * on reading the answer could be accepted first and evict this one as the longest pending).
   */
  void requestRead() {
    if (!removed) pending.refreshed(this);
  }

  /** The request was answered (or handed over); the next one may come. */
  void requestDone() {
    enter(Phase.IDLE);
  }

  /**
   * Picked to make room among {@code --max-pending-connections} (called from the acceptor): on this
   * connection's loop, unless it became a stream or closed meanwhile. Idle or answering: closed at
   * once. Mid-request (head or body being read): answered {@code 503} + {@code Retry-After},
   * closed once the client stops sending ({@link #answerAndDrain}). Already answered 408 and
   * draining: left to close by itself, within {@link #EVICT_LINGER_MILLIS}.
   */
  void evict(int bound) {
    ctx.executor().execute(() -> {
      if (removed || !ctx.channel().isActive()) return;
      if (draining) return; // answered already (a 408) and closing within EVICT_LINGER_MILLIS
      ServerLog.anomaly("pending-evicted", "closing " + ctx.channel().remoteAddress() + " (" + phase.name().toLowerCase(java.util.Locale.ROOT)
          + "): " + bound + " connections without a stream are open (--max-pending-connections); it was the longest pending");
      if (phase != Phase.HEAD && phase != Phase.BODY) {
        cancelTimer();
        ctx.close();
        return;
      }
      answerAndDrain("503 Service Unavailable", "Retry-After: 1",
          "the server holds as many connections without a stream as it allows (--max-pending-connections "
          + bound + ") and this request was the slowest; retry\n");
    });
  }

  /**
   * Answers a request that is still arriving and closes without a reset: the answer is written
   * raw (this handler sits before the codec, and nothing else is queued on a pending connection),
   * then the output is shut down and whatever the client still sends is dropped until it closes
   * its side (half-closure is off, so its FIN closes the channel), goes quiet for
   * {@link #EVICT_QUIET_MILLIS}, or at most {@link #EVICT_LINGER_MILLIS}. Closing with its bytes
   * unread, or with more on the way, would reset the connection, and a reset can destroy the
   * answer before the client reads it.
   */
  private void answerAndDrain(String status, String extraHeader, String body) {
    cancelTimer();
    phase = Phase.ANSWERING;
    idle = false;
    draining = true;
    List<String> headers = new ArrayList<>(4);
    if (extraHeader != null) headers.add(extraHeader);
    headers.add("Content-Type: " + Responses.TEXT);
    headers.add("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length);
    headers.add("Connection: close");
    String head = StreamWire.rawHead("HTTP/1.1 " + status, headers);
    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), head + body)).addListener(f -> {
      if (f.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) duplex.shutdownOutput();
      else ctx.close();
    });
    lastInputNanos = System.nanoTime();
    closeWhenQuiet(lastInputNanos + TimeUnit.MILLISECONDS.toNanos(EVICT_LINGER_MILLIS));
  }

  private void cancelTimer() {
    if (timer != null) timer.cancel(false);
    timer = null;
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

  /**
   * 408, then closed the way an evicted request is ({@link #answerAndDrain}): a client that is
   * still sending its slow head or body reads the 408, not a reset.
   */
  private void refuse(String why) {
    ServerLog.anomaly("request-timeout", "closing " + ctx.channel().remoteAddress() + ": " + why);
    answerAndDrain("408 Request Timeout", null, why + "\n");
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
