package dev.ssekit.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small, complete (non-streaming) responses: a status, a body and the CORS header. */
final class Responses {

  private Responses() {}

  static void text(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String body,
      String corsOrigin) {
    send(ctx, req, status, "text/plain; charset=utf-8", body + "\n", corsOrigin);
  }

  static void json(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String body,
      String corsOrigin) {
    send(ctx, req, status, "application/json", body, corsOrigin);
  }

  static void send(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status,
      String contentType, String body, String corsOrigin) {
    FullHttpResponse res = response(status, contentType, body.getBytes(StandardCharsets.UTF_8), corsOrigin);
    // After a malformed or oversized request the rest of the connection cannot be trusted: close.
    boolean keepAlive = req != null && HttpUtil.isKeepAlive(req) && status.code() != 400
        && status.code() != 413;
    finish(ctx, res, keepAlive);
  }

  static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body,
      String corsOrigin) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    if (!corsOrigin.isEmpty()) res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin);
    HttpUtil.setContentLength(res, body.length);
    return res;
  }

  /** Writes {@code res}; keeps the connection for the next request or closes it after the write. */
  static void finish(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res, ctx.voidPromise());
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
