package dev.ssekit.server;

import dev.ssekit.server.scenario.ScenarioHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;

/**
 * Dispatches whole requests by path and method. Stateless and {@code @Sharable}: one instance
 * serves every connection.
 * <pre>
 *   GET     /events[?topic=T&amp;lastEventId=ID]   {@link EventStreams}
 *   POST    /publish[?topic=T]                 {@link PublishHandler}
 *   GET     /metrics, /healthz                 Prometheus text, liveness
 *   GET     /scenarios[/NAME[/expected]]       {@link ScenarioHandler}
 *   POST    /admin/disconnect                  {@link AdminHandler}: end every stream now, as a restart would (clients resume)
 *   GET     /                                  the live demo page ({@link DemoPage})
 *   OPTIONS any path                           CORS preflight (allows Last-Event-ID)
 * </pre>
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final ServerConfig config;
  private final EventStreams streams;
  private final PublishHandler publish;
  private final ScenarioHandler scenarios;
  private final ServerMetrics metrics;
  private final AdminHandler admin;

  HttpRouter(ServerConfig config, EventStreams streams, PublishHandler publish, AdminHandler admin,
      ScenarioHandler scenarios, ServerMetrics metrics) {
    this.admin = admin;
    this.config = config;
    this.streams = streams;
    this.publish = publish;
    this.scenarios = scenarios;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    DecoderResult result = req.decoderResult();
    if (result.isFailure()) {
      String why = result.cause() == null ? "malformed request" : String.valueOf(result.cause().getMessage());
      ServerLog.anomaly("bad-request", "malformed request from " + ctx.channel().remoteAddress() + ": " + why);
      Responses.text(ctx, null, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + why, config.corsOrigin());
      return;
    }
    QueryStringDecoder query = new QueryStringDecoder(req.uri());
    String path;
    try {
      path = query.path();
      query.parameters(); // decode now, so bad escapes are refused here and not later
    } catch (IllegalArgumentException badEscape) {
      Responses.text(ctx, req, HttpResponseStatus.BAD_REQUEST,
          "bad percent-encoding in the request target: " + badEscape.getMessage(), config.corsOrigin());
      return;
    }
    HttpMethod method = req.method();
    if (method.equals(HttpMethod.HEAD) && !path.equals("/scenarios") && !path.startsWith("/scenarios/")) {
      head(ctx, req, path);
      return;
    }

    if (method.equals(HttpMethod.OPTIONS)) {
      preflight(ctx, req, path);
      return;
    }
    switch (path) {
      case "/events" -> {
        if (requireMethod(ctx, req, HttpMethod.GET)) streams.open(ctx, req, query);
      }
      case "/publish" -> {
        if (requireMethod(ctx, req, HttpMethod.POST)) publish.handle(ctx, req, query);
      }
      case AdminHandler.DISCONNECT -> {
        if (requireMethod(ctx, req, HttpMethod.POST)) admin.disconnect(ctx, req);
      }
      case "/metrics" -> {
        if (requireMethod(ctx, req, HttpMethod.GET)) {
          Responses.send(ctx, req, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
              metrics.scrape(), config.corsOrigin());
        }
      }
      case "/healthz" -> {
        if (requireMethod(ctx, req, HttpMethod.GET)) {
          Responses.json(ctx, req, HttpResponseStatus.OK,
              "{\"status\":\"ok\",\"openStreams\":" + metrics.openStreams.get() + "}", config.corsOrigin());
        }
      }
      case "/" -> {
        if (requireMethod(ctx, req, HttpMethod.GET)) {
          Responses.send(ctx, req, HttpResponseStatus.OK, "text/html; charset=utf-8", DemoPage.HTML, config.corsOrigin());
        }
      }
      default -> {
        if (path.equals("/scenarios") || path.startsWith("/scenarios/")) {
          scenarios.handle(ctx, req, path);
        } else {
          Responses.text(ctx, req, HttpResponseStatus.NOT_FOUND,
              "no such endpoint: " + path + " (endpoints: /events, /publish, /metrics, /healthz, /scenarios, /)",
              config.corsOrigin());
        }
      }
    }
  }

  /**
   * HEAD (RFC 9110 §9.3.2): the head a GET would get, without a body. For the stream that is the
   * stream's head; nobody is subscribed.
   */
  private void head(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    FullHttpResponse res;
    switch (path) {
      case "/events" -> {
        res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        StreamWire.Head.stream(true, config.corsOrigin()).applyTo(res);
      }
      case "/metrics", "/healthz", "/" -> res = Responses.response(HttpResponseStatus.OK,
          path.equals("/healthz") ? "application/json" : path.equals("/") ? "text/html; charset=utf-8"
              : "text/plain; charset=utf-8", new byte[0], config.corsOrigin());
      default -> res = Responses.response(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", new byte[0],
          config.corsOrigin());
    }
    Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
  }

  private boolean requireMethod(ChannelHandlerContext ctx, FullHttpRequest req, HttpMethod allowed) {
    if (req.method().equals(allowed)) return true;
    FullHttpResponse res = Responses.response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
        (req.method() + " is not allowed here; use " + allowed + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
        config.corsOrigin());
    res.headers().set(HttpHeaderNames.ALLOW, allowed + (allowed.equals(HttpMethod.GET) ? ", HEAD" : "") + ", OPTIONS");
    Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
    return false;
  }

  /**
   * CORS preflight, per endpoint. The stream ({@code --cors-origin}): browsers preflight a
   * cross-origin reconnect whose Last-Event-ID is long or not CORS-safe (whatwg/fetch#1788); allow
   * GET with it. {@code /publish} ({@code --publish-cors-origin}, off by default): POST with a JSON
   * body and a token. Admin endpoints: never (a page on another origin may not use them).
   */
  private void preflight(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    String origin;
    String methods;
    String headers;
    if (path.equals("/publish")) {
      origin = config.publishCorsOrigin();
      methods = "POST, OPTIONS";
      headers = "Content-Type, Authorization";
    } else if (path.startsWith(AdminHandler.PREFIX)) {
      origin = "";
      methods = headers = null;
    } else {
      origin = config.corsOrigin();
      methods = "GET, HEAD, OPTIONS";
      headers = "Last-Event-ID, Cache-Control";
    }
    if (!origin.isEmpty()) {
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, headers);
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400");
    }
    HttpUtil.setContentLength(res, 0);
    Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ServerLog.anomaly("handler-error", "closing " + ctx.channel().remoteAddress() + " after an error: " + cause);
    }
    ctx.close();
  }
}
