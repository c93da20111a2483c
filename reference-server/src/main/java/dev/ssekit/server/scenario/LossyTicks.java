package dev.ssekit.server.scenario;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import dev.ssekit.server.StreamWire;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /scenarios/lossy-ticks}: a live fault for testing load testers, not a scripted
 * stream. It sends the reference server's own tick events ({@code event: tick}, data
 * {@code {"seq":N,"sentAtMicros":T}}, {@code id: N}) every {@link #PERIOD}, numbered per
 * connection from 1, but breaks its delivery promise on purpose:
 *
 * <ul>
 *   <li>every 7th tick is never sent (lost);
 *   <li>every 5th tick is sent twice (duplicated);
 *   <li>every 11th tick is held back and sent after the next one (out of order).
 * </ul>
 *
 * <p>Bounded: the stream ends after {@link #MAX_TIME}, or when the client goes. Everything runs on
 * the channel's event loop.
 */
final class LossyTicks extends ChannelInboundHandlerAdapter {
  static final String NAME = "lossy-ticks";
  static final Duration PERIOD = Duration.ofMillis(100);
  static final Duration MAX_TIME = Duration.ofMinutes(10);

  private static final byte[] HEAD = new StreamWire.Head(true, "no-cache", false, "*", false).bytes();
  private static final byte[] OPENING = StreamWire.retryBlock(3000, null);

  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> ticker;
  private ScheduledFuture<?> deadline;
  private long seq;
  private long heldBack = -1;

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
  }

  /** Starts the ticks; once, right after {@link StreamWire#takeOver}. */
  void start() {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(HEAD, OPENING));
    long ms = PERIOD.toMillis();
    ticker = ctx.executor().scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    deadline = ctx.executor().schedule(() -> ctx.close(), MAX_TIME.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What tick {@code n} becomes on the wire under the fault rules (package-private for tests). */
  static boolean lost(long n) {
    return n % 7 == 0;
  }

  static boolean doubled(long n) {
    return n % 5 == 0 && !lost(n);
  }

  static boolean heldBack(long n) {
    return n % 11 == 0 && !lost(n);
  }

  private void tick() {
    if (!ctx.channel().isActive()) {
      return;
    }
    long n = ++seq;
    StringBuilder out = new StringBuilder();
    if (heldBack(n)) {
      heldBack = n;
    } else if (!lost(n)) {
      append(out, n);
      if (doubled(n)) {
        append(out, n);
      }
      if (heldBack >= 0) {
        append(out, heldBack);
        heldBack = -1;
      }
    }
    if (out.length() > 0 && ctx.channel().isWritable()) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(out.toString().getBytes(StandardCharsets.US_ASCII)));
    }
  }

  private static void append(StringBuilder out, long n) {
    Instant now = Instant.now();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    out.append("id: ").append(n).append("\nevent: tick\ndata: {\"seq\":").append(n)
        .append(",\"sentAtMicros\":").append(micros).append("}\n\n");
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    ReferenceCountUtil.release(msg); // the client has nothing more to say
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    if (ticker != null) ticker.cancel(false);
    if (deadline != null) deadline.cancel(false);
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    context.close();
  }
}
