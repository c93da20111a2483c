package dev.ssekit.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.charset.StandardCharsets;

/**
 * The pipeline of every accepted connection, in order:
 * <pre>
 *   "timeout"    ReadTimeoutHandler      closes a connection that sends nothing for 30 s before it
 *                                        becomes a stream (slow or idle HTTP clients)
 *   "codec"      HttpServerCodec         bytes &lt;-&gt; HTTP messages (8 KiB line, 16 KiB headers)
 *   "aggregator" HttpObjectAggregator    whole requests, bodies up to --max-event-bytes (else 413)
 *   "router"     {@link HttpRouter}      one shared instance: dispatches by method and path
 * </pre>
 * A request for {@code /events} turns the connection into a stream: the router removes the codec
 * the aggregator and the timeout, and leaves one {@link Subscriber}: an idle stream carries that
 * one small object and nothing else.
 */
final class SseServerInitializer extends ChannelInitializer<SocketChannel> {

  /** Seconds a connection may stay silent while it is still plain HTTP (not a stream). */
  static final int HTTP_IDLE_SECONDS = 30;

  private final HttpRouter router;
  private final int maxEventBytes;
  private final String corsOrigin;

  SseServerInitializer(HttpRouter router, int maxEventBytes, String corsOrigin) {
    this.router = router;
    this.maxEventBytes = maxEventBytes;
    this.corsOrigin = corsOrigin;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast("timeout", new ReadTimeoutHandler(HTTP_IDLE_SECONDS))
        .addLast("codec", new HttpServerCodec(8192, 16384, 8192))
        .addLast("aggregator", new BoundedAggregator(maxEventBytes, corsOrigin))
        .addLast("router", router);
  }

  /** An aggregator whose 413 says why, in the body. */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final String corsOrigin;

    BoundedAggregator(int maxContentLength, String corsOrigin) {
      super(maxContentLength);
      this.corsOrigin = corsOrigin;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
      byte[] body = ("request body is larger than " + maxContentLength()
          + " bytes (--max-event-bytes); nothing was published\n").getBytes(StandardCharsets.UTF_8);
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      if (!corsOrigin.isEmpty()) res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin);
      HttpUtil.setContentLength(res, body.length);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
