package dev.ssekit.server.scenario;

import dev.ssekit.server.StreamWire;
import dev.ssekit.server.scenario.Scenario.Abort;
import dev.ssekit.server.scenario.Scenario.EndlessLine;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.NeverAnswer;
import dev.ssekit.server.scenario.Scenario.Step;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Plays one {@link Scenario} on one connection, for {@code GET /scenarios/{name}}: the handler
 * that {@link ScenarioHandler} leaves alone in the pipeline ({@link StreamWire#takeOver}). It
 * writes the head ({@link #headBytes}), then each step as one write and flush (one chunk when
 * chunked), with delays on the channel's event loop, then the ending. Inbound bytes are released
 * unread; the channel closing cancels the timers. All methods run on the channel's event loop.
 */
final class ScriptedStream extends ChannelInboundHandlerAdapter {

  /** Filler bytes per write of an endless line; only one such write is ever pending. */
  static final int ENDLESS_CHUNK_BYTES = 16 * 1024;

  private final Scenario scenario;
  private final boolean chunked;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> stepTimer;
  private ScheduledFuture<?> deadline;
  private long endlessSent;
  private boolean closed;

  ScriptedStream(Scenario scenario) {
    this.scenario = scenario;
    this.chunked = scenario.head() != null && scenario.head().framing() == Framing.CHUNKED;
  }

  /**
   * The scenario's status line and own headers, then {@code Cache-Control: no-cache},
   * {@code Access-Control-Allow-Origin: *}, the framing header and {@code Connection: close}.
   * Written through {@link StreamWire#rawHead} but not as a {@link StreamWire.Head}, on purpose: a
   * scenario sends exactly the bytes its script says (any status, a missing or foreign content
   * type, its headers in its order, no {@code X-Accel-Buffering}), and the conformance and browser
   * tests judge clients by what they make of those bytes.
   */
  static byte[] headBytes(Scenario scenario) {
    Head head = scenario.head();
    List<String> lines = new ArrayList<>();
    for (Header h : head.headers()) lines.add(h.name() + ": " + h.value());
    lines.add("Cache-Control: no-cache");
    lines.add("Access-Control-Allow-Origin: *");
    switch (head.framing()) {
      case CHUNKED -> lines.add("Transfer-Encoding: chunked");
      case CONTENT_LENGTH -> lines.add("Content-Length: " + scenario.body().length);
      case CLOSE_DELIMITED, NO_BODY -> { }
    }
    lines.add("Connection: close");
    return StreamWire.rawHead("HTTP/1.1 " + head.status() + " " + head.reason(), lines).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
  }

  /** Starts the script; once, right after the takeover. */
  void start() {
    if (scenario.ending() instanceof NeverAnswer silent) {
      // Send nothing; hold the connection for the bound unless the client goes first.
      deadline = schedule(ctx::close, silent.bound());
      return;
    }
    if (scenario.ending() instanceof EndlessLine endless) {
      deadline = schedule(ctx::close, endless.maxTime());
    }
    write(Unpooled.wrappedBuffer(headBytes(scenario)), () -> step(0));
  }

  private void step(int index) {
    List<Step> steps = scenario.steps();
    if (index == steps.size()) {
      finish();
      return;
    }
    Step step = steps.get(index);
    Runnable play = () -> write(frame(step.bytes()), () -> step(index + 1));
    if (step.delay().isZero()) {
      ctx.executor().execute(play); // a new task, so completed writes never recurse
    } else {
      stepTimer = schedule(play, step.delay());
    }
  }

  private void finish() {
    Scenario.Ending ending = scenario.ending();
    if (ending instanceof Abort) {
      // SO_LINGER 0 turns the close into a TCP reset; no terminating chunk is sent (F-06).
      ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
      ctx.close();
    } else if (ending instanceof EndlessLine endless) {
      endless(endless, filler(endless.filler()));
    } else {
      StreamWire.end(ctx.channel(), chunked); // Close: the last chunk, then FIN
    }
  }

  /** One filler chunk per completed write: at most one chunk is ever queued (F-08 without unbounded buffering). */
  private void endless(EndlessLine endless, byte[] filler) {
    long left = endless.maxBytes() - endlessSent;
    if (left <= 0) {
      StreamWire.end(ctx.channel(), chunked);
      return;
    }
    int n = (int) Math.min(filler.length, left);
    endlessSent += n;
    write(StreamWire.chunk(Unpooled.wrappedBuffer(filler, 0, n)), () -> ctx.executor().execute(() -> endless(endless, filler)));
  }

  private static byte[] filler(byte b) {
    byte[] filler = new byte[ENDLESS_CHUNK_BYTES];
    Arrays.fill(filler, b);
    return filler;
  }

  private ByteBuf frame(byte[] bytes) {
    return chunked ? StreamWire.chunk(Unpooled.wrappedBuffer(bytes)) : Unpooled.wrappedBuffer(bytes);
  }

  /** Writes and flushes; runs {@code then} once the bytes are handed to the socket, closes on failure. */
  private void write(ByteBuf bytes, Runnable then) {
    if (closed) {
      bytes.release();
      return;
    }
    ctx.writeAndFlush(bytes).addListener(f -> {
      if (f.isSuccess()) {
        if (!closed) then.run();
      } else {
        ctx.close();
      }
    });
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return ctx.executor().schedule(() -> {
      if (!closed) task.run();
    }, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    ReferenceCountUtil.release(msg); // the request was already read; anything else is ignored
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    stop();
    context.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    stop();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    // A reset or broken pipe from a departing client ends the script; nothing else to report.
    context.close();
  }

  private void stop() {
    closed = true;
    if (stepTimer != null) stepTimer.cancel(false);
    if (deadline != null) deadline.cancel(false);
  }
}
