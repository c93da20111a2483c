package dev.ssekit.server.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ScenarioHandler} in an in-memory pipeline shaped like the server's
 * ({@code codec}, {@code aggregator}, {@code router}), behind a gate that holds every write until
 * the test completes it, as a socket whose peer does not read would. This makes the promises about
 * bounded buffering and timers exact instead of timing-based.
 */
class ScenarioHandlerTest {

  private final Gate gate = new Gate();
  private EmbeddedChannel channel;

  @AfterEach
  void releaseEverything() {
    gate.dropAll();
    if (channel != null) channel.finishAndReleaseAll();
  }

  @Test
  @DisplayName("a scenario request leaves only the script in the pipeline")
  void takesTheConnectionOver() {
    open("/scenarios/basic");
    assertThat(channel.pipeline().names()).contains("gate", "scenario").doesNotContain("codec", "aggregator", "router");
    assertThat(gate.pending()).as("the head is written at once").isEqualTo(1);
    assertThat(gate.passNext()).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked\r\n")
        .contains("Access-Control-Allow-Origin: *\r\n").contains("Cache-Control: no-cache\r\n").endsWith("\r\n\r\n");
  }

  @Test
  @DisplayName("lossy-ticks: live ticks with every 7th lost, every 5th twice and every 11th after the next")
  void lossyTicksBreakTheirPromiseExactlyAsDocumented() {
    open("/scenarios/lossy-ticks");
    assertThat(channel.pipeline().names()).contains("gate", "lossy-ticks").doesNotContain("codec", "aggregator", "router");
    assertThat(gate.passNext()).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/event-stream\r\n")
        .endsWith("retry: 3000\n\n");
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
      while (gate.pending() > 0) body.append(gate.passNext());
    }
    java.util.List<Long> seqs = new java.util.ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("id: (\\d+)\nevent: tick\ndata: \\{\"seq\":(\\d+),\"sentAtMicros\":\\d+}\n\n")
        .matcher(body);
    int end = 0;
    while (m.find()) {
      assertThat(m.start()).as("nothing between events").isEqualTo(end);
      assertThat(m.group(1)).isEqualTo(m.group(2));
      seqs.add(Long.parseLong(m.group(2)));
      end = m.end();
    }
    assertThat(end).isEqualTo(body.length());
    assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 5L, 6L, 8L, 9L, 10L, 10L, 12L, 11L, 13L, 15L, 15L, 16L, 17L, 18L,
        19L, 20L, 20L, 23L, 22L, 24L, 25L, 25L, 26L, 27L, 29L, 30L, 30L);
    channel.advanceTimeBy(10, TimeUnit.MINUTES);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).as("bounded: closed after ten minutes").isFalse();
  }

  @Test
  @DisplayName("F-08: the endless line never has more than one chunk waiting for the socket")
  void endlessLineIsBounded() {
    open("/scenarios/endless-line");
    assertThat(gate.passNext()).startsWith("HTTP/1.1 200 OK");
    channel.runPendingTasks();
    assertThat(gate.passNext()).isEqualTo("6\r\ndata: \r\n");
    for (int round = 0; round < 50; round++) {
      channel.runPendingTasks();
      assertThat(gate.pending()).as("writes queued while the socket is full").isEqualTo(1);
      channel.runPendingTasks();
      assertThat(gate.pending()).as("still one after another turn of the loop").isEqualTo(1);
      String chunk = gate.passNext();
      String size = Integer.toHexString(ScriptedStream.ENDLESS_CHUNK_BYTES);
      assertThat(chunk).isEqualTo(size + "\r\n" + "x".repeat(ScriptedStream.ENDLESS_CHUNK_BYTES) + "\r\n");
    }
  }

  @Test
  @DisplayName("the endless line's time bound closes a connection whose reader has stalled")
  void endlessLineDeadline() {
    open("/scenarios/endless-line");
    gate.passNext();
    channel.runPendingTasks();
    gate.passNext();
    channel.runPendingTasks();
    assertThat(gate.pending()).isEqualTo(1); // stalled: this write never completes
    channel.advanceTimeBy(10, TimeUnit.MINUTES);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).as("closed at the 10-minute bound").isFalse();
  }

  @Test
  @DisplayName("never-answering writes nothing and closes at its 5-minute bound")
  void neverAnsweringIsBounded() {
    open("/scenarios/never-answering");
    channel.runPendingTasks();
    assertThat(gate.pending()).isZero();
    channel.advanceTimeBy(299, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isTrue();
    assertThat(gate.pending()).isZero();
    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  @DisplayName("a client that goes cancels the scenario's timers")
  void closingCancelsTimers() {
    open("/scenarios/never-answering");
    assertThat(channel.runScheduledPendingTasks()).as("the silent bound is scheduled").isPositive();
    channel.close();
    assertEquals(-1, channel.runScheduledPendingTasks(), "no timer left after the client went");

    gate.dropAll();
    channel.finishAndReleaseAll();
    open("/scenarios/buffered-output");
    gate.passNext(); // head
    channel.runPendingTasks();
    assertThat(channel.runScheduledPendingTasks()).as("the 3 s hold is scheduled").isPositive();
    channel.close();
    assertEquals(-1, channel.runScheduledPendingTasks(), "no timer left after the client went");
  }

  @Test
  @DisplayName("a correct scenario ends with the last chunk, then closes")
  void cleanEnd() {
    open("/scenarios/bom");
    gate.passNext();
    channel.runPendingTasks();
    assertThat(gate.passNext()).isEqualTo("c\r\n\u00EF\u00BB\u00BFdata: a\n\n\r\n"); // V44 as one chunk (bytes as Latin-1)
    channel.runPendingTasks();
    assertThat(gate.passNext()).isEqualTo("0\r\n\r\n");
    channel.runPendingTasks();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  @DisplayName("bytes arriving after the request are released unread")
  void inboundAfterTakeOverIsDropped() {
    open("/scenarios/never-answering");
    ByteBuf extra = Unpooled.copiedBuffer("more bytes", StandardCharsets.US_ASCII);
    channel.writeInbound(extra);
    assertThat(extra.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
  }

  private void open(String path) {
    channel = new EmbeddedChannel();
    ScenarioHandler handler = new ScenarioHandler();
    channel.pipeline()
        .addLast("gate", gate)
        .addLast("codec", new HttpServerCodec())
        .addLast("aggregator", new HttpObjectAggregator(65_536))
        .addLast("router", new SimpleChannelInboundHandler<FullHttpRequest>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            handler.handle(ctx, request, new QueryStringDecoder(request.uri()).path());
          }
        });
    channel.writeInbound(Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n", StandardCharsets.US_ASCII));
  }

  /** Holds every write until the test passes it on, like a socket whose peer is not reading. */
  private static final class Gate extends ChannelOutboundHandlerAdapter {
    private final Deque<Object[]> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    @Override
    public boolean isSharable() {
      return true;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
      this.ctx = context;
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
      held.add(new Object[] {msg, promise});
    }

    @Override
    public void flush(ChannelHandlerContext context) {
      // held writes reach the socket only through passNext()
    }

    int pending() {
      return held.size();
    }

    /** Completes the oldest held write and returns its bytes as Latin-1 text. */
    String passNext() {
      Object[] next = held.poll();
      if (next == null) throw new AssertionError("no write is pending");
      ByteBuf buf = (ByteBuf) next[0];
      String text = buf.toString(StandardCharsets.ISO_8859_1);
      ctx.writeAndFlush(buf, (ChannelPromise) next[1]);
      return text;
    }

    void dropAll() {
      Object[] next;
      while ((next = held.poll()) != null) {
        ((ByteBuf) next[0]).release();
        ((ChannelPromise) next[1]).tryFailure(new IllegalStateException("dropped by the test"));
      }
    }
  }
}
