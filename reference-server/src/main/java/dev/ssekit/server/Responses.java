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

/**
 * Small, complete (non-streaming) responses: a status and a body. {@link CrossOriginHandler} adds
 * the CORS header on the way out.
 */
public final class Responses {

  /** The content type of the server's plain-text answers. */
  public static final String TEXT = "text/plain; charset=utf-8";

  private Responses() {}

  /**
   * A line of text ({@code text/plain}, a newline added), then keep-alive or close as
   * {@link #send} decides.
   */
  public static void text(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String body) {
    send(ctx, req, status, TEXT, body + "\n");
  }

  /** A {@code text/plain} response of one line (a newline added), to add headers to before {@link #finish}. */
  public static FullHttpResponse textResponse(HttpResponseStatus status, String line) {
    return response(status, TEXT, (line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static void json(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String body) {
    send(ctx, req, status, "application/json", body);
  }

  /**
   * {@code body} as UTF-8; the connection is kept when {@code req} asked for it, unless the
   * answer is a 400 or 413 (or there is no request to go by).
   */
  public static void send(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String contentType,
      String body) {
    FullHttpResponse res = response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    // After a malformed or oversized request the rest of the connection cannot be trusted: close.
    boolean keepAlive = req != null && HttpUtil.isKeepAlive(req) && status.code() != 400
        && status.code() != 413;
    finish(ctx, res, keepAlive);
  }

  /** A response with {@code Content-Type}, {@code Cache-Control: no-cache} and {@code Content-Length}. */
  public static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setContentLength(res, body.length);
    return res;
  }

  /** Writes {@code res}; keeps the connection for the next request or closes it after the write. */
  public static void finish(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res, ctx.voidPromise());
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
  static String jsonString(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }
}
