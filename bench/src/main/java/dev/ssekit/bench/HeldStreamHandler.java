package dev.ssekit.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one stream {@link HoldConnections} holds: a handful of ints, no buffers. It sends
 * the request once connected, checks the response head as its bytes arrive (status 200, a
 * {@code text/event-stream} content type, at most {@value #MAX_HEAD_BYTES} bytes), then scans the
 * body for the fan-out's marker; every buffer is released at once. What it sees goes into the
 * run's {@link HoldState}; a stream with a bad head is counted and closed.
 */
final class HeldStreamHandler extends ChannelInboundHandlerAdapter {

  static final int MAX_HEAD_BYTES = 16 * 1024;

  private final HoldState run;
  private final byte[] request;
  private final long started = System.nanoTime();
  private int headBytes;
  private int status;
  private int endState; // progress through \r\n\r\n
  private int ctState;
  private boolean ctSeen;
  private boolean inBody;
  private boolean finished; // counted as failed
  private int markState;
  private BytePattern markPattern;
  private boolean delivered;

  HeldStreamHandler(HoldState run, byte[] request) {
    this.run = run;
    this.request = request;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(request), ctx.voidPromise());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof ByteBuf buf) || finished) return;
      int i = buf.readerIndex();
      if (!inBody) {
        i = readHead(ctx, buf, i);
        if (i < 0) return;
      }
      if (!delivered) scanForMarker(buf, i);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Reads response-head bytes from index {@code i}; returns the index where the body starts once
   * the head is complete and good, or -1 while it is incomplete or when the stream failed.
   */
  private int readHead(ChannelHandlerContext ctx, ByteBuf buf, int i) {
    int end = buf.writerIndex();
    for (; i < end && !inBody; i++) {
      byte b = buf.getByte(i);
      int pos = headBytes++;
      if (pos < 5 && b != "HTTP/".charAt(pos)) return fail(ctx, run.badStatus);
      if (pos >= 9 && pos <= 11) status = status * 10 + (b - '0');
      if (!ctSeen) {
        byte lower = (b >= 'A' && b <= 'Z') ? (byte) (b + 32) : b;
        ctState = BytePattern.EVENT_STREAM.step(ctState, lower);
        if (ctState == BytePattern.EVENT_STREAM.bytes.length) ctSeen = true;
      }
      endState = nextEndState(endState, b);
      if (endState == 4) inBody = true;
      else if (headBytes > MAX_HEAD_BYTES) return fail(ctx, run.headTooLarge);
    }
    if (!inBody) return -1;
    if (status != 200) return fail(ctx, run.badStatus);
    if (!ctSeen) return fail(ctx, run.badContentType);
    run.streamOpened(started);
    return i;
  }

  /** Progress through the blank line that ends the head: 1 \r, 2 \r\n, 3 \r\n\r, 4 \r\n\r\n. */
  private static int nextEndState(int endState, byte b) {
    if (b == '\r') return (endState == 2) ? 3 : 1;
    if (b == '\n') return (endState == 1) ? 2 : (endState == 3 ? 4 : 0);
    return 0;
  }

  /** Looks for the published marker in body bytes from index {@code i} on. */
  private void scanForMarker(ByteBuf buf, int i) {
    byte[] m = run.marker;
    if (m == null) return;
    if (markPattern == null || markPattern.bytes != m) {
      markPattern = BytePattern.forMarker(m);
      markState = 0;
    }
    for (int end = buf.writerIndex(); i < end; i++) {
      markState = markPattern.step(markState, buf.getByte(i));
      if (markState == m.length) {
        delivered = true;
        run.markerSeen();
        return;
      }
    }
  }

  /** Counts the stream as failed on {@code counter} and closes it; returns -1 for {@link #readHead}. */
  private int fail(ChannelHandlerContext ctx, AtomicInteger counter) {
    finished = true;
    counter.incrementAndGet();
    ctx.close();
    return -1;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (run.closing) return;
    if (inBody) {
      run.openNow.decrementAndGet();
      run.closedByPeer.incrementAndGet();
      if (run.marker != null && !delivered) run.closedBeforeMarker();
    } else if (!finished) {
      finished = true;
      run.closedBeforeHead.incrementAndGet();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    run.noteOnce("connection error: " + cause);
    ctx.close();
  }
}
