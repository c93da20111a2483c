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
 *   OPTIONS any path                           204; {@link CrossOriginHandler} makes it the CORS preflight answer
 * </pre>
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final String HTML = "text/html; charset=utf-8";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final EventStreams streams;
  private final PublishHandler publish;
  private final ScenarioHandler scenarios;
  private final ServerMetrics metrics;
  /** With --broker, {@code /healthz} says whether Redis answers; else null. */
  private final RedisBroker broker;
  private final AdminHandler admin;

  HttpRouter(EventStreams streams, PublishHandler publish, AdminHandler admin, ScenarioHandler scenarios,
      ServerMetrics metrics, RedisBroker broker) {
    this.broker = broker;
    this.admin = admin;
    this.streams = streams;
    this.publish = publish;
    this.scenarios = scenarios;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    QueryStringDecoder query = target(ctx, req);
    if (query == null) return;
    String path = query.path();
    HttpMethod method = req.method();
    if (method.equals(HttpMethod.OPTIONS)) {
      // Any path; CrossOriginHandler turns this into the endpoint's preflight answer.
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
      HttpUtil.setContentLength(res, 0);
      Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
    } else if (path.equals("/scenarios") || path.startsWith("/scenarios/")) {
      scenarios.handle(ctx, req, path);
    } else if (method.equals(HttpMethod.HEAD)) {
      head(ctx, req, path);
    } else {
      route(ctx, req, path, query);
    }
  }

  /** The decoded request target, or null when the request was malformed (answered 400 here). */
  private static QueryStringDecoder target(ChannelHandlerContext ctx, FullHttpRequest req) {
    DecoderResult result = req.decoderResult();
    if (result.isFailure()) {
      String why = result.cause() == null ? "malformed request" : String.valueOf(result.cause().getMessage());
      ServerLog.anomaly("bad-request", "malformed request from " + ctx.channel().remoteAddress() + ": " + why);
      Responses.text(ctx, null, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + why);
      return null;
    }
    QueryStringDecoder query = new QueryStringDecoder(req.uri());
    try {
      query.path();
      query.parameters(); // decode now, so bad escapes are refused here and not later
      return query;
    } catch (IllegalArgumentException badEscape) {
      Responses.text(ctx, req, HttpResponseStatus.BAD_REQUEST,
          "bad percent-encoding in the request target: " + badEscape.getMessage());
      return null;
    }
  }

  private void route(ChannelHandlerContext ctx, FullHttpRequest req, String path, QueryStringDecoder query) {
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
        if (requireMethod(ctx, req, HttpMethod.GET)) Responses.send(ctx, req, HttpResponseStatus.OK, PROMETHEUS, metrics.scrape());
      }
      case "/healthz" -> {
        if (requireMethod(ctx, req, HttpMethod.GET)) {
          health(ctx, req);
        }
      }
      case "/" -> {
        if (requireMethod(ctx, req, HttpMethod.GET)) Responses.send(ctx, req, HttpResponseStatus.OK, HTML, DemoPage.HTML);
      }
      default -> Responses.text(ctx, req, HttpResponseStatus.NOT_FOUND,
          "no such endpoint: " + path + " (endpoints: /events, /publish, /metrics, /healthz, /scenarios, /)");
    }
  }

  /**
   * HEAD (RFC 9110 §9.3.2): the head a GET would get, without a body. For the stream that is the
   * stream's head; nobody is subscribed.
   */
  /**
   * {@code /healthz}: {@code 200 {"status":"ok",…}}; with a broker it names it and whether it
   * answers, and while Redis cannot be reached it is {@code 503} with the reason, so a balancer's
   * readiness check sends new streams elsewhere.
   */
  private void health(ChannelHandlerContext ctx, FullHttpRequest req) {
    StringBuilder body = new StringBuilder("{\"status\":");
    boolean up = broker == null || broker.up();
    body.append(up ? "\"ok\"" : "\"broker unreachable\"").append(",\"openStreams\":").append(metrics.openStreams.get());
    if (broker != null) {
      body.append(",\"broker\":{\"url\":").append(Responses.jsonString(broker.uri())).append(",\"up\":").append(up);
      String reason = broker.downReason();
      if (reason != null) body.append(",\"reason\":").append(Responses.jsonString(reason));
      body.append('}');
    }
    body.append('}');
    Responses.json(ctx, req, up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body.toString());
  }

  private void head(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    if (path.equals("/events")) {
      streams.head(ctx, req);
      return;
    }
    FullHttpResponse res = switch (path) {
      case "/metrics" -> Responses.response(HttpResponseStatus.OK, Responses.TEXT, new byte[0]);
      case "/healthz" -> Responses.response(broker == null || broker.up() ? HttpResponseStatus.OK
          : HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json", new byte[0]);
      case "/" -> Responses.response(HttpResponseStatus.OK, HTML, new byte[0]);
      default -> Responses.response(HttpResponseStatus.NOT_FOUND, Responses.TEXT, new byte[0]);
    };
    Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
  }

  private boolean requireMethod(ChannelHandlerContext ctx, FullHttpRequest req, HttpMethod allowed) {
    if (req.method().equals(allowed)) return true;
    FullHttpResponse res = Responses.textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
        req.method() + " is not allowed here; use " + allowed);
    res.headers().set(HttpHeaderNames.ALLOW, allowed + (allowed.equals(HttpMethod.GET) ? ", HEAD" : "") + ", OPTIONS");
    Responses.finish(ctx, res, HttpUtil.isKeepAlive(req));
    return false;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ServerLog.anomaly("handler-error", "closing " + ctx.channel().remoteAddress() + " after an error: " + cause);
    }
    ctx.close();
  }
}
