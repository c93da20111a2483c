package dev.ssekit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

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
  /** The heads of a stream on HTTP/1.1 and HTTP/1.0, and of a turn-away; with --cors-origin, as they are written raw. */
  private final StreamWire.Head head11;
  private final StreamWire.Head head10;
  private final StreamWire.Head closingHead;
  private volatile boolean shuttingDown;
  /** With --broker: topics are mirrored from Redis on first use here; else null. */
  private final RedisBroker broker;

  /**
   * How long a resume waits for an id newer than any this instance has read: issued by another
   * instance a moment ago, it is on its way through this instance's reader. Past it the id is
   * treated as unknown (the reset event), which is also what a resume during a Redis outage gets.
   */
  static final long CATCH_UP_MILLIS = 2_000;
  private static final long CATCH_UP_POLL_MILLIS = 5;

  EventStreams(ServerConfig config, Topics topics, ServerMetrics metrics, RedisBroker broker) {
    this.broker = broker;
    this.config = config;
    this.topics = topics;
    this.metrics = metrics;
    this.openingBlock = Frame.control(StreamWire.retryBlock(config.retry().toMillis(), null));
    this.head11 = StreamWire.Head.stream(true, config.corsOrigin());
    this.head10 = StreamWire.Head.stream(false, config.corsOrigin());
    this.closingHead = StreamWire.Head.closing(config.corsOrigin());
  }

  void shuttingDown() {
    shuttingDown = true;
  }

  void open(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
    String topicName = first(query, "topic", ServerConfig.DEFAULT_TOPIC);
    String invalid = Topics.invalidReason(topicName);
    if (invalid != null) {
      Responses.text(ctx, req, HttpResponseStatus.BAD_REQUEST, invalid);
      return;
    }
    boolean http11 = req.protocolVersion().equals(HttpVersion.HTTP_1_1);
    if (shuttingDown) {
      // The normal retry: the client should come back promptly, to whichever instance answers.
      turnAway(ctx, config.retry().toMillis(), "server is shutting down; reconnect and resume with Last-Event-ID");
      return;
    }
    if (!reserveSlot()) {
      turnAway(ctx, backOffMillis(), "server is at --max-connections (" + config.maxConnections() + " streams)");
      return;
    }
    String lastEventId = lastEventId(req, query);
    if (broker != null) {
      viaBroker(ctx, topicName, http11, lastEventId, 1);
      return;
    }
    subscribe(ctx, topicName, http11, lastEventId, 0);
  }

  /** Times a stream mirrors its topic again when the sweep removed it in between, before it is turned away. */
  private static final int MIRROR_ATTEMPTS = 3;

  /**
   * With a broker, a topic not yet mirrored here is read from Redis first, and a resume from an id
   * another instance issued a moment ago waits (at most {@link #CATCH_UP_MILLIS}) until this
   * instance has read it; the connection reads nothing meanwhile. Redis unreachable for a topic not
   * mirrored here: the stream is told to retry.
   */
  private void viaBroker(ChannelHandlerContext ctx, String topicName, boolean http11, String lastEventId, int attempt) {
    Channel ch = ctx.channel();
    ch.config().setAutoRead(false);
    broker.mirror(topicName).whenComplete((ok, failure) -> ctx.executor().execute(() -> {
      if (failure == null) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_MILLIS);
        afterCatchUp(ctx, topicName, http11, lastEventId, deadline, attempt);
        return;
      }
      releaseSlot();
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      if (cause instanceof Topics.Refused refused) {
        turnAway(ctx, backOffMillis(), refused.getMessage());
      } else {
        turnAway(ctx, config.retry().toMillis(), "the broker " + broker.uri() + " cannot be reached ("
            + RedisBroker.reason(failure) + "); reconnect and resume with Last-Event-ID");
      }
      ch.config().setAutoRead(true);
    }));
  }

  private void afterCatchUp(ChannelHandlerContext ctx, String topicName, boolean http11, String lastEventId, long deadline,
      int attempt) {
    Topic topic = topics.find(topicName);
    if (lastEventId != null && topic != null && topic.ahead(lastEventId) && System.nanoTime() < deadline) {
      ctx.executor().schedule(() -> afterCatchUp(ctx, topicName, http11, lastEventId, deadline, attempt),
          CATCH_UP_POLL_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    // Reading resumes once the stream has started (after its head), unless the topic is mirrored again.
    if (subscribe(ctx, topicName, http11, lastEventId, attempt)) ctx.channel().config().setAutoRead(true);
  }

  /** Counts back a stream reserved by {@link #reserveSlot} that never opened. */
  private void releaseSlot() {
    metrics.openStreams.decrementAndGet();
    metrics.slots.decrementAndGet();
  }

  /** Subscribes the connection to {@code topicName}, after {@code lastEventId} when given, and writes the stream's start. */
  /** Returns false when the stream went back to {@link #viaBroker} (its topic to be mirrored again). */
  private boolean subscribe(ChannelHandlerContext ctx, String topicName, boolean http11, String lastEventId, int attempt) {
    Channel ch = ctx.channel();
    if (!ch.isActive()) {
      // The client left already; its channelInactive went to the HTTP pipeline, not to a Subscriber.
      releaseSlot();
      return true;
    }
    Topics.Start start = topics.subscribe(topicName, ch.eventLoop(), lastEventId);
    if (start == Topics.NOT_MIRRORED) {
      if (attempt < MIRROR_ATTEMPTS) {
        viaBroker(ctx, topicName, http11, lastEventId, attempt + 1); // swept since it was mirrored
        return false;
      }
      releaseSlot();
      turnAway(ctx, backOffMillis(), "server holds " + topics.maxTopics() + " topics (--max-topics); none stays mirrored");
      return true;
    }
    if (start == null) {
      releaseSlot();
      turnAway(ctx, backOffMillis(), "server holds " + topics.maxTopics() + " topics with history or subscribers (--max-topics)");
      return true;
    }
    Subscriber s = new Subscriber(ch, http11, start.group(), start.nextSeq(), start.joinedAtBytes());
    StreamWire.takeOver(ctx, "stream", s);
    metrics.streamsOpened.increment();
    // openStreams goes down in Subscriber.channelInactive: no per-stream listener object.

    ByteBuf head = Unpooled.wrappedBuffer((http11 ? head11 : head10).bytes());
    ch.write(head, ch.voidPromise());
    long bytes = head.readableBytes();
    ch.write(openingBlock.wire(http11), ch.voidPromise());
    bytes += openingBlock.wireLength(http11);
    if (lastEventId != null) {
      if (start.resumed()) {
        metrics.resumeHits.increment();
      } else if (start.ahead()) {
        // Nothing was missed: this instance is behind Redis. What it reads up to that id is not sent again.
        metrics.resumeHits.increment();
        s.skipThrough = StreamId.parse(lastEventId);
        ServerLog.anomaly("resume-ahead", "a stream resumed after " + lastEventId + " on topic '" + topicName
            + "', which this instance had not read from the broker within " + CATCH_UP_MILLIS + " ms; it starts at"
            + " the live edge and skips events up to that id");
      } else {
        metrics.resumeMisses.increment();
        Frame notice = Frame.control(concat(EventEncoder.comment(missNotice(lastEventId, start.heldIds())),
            resetEvent(lastEventId, start)));
        ch.write(notice.wire(http11), ch.voidPromise());
        bytes += notice.wireLength(http11);
      }
    }
    metrics.bytesWritten.increment(bytes);
    start.group().add(s);
    // The replay (if any) comes from the history like every later event; the head goes out now.
    if (start.group().pump(s) > 0) metrics.eventFlushes.increment();
    ch.flush();
    return true;
  }

  /** {@code HEAD /events}: the head a GET on HTTP/1.1 would get, through the codec; nobody is subscribed. */
  void head(ChannelHandlerContext ctx, FullHttpRequest req) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head11.applyTo(res);
    Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
  }

  private long backOffMillis() {
    return Math.max(30_000, config.retry().toMillis() * 10);
  }

  /** Counts a new stream unless --max-connections streams (scenario streams included) are open. */
  private boolean reserveSlot() {
    if (!metrics.reserveSlot(config.maxConnections())) return false;
    metrics.openStreams.incrementAndGet();
    return true;
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

  /** The type of the event that tells a page its cursor was not found (docs/server.md). */
  static final String RESET_EVENT = "reset";

  /**
   * {@code event: reset}: the page's last event id is not in the history (a restart, another
   * instance, or it left the history), so events may be missing and the page should reload its
   * state. Unlike a comment, EventSource dispatches it. Its id is the newest id held, where the
   * stream continues from, so a later reconnect resumes cleanly; with no history there is no id
   * line, and the page keeps its old cursor (and hears about the gap again if it reconnects
   * before the next event).
   */
  private static byte[] resetEvent(String lastEventId, Topics.Start start) {
    String shown = lastEventId.length() > 128 ? lastEventId.substring(0, 128) + "…" : lastEventId;
    String[] held = start.heldIds();
    StringBuilder data = new StringBuilder("{\"lastEventId\":").append(Responses.jsonString(shown))
        .append(",\"reason\":\"").append(start.expired() ? "expired" : "unknown").append('"');
    if (held != null) {
      data.append(",\"oldestId\":").append(Responses.jsonString(held[0])).append(",\"newestId\":").append(Responses.jsonString(held[1]));
    }
    data.append('}');
    byte[] body = EventEncoder.body(RESET_EVENT, data.toString());
    return held == null ? body : concat(EventEncoder.idLine(held[1]), body);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String missNotice(String lastEventId, String[] heldIds) {
    String shown = lastEventId.length() > 128 ? lastEventId.substring(0, 128) + "…" : lastEventId;
    String range = heldIds == null ? "it holds no events now" : "it holds ids " + heldIds[0] + " to " + heldIds[1];
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

  /**
   * Past --max-connections, while shutting down, or with a full topic registry: a 200 stream that
   * sets a retry time and closes. A browser reconnects after it; a 503 would stop it for good
   * (WHATWG §9.2.2).
   */
  private void turnAway(ChannelHandlerContext ctx, long retryMs, String why) {
    metrics.streamsRejected.increment();
    ServerLog.anomaly("turned-away", "turned a stream away: " + why);
    StreamWire.takeOver(ctx, "stream", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext c, Object msg) {
        ReferenceCountUtil.release(msg);
      }
    });
    Channel ch = ctx.channel();
    byte[] head = closingHead.bytes();
    byte[] body = StreamWire.retryBlock(retryMs, why + "; retry in " + Durations.format(java.time.Duration.ofMillis(retryMs)));
    ch.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
  }

  private static String first(QueryStringDecoder q, String name, String fallback) {
    List<String> values = q.parameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }

}
