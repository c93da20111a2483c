package dev.ssekit.server.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Retry;
import dev.ssekit.server.StreamWire;
import dev.ssekit.server.scenario.Scenario.Abort;
import dev.ssekit.server.scenario.Scenario.EndlessLine;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.Kind;
import dev.ssekit.server.scenario.Scenario.NeverAnswer;
import dev.ssekit.server.scenario.Scenario.Step;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Serves the scenario catalog under {@code /scenarios}.
 *
 * <ul>
 *   <li>{@code GET /scenarios} (or {@code /scenarios/}) — JSON list of
 *       {@code {name, description, kind, rules, url, expectedUrl}}, {@code expectedUrl} null for faults.
 *   <li>{@code GET /scenarios/{name}/expected} — for a correct scenario,
 *       {@code application/x-ndjson}: one object per line in stream order, each dispatched event as
 *       {@code {"type","data","lastEventId"}} and each valid retry as {@code {"retry":N}} (the form
 *       {@code ./ssekit parse} prints); 404 for faults and unknown names.
 *   <li>{@code GET /scenarios/{name}} — the scripted bytes. The handler takes the connection over:
 *       it removes {@code codec} and {@code aggregator}, replaces the calling handler ({@code router})
 *       by a per-connection script that discards inbound bytes, writes the HTTP/1.1 head itself
 *       (always with {@code Connection: close}), then each step as one write and flush (one chunk
 *       when chunked), with delays on the channel's event loop. Correct scenarios end with the
 *       terminating chunk and a clean close. Every timer is bounded and cancelled when the channel
 *       closes.
 * </ul>
 *
 * <p>Other methods get 405 with {@code Allow: GET}; unknown paths get 404 with a short reason.
 * Thread-safe: instances hold only the immutable catalog and a Jackson mapper.
 */
public final class ScenarioHandler {

  /** Filler bytes per write of an endless line; only one such write is ever pending. */
  static final int ENDLESS_CHUNK_BYTES = 16 * 1024;

  private static final String PREFIX = "/scenarios";
  private static final byte[] CRLF = {'\r', '\n'};

  private final ScenarioCatalog catalog;
  private final Admission admission;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Whether a scenario stream may start on a connection. Scenario streams are long-lived
   * connections like event streams and count toward the same limit.
   */
  @FunctionalInterface
  public interface Admission {
    /**
     * Takes a slot for a stream on {@code channel}, released when it closes; false when none is free.
     *
     * @param channel the connection about to carry a scenario stream
     * @return whether the stream may start
     */
    boolean admit(io.netty.channel.Channel channel);
  }

  /** A handler for the standard catalog, admitting every stream. */
  public ScenarioHandler() {
    this(ScenarioCatalog.standard(), ch -> true);
  }

  /**
   * A handler for the standard catalog.
   *
   * @param admission decides whether a scenario stream may start (the server's --max-connections)
   */
  public ScenarioHandler(Admission admission) {
    this(ScenarioCatalog.standard(), admission);
  }

  /**
   * A handler for the given catalog, admitting every stream.
   *
   * @param catalog the scenarios to serve
   */
  public ScenarioHandler(ScenarioCatalog catalog) {
    this(catalog, ch -> true);
  }

  /**
   * A handler for the given catalog.
   *
   * @param catalog the scenarios to serve
   * @param admission decides whether a scenario stream may start
   */
  public ScenarioHandler(ScenarioCatalog catalog, Admission admission) {
    this.catalog = catalog;
    this.admission = admission;
  }

  /** The catalog served. */
  public ScenarioCatalog catalog() {
    return catalog;
  }

  /**
   * Answers one request under {@code /scenarios}. Must run on the channel's event loop, from the
   * handler named by {@code ctx} (the router). Does not release {@code request}.
   *
   * @param ctx the calling handler's context; for a scenario stream that handler is replaced
   * @param request the aggregated request
   * @param path the decoded path without query string, starting with {@code /scenarios}
   */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
      text(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
      return;
    }
    if (!HttpMethod.GET.equals(request.method())) {
      FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED,
          "text/plain; charset=utf-8", utf8("method " + request.method() + " not allowed here; use GET\n"));
      response.headers().set(HttpHeaderNames.ALLOW, "GET");
      send(ctx, keepAlive, response);
      return;
    }
    String rest = path.substring(PREFIX.length());
    if (rest.isEmpty() || rest.equals("/")) {
      send(ctx, keepAlive, response(HttpResponseStatus.OK, "application/json", listing()));
      return;
    }
    String[] parts = rest.substring(1).split("/", -1);
    if (parts.length == 1 && parts[0].equals(LossyTicks.NAME)) {
      if (admitted(ctx)) LossyTicks.takeOver(ctx); // live, not scripted: not in the catalog
      return;
    }
    Optional<Scenario> scenario = catalog.find(parts[0]);
    if (scenario.isEmpty()) {
      text(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "no scenario named '" + parts[0] + "'; see /scenarios");
    } else if (parts.length == 1) {
      if (admitted(ctx)) takeOver(ctx, scenario.get());
    } else if (parts.length == 2 && parts[1].equals("expected")) {
      expected(ctx, keepAlive, scenario.get());
    } else {
      text(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
    }
  }

  /** Past the server's stream limit: 503 with Retry-After, and close. */
  private boolean admitted(ChannelHandlerContext ctx) {
    if (admission.admit(ctx.channel())) return true;
    FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
        utf8("the server holds as many streams as --max-connections allows; retry later\n"));
    response.headers().set(HttpHeaderNames.RETRY_AFTER, "30");
    send(ctx, false, response);
    return false;
  }

  /**
   * The body of {@code /scenarios/{name}/expected} for a correct scenario: one JSON object per line.
   *
   * @param scenario a correct scenario
   * @return UTF-8 NDJSON, empty when no item is expected
   */
  public byte[] expectedNdjson(Scenario scenario) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ParsedItem item : scenario.expected()) {
      ObjectNode node = json.createObjectNode();
      if (item instanceof DispatchedEvent e) {
        node.put("type", e.type()).put("data", e.data()).put("lastEventId", e.lastEventId());
      } else if (item instanceof Retry r) {
        node.put("retry", r.millis());
      }
      out.writeBytes(jsonBytes(node));
      out.write('\n');
    }
    return out.toByteArray();
  }

  private void expected(ChannelHandlerContext ctx, boolean keepAlive, Scenario scenario) {
    if (scenario.kind() == Kind.FAULT) {
      text(ctx, keepAlive, HttpResponseStatus.NOT_FOUND,
          "'" + scenario.name() + "' is a fault scenario; faults publish no expected events");
      return;
    }
    send(ctx, keepAlive, response(HttpResponseStatus.OK, "application/x-ndjson; charset=utf-8",
        expectedNdjson(scenario)));
  }

  private byte[] listing() {
    ArrayNode list = json.createArrayNode();
    for (Scenario s : catalog.all()) {
      ObjectNode node = list.addObject()
          .put("name", s.name())
          .put("description", s.description())
          .put("kind", s.kind().name());
      ArrayNode rules = node.putArray("rules");
      s.rules().forEach(rules::add);
      node.put("url", PREFIX + "/" + s.name());
      node.put("expectedUrl", s.kind() == Kind.CORRECT ? PREFIX + "/" + s.name() + "/expected" : null);
    }
    return jsonBytes(list);
  }

  private byte[] jsonBytes(Object node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

  private static void text(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String reason) {
    send(ctx, keepAlive, response(status, "text/plain; charset=utf-8", utf8(reason + "\n")));
  }

  private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    return response;
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) written.addListener(ChannelFutureListener.CLOSE);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Swaps the HTTP handlers for a raw script on this connection and starts it. */
  private static void takeOver(ChannelHandlerContext ctx, Scenario scenario) {
    Script script = new Script(scenario);
    StreamWire.takeOver(ctx, "scenario", script);
    script.start();
  }

  /** The status line and headers of a scenario, with the framing and the common headers. */
  static byte[] headBytes(Scenario scenario) {
    Head head = scenario.head();
    StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(head.status()).append(' ').append(head.reason()).append("\r\n");
    for (Header h : head.headers()) sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
    sb.append("Cache-Control: no-cache\r\n");
    sb.append("Access-Control-Allow-Origin: *\r\n");
    switch (head.framing()) {
      case CHUNKED -> sb.append("Transfer-Encoding: chunked\r\n");
      case CONTENT_LENGTH -> sb.append("Content-Length: ").append(scenario.body().length).append("\r\n");
      case CLOSE_DELIMITED, NO_BODY -> { }
    }
    sb.append("Connection: close\r\n\r\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Plays one scenario on one connection; sits alone where {@code codec}, {@code aggregator} and
   * {@code router} were. Inbound bytes are released unread; the channel closing cancels the timers.
   * All methods run on the channel's event loop.
   */
  private static final class Script extends ChannelInboundHandlerAdapter {
    private final Scenario scenario;
    private final boolean chunked;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> stepTimer;
    private ScheduledFuture<?> deadline;
    private long endlessSent;
    private boolean closed;

    Script(Scenario scenario) {
      this.scenario = scenario;
      this.chunked = scenario.head() != null && scenario.head().framing() == Framing.CHUNKED;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
      this.ctx = context;
    }

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
        endCleanly(); // Close: the last chunk, then FIN
      }
    }

    private void endCleanly() {
      if (chunked) {
        write(StreamWire.lastChunk(), ctx::close);
      } else {
        ctx.close();
      }
    }

    /** One filler chunk per completed write: at most one chunk is ever queued (F-08 without unbounded buffering). */
    private void endless(EndlessLine endless, byte[] filler) {
      long left = endless.maxBytes() - endlessSent;
      if (left <= 0) {
        endCleanly();
        return;
      }
      int n = (int) Math.min(filler.length, left);
      endlessSent += n;
      ByteBuf data = Unpooled.wrappedBuffer(filler, 0, n);
      write(chunk(data, n), () -> ctx.executor().execute(() -> endless(endless, filler)));
    }

    private static byte[] filler(byte b) {
      byte[] filler = new byte[ENDLESS_CHUNK_BYTES];
      Arrays.fill(filler, b);
      return filler;
    }

    private ByteBuf frame(byte[] bytes) {
      return chunked ? chunk(Unpooled.wrappedBuffer(bytes), bytes.length) : Unpooled.wrappedBuffer(bytes);
    }

    private static ByteBuf chunk(ByteBuf data, int size) {
      byte[] sizeLine = (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(sizeLine), data, Unpooled.wrappedBuffer(CRLF));
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
}
