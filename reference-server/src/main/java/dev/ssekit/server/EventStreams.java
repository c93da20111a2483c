package dev.ssekit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code GET /events}: turns a connection into an event stream. The response head, the
 * {@code retry:} line, any resume notice and the replay go out in the first flush, before any
 * live event, and the connection then carries only shared frames.
 */
final class EventStreams {

  private final ServerConfig config;
  private final Topics topics;
  private final ServerMetrics metrics;
  private final Frame openingBlock;
  private volatile boolean shuttingDown;

  EventStreams(ServerConfig config, Topics topics, ServerMetrics metrics) {
    this.config = config;
    this.topics = topics;
    this.metrics = metrics;
    // retry first (WHATWG §9.2.6: takes effect when the line is processed), then a blank line.
    this.openingBlock = Frame.control(("retry: " + config.retry().toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII));
  }

  void shuttingDown() {
    shuttingDown = true;
  }

  void open(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
    String topicName = first(query, "topic", ServerConfig.DEFAULT_TOPIC);
    String invalid = Topics.invalidReason(topicName);
    if (invalid != null) {
      Responses.text(ctx, req, HttpResponseStatus.BAD_REQUEST, invalid, config.corsOrigin());
      return;
    }
    boolean http11 = req.protocolVersion().equals(HttpVersion.HTTP_1_1);
    Topic topic = topics.getOrCreate(topicName);
    if (topic == null) {
      Responses.text(ctx, req, HttpResponseStatus.TOO_MANY_REQUESTS,
          "this server already holds " + Topics.MAX_TOPICS + " topics; use an existing topic", config.corsOrigin());
      return;
    }
    if (shuttingDown || !reserveSlot()) {
      turnAway(ctx, http11, shuttingDown ? "server is shutting down" : "server is at --max-connections ("
          + config.maxConnections() + " streams)");
      return;
    }
    String lastEventId = lastEventId(req, query);

    Channel ch = ctx.channel();
    takeOver(ctx.pipeline());
    Subscriber s = new Subscriber(ch, http11);
    metrics.streamsOpened.increment();
    ch.closeFuture().addListener((ChannelFutureListener) f -> {
      metrics.openStreams.decrementAndGet();
      // Later on the loop, so a close during a fan-out never reorders the array it iterates.
      try {
        ch.eventLoop().execute(() -> topic.unsubscribe(s));
      } catch (RejectedExecutionException stopping) {
        // The loop is gone (server stopped): nothing is left to unsubscribe from.
      }
    });
    Topic.Subscription sub = topic.subscribe(s, lastEventId);

    ByteBuf head = Unpooled.buffer(256);
    head.writeCharSequence(responseHead(http11), StandardCharsets.US_ASCII);
    ch.write(head, ch.voidPromise());
    long bytes = head.readableBytes();
    ch.write(openingBlock.wire(http11), ch.voidPromise());
    bytes += openingBlock.wireLength(http11);
    if (lastEventId != null) {
      if (sub.resumed()) {
        metrics.resumeHits.increment();
      } else {
        metrics.resumeMisses.increment();
        Frame notice = Frame.control(EventEncoder.comment(missNotice(lastEventId, sub)));
        ch.write(notice.wire(http11), ch.voidPromise());
        bytes += notice.wireLength(http11);
      }
    }
    List<Frame> replay = sub.replay();
    for (Frame f : replay) {
      ch.write(f.wire(http11), ch.voidPromise());
      bytes += f.wireLength(http11);
    }
    ch.flush();
    metrics.eventsDelivered.increment(replay.size());
    metrics.bytesWritten.increment(bytes);
  }

  /** Counts a new stream unless --max-connections are open; exact under concurrency. */
  private boolean reserveSlot() {
    while (true) {
      int open = metrics.openStreams.get();
      if (open >= config.maxConnections()) return false;
      if (metrics.openStreams.compareAndSet(open, open + 1)) return true;
    }
  }

  /** The id to resume after: the header wins over the polyfill query parameter; empty means none. */
  private static String lastEventId(FullHttpRequest req, QueryStringDecoder query) {
    String header = req.headers().get("Last-Event-ID");
    String value;
    if (header != null) {
      // Netty reads header bytes as ISO-8859-1 characters; browsers send the id as UTF-8 (§9.2.4).
      value = new String(header.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    } else {
      value = first(query, "lastEventId", null);
    }
    return value == null || value.isEmpty() ? null : value;
  }

  private static String missNotice(String lastEventId, Topic.Subscription sub) {
    String shown = lastEventId.length() > 128 ? lastEventId.substring(0, 128) + "…" : lastEventId;
    String range = sub.oldestId() == null ? "it holds no events yet"
        : "it holds ids " + sub.oldestId() + " to " + sub.newestId();
    return "last-event-id '" + printable(shown) + "' is not in this server's history (" + range
        + "); events published in between may be missing; continuing from live events";
  }

  /** Escapes control characters so a client-chosen id cannot shape our comment line. */
  private static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02X", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }

  private String responseHead(boolean http11) {
    StringBuilder h = new StringBuilder(256);
    h.append(http11 ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.0 200 OK\r\n");
    h.append("Content-Type: text/event-stream\r\n");
    h.append("Cache-Control: no-cache, no-transform\r\n");
    h.append("X-Accel-Buffering: no\r\n");
    if (!config.corsOrigin().isEmpty()) h.append("Access-Control-Allow-Origin: ").append(config.corsOrigin()).append("\r\n");
    if (http11) h.append("Transfer-Encoding: chunked\r\n");
    else h.append("Connection: close\r\n");
    return h.append("\r\n").toString();
  }

  /**
   * Past --max-connections (or while shutting down): a 200 stream that sets a long retry and
   * closes. A browser reconnects after the retry time; a 503 would stop it for good (§9.2.2).
   */
  private void turnAway(ChannelHandlerContext ctx, boolean http11, String why) {
    metrics.streamsRejected.increment();
    ServerLog.anomaly("turned-away", "turned a stream away: " + why);
    long retryMs = Math.max(30_000, config.retry().toMillis() * 10);
    takeOver(ctx.pipeline());
    Channel ch = ctx.channel();
    String body = "retry: " + retryMs + "\n" + ": " + why + "; retry in " + retryMs / 1000 + "s\n\n";
    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\n"
        + (config.corsOrigin().isEmpty() ? "" : "Access-Control-Allow-Origin: " + config.corsOrigin() + "\r\n")
        + "Connection: close\r\n\r\n";
    ByteBuf out = ByteBufUtil.writeUtf8(ch.alloc(), head + body);
    ch.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  /** Leaves only the shared stream handler in the pipeline; bytes are written raw from here on. */
  private static void takeOver(ChannelPipeline p) {
    // Router first, so bytes the decoder still holds are handed to the stream handler, which drops them.
    p.replace("router", "stream", StreamInbound.INSTANCE);
    p.remove("aggregator");
    p.remove("codec");
  }

  private static String first(QueryStringDecoder q, String name, String fallback) {
    List<String> values = q.parameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }

  /** The code {@code 0\r\n\r\n} that ends a chunked body. */
  static ByteBuf lastChunk() {
    return Unpooled.wrappedBuffer("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The only handler of a stream connection: discards what the client sends after its request
   * and closes quietly on I/O errors (a reset by the peer is how most streams end).
   */
  @ChannelHandler.Sharable
  static final class StreamInbound extends ChannelInboundHandlerAdapter {
    static final StreamInbound INSTANCE = new StreamInbound();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof IOException)) {
        ServerLog.anomaly("stream-error", "closing stream " + ctx.channel().remoteAddress() + ": " + cause);
      }
      ctx.close();
    }
  }
}
