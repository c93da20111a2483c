package dev.ssekit.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of every accepted connection, in order:
 * <pre>
 *   "deadline"   {@link RequestDeadline}     30 s idle between requests; a head within --head-timeout
 *                                            of its first byte, a body within --body-timeout of its
 *                                            head (408); the connection's place among
 *                                            {@link PendingConnections}
 *   "codec"      HttpServerCodec             bytes &lt;-&gt; HTTP messages (8 KiB line, 16 KiB headers)
 *   "cors"       {@link CrossOriginHandler}  each endpoint's CORS header on every answer below it;
 *                                            the preflight answers
 *   "guard"      {@link RequestGuard}        on the head, before any body: token, content type, body
 *                                            size, the server-wide body budget (401/415/413/503)
 *   "aggregator" HttpObjectAggregator        whole requests, bodies up to --max-event-bytes (else 413)
 *   "router"     {@link HttpRouter}          one shared instance: dispatches by method and path
 * </pre>
 * A request for {@code /events} turns the connection into a stream: the router removes every
 * handler above and leaves one {@link Subscriber}: an idle stream carries that one small object
 * and nothing else.
 */
final class SseServerInitializer extends ChannelInitializer<SocketChannel> {

  /** Seconds a connection may stay silent between requests while it is still plain HTTP (not a stream). */
  static final int HTTP_IDLE_SECONDS = 30;

  /**
   * 8 KiB request line, 16 KiB of headers, 8 KiB content parts. Header names are validated;
   * values are not: a control character in a value (a {@code Last-Event-ID} an old or foreign
   * server handed out) would fail the whole request with 400, and a browser's EventSource stops
   * for good on a 4xx. Values are only ever compared, never written back raw.
   */
  private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
      .setMaxInitialLineLength(8192).setMaxHeaderSize(16384).setMaxChunkSize(8192)
      .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValueValidation(false));

  private final HttpRouter router;
  private final Access access;
  private final BodyBudget bodies;
  private final PendingConnections pending;
  private final ServerConfig config;

  SseServerInitializer(HttpRouter router, Access access, BodyBudget bodies, PendingConnections pending, ServerConfig config) {
    this.router = router;
    this.access = access;
    this.bodies = bodies;
    this.pending = pending;
    this.config = config;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    RequestDeadline deadline = new RequestDeadline(TimeUnit.SECONDS.toNanos(HTTP_IDLE_SECONDS),
        config.headTimeout().toNanos(), config.bodyTimeout().toNanos(), pending);
    ch.pipeline()
        .addLast("deadline", deadline)
        .addLast("codec", new HttpServerCodec(DECODER))
        // Passes each decoded message on at once while the connection auto-reads; while a request
        // waits for the broker (auto-read off), the ones a client pipelined behind it wait here, so
        // every handler after it sees one request at a time and answers go out in order.
        .addLast("flow", new FlowControlHandler())
        .addLast("cors", new CrossOriginHandler(config))
        .addLast("guard", new RequestGuard(bodies, access, deadline, config.maxEventBytes()))
        .addLast("aggregator", new BoundedAggregator(config.maxEventBytes()))
        .addLast("router", router);
  }

  /** An aggregator whose 413 says why, in the body. */
  private static final class BoundedAggregator extends HttpObjectAggregator {

    BoundedAggregator(int maxContentLength) {
      super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      Responses.finish(ctx, Responses.textResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body is larger than "
          + maxContentLength() + " bytes (--max-event-bytes); nothing was published"), false);
    }
  }
}
