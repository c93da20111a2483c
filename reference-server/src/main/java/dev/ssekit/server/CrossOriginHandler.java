package dev.ssekit.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Cross-origin resource sharing for every answer that goes through the HTTP codec: reads each
 * request's head on the way in, and adds {@code Access-Control-Allow-Origin} to its answer on the
 * way out. One origin per endpoint, whatever the request's {@code Origin}:
 * <pre>
 *   POST    /publish              --publish-cors-origin (none by default)
 *   POST    /admin/disconnect     none: admin endpoints never answer CORS
 *   any     /scenarios[/...]      *: scripted streams for test clients on any page
 *   any     other                 --cors-origin (* by default): the stream and read-only endpoints
 *   OPTIONS /publish              preflight: POST with Content-Type and Authorization, for --publish-cors-origin
 *   OPTIONS /admin/...            no preflight passes
 *   OPTIONS other                 preflight: GET and HEAD with Last-Event-ID and Cache-Control, for --cors-origin
 * </pre>
 * Browsers preflight a cross-origin reconnect whose {@code Last-Event-ID} is long or not
 * CORS-safe (whatwg/fetch#1788), hence the stream's preflight.
 *
 * <p>In the pipeline right after {@code codec} ({@link SseServerInitializer}), so the refusals of
 * {@link RequestGuard} and of the aggregator pass it too. A stream's head is written raw, past the
 * codec, with the origin in it ({@link StreamWire.Head}); the handler leaves with the other HTTP
 * handlers when the connection becomes a stream. Per connection; on the channel's event loop.
 *
 * <p>Why not Netty's {@code io.netty.handler.codec.http.cors.CorsHandler}: it chooses a
 * configuration by the request's origin, not by endpoint (we need a different origin for
 * {@code /publish} and none for admin); it adds the header only to requests that carry
 * {@code Origin}, and a configured origin only when the request's matches, with
 * {@code Vary: Origin} (we send the configured value to every client, as the tests and docs
 * promise); its preflight answer is {@code 200} with a {@code Date} header (ours {@code 204},
 * nothing else); it would decorate {@code 100 Continue}; and it answers a preflight as soon as
 * it reads its head, which here would skip {@link RequestGuard} and {@link RequestDeadline}'s
 * account of the request (the deadline would answer 408 later on a connection that is idle).
 * So the router answers {@code OPTIONS} with {@code 204 No Content} once the request is read
 * whole, and this handler turns that answer into the preflight answer.
 */
final class CrossOriginHandler extends ChannelDuplexHandler {

  /** What a preflight for an endpoint allows. */
  private record Preflight(String methods, String headers) {}

  private static final Preflight READ = new Preflight("GET, HEAD, OPTIONS", "Last-Event-ID, Cache-Control");
  private static final Preflight PUBLISH = new Preflight("POST, OPTIONS", "Content-Type, Authorization");
  /** Seconds a browser may cache a preflight answer. */
  private static final String MAX_AGE = "86400";

  /** --cors-origin. */
  private final String readOrigin;
  /** --publish-cors-origin. */
  private final String publishOrigin;
  /** The origin the answer to the request being read carries; empty for none. */
  private String origin = "";
  /** What the answer allows when the request being read is a preflight; null when it is not. */
  private Preflight preflight;

  CrossOriginHandler(ServerConfig config) {
    this.readOrigin = config.corsOrigin();
    this.publishOrigin = config.publishCorsOrigin();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req) choose(req);
    ctx.fireChannelRead(msg);
  }

  private void choose(HttpRequest req) {
    preflight = null;
    origin = readOrigin; // also for a request that cannot be routed: the router answers 400
    String path = pathOf(req);
    if (path == null) return;
    HttpMethod method = req.method();
    if (method.equals(HttpMethod.OPTIONS)) {
      if (path.equals("/publish")) {
        origin = publishOrigin;
        preflight = PUBLISH;
      } else if (path.startsWith(AdminHandler.PREFIX)) {
        origin = "";
      } else {
        preflight = READ;
      }
    } else if (method.equals(HttpMethod.POST) && path.equals("/publish")) {
      origin = publishOrigin;
    } else if (method.equals(HttpMethod.POST) && path.equals(AdminHandler.DISCONNECT)) {
      origin = "";
    } else if (path.equals("/scenarios") || path.startsWith("/scenarios/")) {
      origin = "*";
    }
  }

  /** The decoded path, or null for a request the router refuses (malformed, or a bad escape in its target). */
  private static String pathOf(HttpRequest req) {
    if (req.decoderResult().isFailure()) return null;
    try {
      return new QueryStringDecoder(req.uri()).path();
    } catch (IllegalArgumentException badEscape) {
      return null;
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse res && !origin.isEmpty()
        && res.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      HttpHeaders headers = res.headers();
      headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      if (preflight != null && res.status().equals(HttpResponseStatus.NO_CONTENT)) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, preflight.methods());
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, preflight.headers());
        headers.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE);
      }
    }
    ctx.write(msg, promise);
  }
}
