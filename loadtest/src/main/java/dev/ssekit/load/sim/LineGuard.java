package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Sizes;
import dev.ssekit.load.report.CapacityReport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Before Gatling's response handler, on the decoded body: fails the stream when a line (the bytes
 * between two line breaks: CR, LF or CRLF) passes the line bound, or an event (the bytes of its
 * lines, comments aside, since the blank line that dispatched the last one) passes the event
 * bound, before Gatling's SSE decoder buffers it. Also notes when this client asks to close the
 * connection, so that the close is not taken for the server's failure.
 */
final class LineGuard extends ChannelDuplexHandler {
  private final long maxLine;
  private final long maxEvent;
  private long line;
  private long event;
  private boolean comment;
  private boolean afterCr;
  private boolean failed;
  boolean closeRequested;
  private ChannelHandlerContext ctx;

  LineGuard(long maxLine, long maxEvent) {
    this.maxLine = maxLine;
    this.maxEvent = maxEvent;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Fails the connection with {@code e} (on its event loop), unless this guard is no longer in its pipeline. */
  void fail(LimitExceeded e) {
    if (ctx != null && !ctx.isRemoved()) {
      failed = true;
      ctx.fireExceptionCaught(e);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    closeRequested = true;
    super.close(ctx, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpContent content) {
      ByteBuf b = content.content();
      int over = b.forEachByte(this::accept);
      if (over >= 0) {
        failed = true;
        ReferenceCountUtil.release(msg);
        ctx.fireExceptionCaught(line > maxLine
            ? new LimitExceeded(CapacityReport.Failure.LINE_TOO_LONG, "a line longer than " + Sizes.describe(maxLine))
            : new LimitExceeded(CapacityReport.Failure.EVENT_TOO_LARGE,
                "an event (its lines up to the blank line) larger than " + Sizes.describe(maxEvent)));
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** One body byte; false when it passes a bound. */
  private boolean accept(byte value) {
    if (value == '\n' && afterCr) { // the LF of a CRLF: the line already ended at the CR
      afterCr = false;
      return true;
    }
    afterCr = value == '\r';
    if (value == '\n' || value == '\r') {
      if (line == 0) {
        event = 0; // a blank line: the event is dispatched, Gatling's buffer emptied
      }
      line = 0;
      return true;
    }
    if (line == 0) {
      comment = value == ':';
    }
    line++;
    if (!comment) {
      event++;
    }
    return line <= maxLine && event <= maxEvent;
  }
}
