package dev.ssekit.conformance.testing;

import dev.ssekit.testkit.TestCertificate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An SSE server over TLS on 127.0.0.1, built with Netty, that negotiates HTTP/2 or HTTP/1.1 by
 * ALPN as a real deployment does. Its stream is a resumable broadcast: event {@code n} (id
 * {@code n}, data {@code tick n}) is due {@code n × 100 ms} after the server started, every
 * connection gets the same events, and {@code Last-Event-ID: k} resumes after {@code k}. Each
 * stream ends after at most 600 events (a minute).
 */
public final class TlsSseServer implements AutoCloseable {

  /** How the server behaves. */
  public enum Mode {
    /** ALPN offers h2 and http/1.1; correct responses on both. */
    HTTP2,
    /** Like {@link #HTTP2}, but each HTTP/2 response carries {@code connection: keep-alive} (illegal in HTTP/2). */
    HTTP2_WITH_CONNECTION_HEADER,
    /** Like {@link #HTTP2}, but each HTTP/2 response carries {@code Transfer-Encoding: chunked}, as an HTTP/1.1 proxy would. */
    HTTP2_WITH_TRANSFER_ENCODING,
    /** ALPN offers http/1.1 only. */
    HTTP1_ONLY
  }

  private static final long TICK_MS = 100;
  private static final int MAX_EVENTS_PER_STREAM = 600;

  private final Mode mode;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final long startNanos = System.nanoTime();
  private final List<String> protocols = java.util.Collections.synchronizedList(new ArrayList<>());

  private TlsSseServer(Mode mode, TestCertificate certificate) throws Exception {
    this.mode = mode;
    List<String> offered = mode == Mode.HTTP1_ONLY ? List.of(ApplicationProtocolNames.HTTP_1_1)
        : List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
    SslContext tls = SslContextBuilder.forServer(certificate.keyManagers()).sslProvider(SslProvider.JDK)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, offered))
        .build();
    channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc()), new Negotiated());
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
  }

  /** Starts a server in {@code mode} with {@code certificate}. */
  public static TlsSseServer start(Mode mode, TestCertificate certificate) throws Exception {
    return new TlsSseServer(mode, certificate);
  }

  /** The stream's https URL. */
  public String url() {
    return "https://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort() + "/events";
  }

  /** The protocols negotiated so far, one per connection ({@code h2} or {@code http/1.1}). */
  public List<String> negotiated() {
    synchronized (protocols) {
      return List.copyOf(protocols);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().sync();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  /** Adds the codec for the protocol ALPN chose. */
  private final class Negotiated extends ApplicationProtocolNegotiationHandler {
    Negotiated() {
      super(ApplicationProtocolNames.HTTP_1_1);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      protocols.add(protocol);
      ChannelPipeline p = ctx.pipeline();
      if (protocol.equals(ApplicationProtocolNames.HTTP_2)) {
        p.addLast(Http2FrameCodecBuilder.forServer().build(), new Http2MultiplexHandler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2Stream(), new HangUp());
              }
            }));
      } else {
        p.addLast(new HttpServerCodec(), new Http1Stream());
      }
      p.addLast(new HangUp());
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a client that refused the certificate: nothing to log
    }
  }

  /** Last in every pipeline: a client that went away (a reset) ends its connection quietly. */
  private static final class HangUp extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** One HTTP/2 stream: a response HEADERS frame, then one DATA frame per event. */
  private final class Http2Stream extends SimpleChannelInboundHandler<Http2HeadersFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2HeadersFrame request) {
      // Validation off for the faulty mode: Netty would refuse to send a connection-specific field.
      Http2Headers headers = new DefaultHttp2Headers(mode == Mode.HTTP2).status("200")
          .set("content-type", "text/event-stream").set("cache-control", "no-cache");
      if (mode == Mode.HTTP2_WITH_CONNECTION_HEADER) headers.set("connection", "keep-alive");
      if (mode == Mode.HTTP2_WITH_TRANSFER_ENCODING) headers.set("Transfer-Encoding", "chunked");
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers));
      CharSequence lastEventId = request.headers().get("last-event-id");
      stream(ctx, lastEventId, bytes -> ctx.writeAndFlush(new DefaultHttp2DataFrame(bytes)));
    }
  }

  /** One HTTP/1.1 exchange: a chunked response, one chunk per event. */
  private final class Http1Stream extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest request)) return;
      DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
          .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      HttpUtil.setTransferEncodingChunked(response, true);
      ctx.writeAndFlush(response);
      stream(ctx, request.headers().get("Last-Event-ID"), bytes -> ctx.writeAndFlush(new DefaultHttpContent(bytes)));
    }
  }

  /** Writes the due events every tick, from after {@code lastEventId} (when known) or from now. */
  private void stream(ChannelHandlerContext ctx, CharSequence lastEventId, Consumer<ByteBuf> write) {
    long now = due();
    long from = now;
    if (lastEventId != null) {
      try {
        long k = Long.parseLong(lastEventId.toString().trim());
        if (k >= 0 && k <= now) from = k + 1;
      } catch (NumberFormatException unknown) {
        // an id this server never sent: stream from now
      }
    }
    long[] next = {from};
    long last = from + MAX_EVENTS_PER_STREAM;
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    timer[0] = ctx.executor().scheduleAtFixedRate(() -> {
      for (long due = due(); next[0] <= due && next[0] < last; next[0]++) {
        write.accept(Unpooled.copiedBuffer("id: " + next[0] + "\ndata: tick " + next[0] + "\n\n", StandardCharsets.UTF_8));
      }
      if (next[0] >= last) ctx.close();
    }, 0, TICK_MS, TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(f -> timer[0].cancel(false));
  }

  private long due() {
    return (System.nanoTime() - startNanos) / TimeUnit.MILLISECONDS.toNanos(TICK_MS);
  }
}
