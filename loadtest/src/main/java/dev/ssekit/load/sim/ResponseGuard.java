package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Durations;
import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.Sizes;
import dev.ssekit.load.report.CapacityReport;
import io.gatling.core.action.Action;
import io.gatling.core.structure.ScenarioContext;
import io.gatling.http.client.HttpClient;
import io.gatling.http.client.HttpListener;
import io.gatling.http.client.Request;
import io.gatling.http.client.SslContextsHolder;
import io.gatling.http.client.util.Pair;
import io.gatling.http.engine.HttpEngine;
import io.gatling.http.protocol.HttpComponents;
import io.gatling.http.protocol.HttpProtocol$;
import io.gatling.javaapi.core.ActionBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Bounds what each SSE response may cost the injector ({@link Limits}), inside Gatling's own HTTP
 * client: the response head must arrive within the head timeout and fit in the head size, and no
 * line of the stream may pass the line size. A server past a bound fails that stream with the
 * bound named in its error; the failure, like every connect failure, is counted by kind in {@link
 * Failures}.
 *
 * <p>Why this reaches into Gatling: its HTTP decoder accepts heads of any size
 * ({@code DefaultHttpClient} sets Netty's {@code maxHeaderSize} to {@code Integer.MAX_VALUE}), an
 * SSE connect has no request timeout (so a server that never answers holds the connect forever),
 * and its SSE decoder buffers a line until it ends. Gatling offers no setting or hook for any of
 * these, so {@link #installer} swaps the {@link HttpEngine}'s client for one that wraps each SSE
 * request's listener; the listener puts two handlers in that connection's Netty pipeline when the
 * request is written. The swap is a reflective write of one field, checked at scenario build: if a
 * Gatling upgrade moves it, the run stops before it starts with a message saying so.
 *
 * <pre>
 *   [ssl] → ssekit-head → http (codec) → inflater → chunked-writer → ssekit-lines → app-http
 * </pre>
 */
final class ResponseGuard {
  static final String HEAD_HANDLER = "ssekit-head";
  static final String LINES_HANDLER = "ssekit-lines";
  /** Gatling's names for its HTTP/1.1 codec and its response handler ({@code DefaultHttpClient}). */
  private static final String CODEC = "http";
  private static final String APP = "app-http";
  private static final String SSE_LISTENER = "io.gatling.http.action.sse.SseListener";

  private ResponseGuard() {}

  /** A connection failed a bound; an {@link IOException} so that Gatling treats it as a connection error. */
  static final class LimitExceeded extends IOException {
    final String kind;

    LimitExceeded(String kind, String message) {
      super(message);
      this.kind = kind;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /**
   * An action that adds nothing to the scenario: when Gatling builds it, it puts the guard in the
   * HTTP engine the scenario's requests go through.
   */
  static ActionBuilder installer(Limits limits, Failures failures) {
    io.gatling.core.action.builder.ActionBuilder scala = new io.gatling.core.action.builder.ActionBuilder() {
      @Override
      public Action build(ScenarioContext ctx, Action next) {
        HttpComponents http = ctx.protocolComponentsRegistry().components(HttpProtocol$.MODULE$.HttpProtocolKey());
        install(http.httpEngine(), limits, failures);
        return next;
      }
    };
    return () -> scala;
  }

  /** Wraps the engine's client (again, with these limits, if an earlier run wrapped it). */
  static void install(HttpEngine engine, Limits limits, Failures failures) {
    try {
      Field f = HttpEngine.class.getDeclaredField("httpClient");
      f.setAccessible(true);
      HttpClient current = (HttpClient) f.get(engine);
      HttpClient inner = current instanceof GuardedClient g ? g.delegate : current;
      f.set(engine, new GuardedClient(inner, limits, failures));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("ssekit cannot bound response heads and lines in this Gatling version"
          + " (HttpEngine.httpClient: " + e + "); it is built for Gatling 3.15", e);
    }
  }

  /** Gatling's client, with each SSE request's listener wrapped. */
  private static final class GuardedClient implements HttpClient {
    final HttpClient delegate;
    private final Limits limits;
    private final Failures failures;

    GuardedClient(HttpClient delegate, Limits limits, Failures failures) {
      this.delegate = delegate;
      this.limits = limits;
      this.failures = failures;
    }

    @Override
    public void sendRequest(Request request, long clientId, EventLoop eventLoop, HttpListener listener, SslContextsHolder ssl) {
      HttpListener l = listener.getClass().getName().equals(SSE_LISTENER) ? new GuardedListener(listener, limits, failures) : listener;
      delegate.sendRequest(request, clientId, eventLoop, l, ssl);
    }

    @Override
    public void sendHttp2Requests(Pair<Request, HttpListener>[] requests, long clientId, EventLoop eventLoop, SslContextsHolder ssl) {
      delegate.sendHttp2Requests(requests, clientId, eventLoop, ssl);
    }

    @Override
    public boolean isClosed() {
      return delegate.isClosed();
    }

    @Override
    public void flushClientIdChannels(long clientId, EventLoop eventLoop) {
      delegate.flushClientIdChannels(clientId, eventLoop);
    }

    @Override
    public void close() throws Exception {
      delegate.close();
    }
  }

  /**
   * One SSE request's listener, guarded. Called on the connection's event loop only (Gatling's
   * contract), so its fields need no locking.
   */
  private static final class GuardedListener implements HttpListener {
    private final HttpListener delegate;
    private final Limits limits;
    private final Failures failures;
    private boolean headSeen;
    private boolean failed;
    private ScheduledFuture<?> headTimer;

    GuardedListener(HttpListener delegate, Limits limits, Failures failures) {
      this.delegate = delegate;
      this.limits = limits;
      this.failures = failures;
    }

    @Override
    public void onSend() {
      delegate.onSend();
    }

    @Override
    public void onProtocolAwareness(boolean isHttp2) {
      delegate.onProtocolAwareness(isHttp2);
    }

    @Override
    public void onFinalClientRequest(Request request) {
      delegate.onFinalClientRequest(request);
    }

    @Override
    public void onWrite(Channel channel) {
      ChannelPipeline p = channel.pipeline();
      if (p.get(CODEC) != null) {
        replace(p, HEAD_HANDLER, CODEC, new HeadGuard(limits.maxHeadBytes()));
      }
      LineGuard lines = new LineGuard(limits.maxLineBytes());
      if (p.get(APP) != null) {
        replace(p, LINES_HANDLER, APP, lines);
      }
      // An SSE connect has no request timeout: this is the head's. It fails the connection the way
      // a decoding error would, through Gatling's response handler (the pipeline's first handler,
      // Gatling's "pinned" one, swallows exceptions fired from the head).
      headTimer = channel.eventLoop().schedule(() -> {
        if (!headSeen && !failed && channel.isActive()) {
          lines.fail(new LimitExceeded(CapacityReport.Failure.HEAD_TIMEOUT,
              "no response head within " + Durations.format(limits.headTimeout())));
        }
      }, limits.headTimeout().toMillis(), TimeUnit.MILLISECONDS);
      delegate.onWrite(channel);
    }

    private static void replace(ChannelPipeline p, String name, String before, ChannelInboundHandlerAdapter handler) {
      if (p.get(name) != null) {
        p.remove(name); // a connection used again (a retry): start counting afresh
      }
      p.addBefore(before, name, handler);
    }

    @Override
    public void onHttpResponse(HttpResponseStatus status, HttpHeaders headers) {
      headSeen = true;
      cancelTimer();
      delegate.onHttpResponse(status, headers);
    }

    @Override
    public void onHttpResponseBodyChunk(ByteBuf chunk, boolean last) {
      delegate.onHttpResponseBodyChunk(chunk, last);
    }

    @Override
    public void onThrowable(Throwable e) {
      cancelTimer();
      if (!failed) {
        failed = true;
        if (e instanceof LimitExceeded l) {
          failures.record(l.kind, l.getMessage());
        } else if (!headSeen) { // after the head, a close is the client's own or a drop Gatling reconnects from
          if (tls(e) != null) {
            failures.record(CapacityReport.Failure.TLS, tlsMessage(tls(e)));
          } else {
            failures.record(CapacityReport.Failure.CONNECT_ERROR, rootMessage(e));
          }
        }
      }
      delegate.onThrowable(e);
    }

    private void cancelTimer() {
      if (headTimer != null) {
        headTimer.cancel(false);
        headTimer = null;
      }
    }
  }

  /** The message of the TLS error in {@code e}'s causes, or null when it is not one. */
  static String tls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
        return rootMessage(t);
      }
    }
    return null;
  }

  /** What a TLS failure means for the user, with the JDK's words after it. */
  static String tlsMessage(String jdk) {
    if (jdk.contains("certification path") || jdk.contains("PKIX")) {
      return "TLS: the server's certificate is not trusted (" + jdk + "); trust it with -Djavax.net.ssl.trustStore=FILE"
          + " or accept any certificate with --insecure";
    }
    if (jdk.contains("subject alternative") || jdk.contains("No name matching")) {
      return "TLS: the server's certificate does not name this host (" + jdk + "); --insecure accepts it";
    }
    return "TLS handshake failed: " + jdk;
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.length() > 300 ? m.substring(0, 300) + "…" : m;
  }

  /**
   * Before Gatling's HTTP codec, on the bytes as they come (after TLS): counts the response head
   * until its empty line and fails the connection when the head passes the bound. Removes itself
   * once the head has ended.
   */
  static final class HeadGuard extends ChannelInboundHandlerAdapter {
    private final long max;
    private long seen;
    private boolean inLine;
    private boolean anyLine;
    private boolean failed;

    HeadGuard(long max) {
      this.max = max;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (!(msg instanceof ByteBuf buf)) {
        ctx.fireChannelRead(msg);
        return;
      }
      int end = -1;
      for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
        byte b = buf.getByte(i);
        if (b == '\n') {
          if (!inLine && anyLine) {
            end = i;
            break;
          }
          inLine = false;
        } else if (b != '\r') {
          inLine = true;
          anyLine = true;
        }
        if (++seen > max) {
          failed = true;
          buf.release();
          ctx.fireExceptionCaught(new LimitExceeded(CapacityReport.Failure.HEAD_TOO_LARGE,
              "response head over " + Sizes.describe(max)));
          return;
        }
      }
      ctx.fireChannelRead(msg);
      if (end >= 0 && ctx.pipeline().context(this) != null) {
        ctx.pipeline().remove(this);
      }
    }
  }

  /**
   * Before Gatling's response handler, on the decoded body: fails the stream when a line (the bytes
   * between two line breaks, CR or LF) passes the bound, before Gatling's SSE decoder buffers it.
   */
  static final class LineGuard extends ChannelInboundHandlerAdapter {
    private final long max;
    private long run;
    private boolean failed;
    private ChannelHandlerContext ctx;

    LineGuard(long max) {
      this.max = max;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    /** Fails the connection with {@code e} (on its event loop), unless this guard is no longer in its pipeline. */
    void fail(LimitExceeded e) {
      if (ctx != null && !ctx.isRemoved()) {
        failed = true;
        ctx.fireExceptionCaught(e);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpContent content) {
        ByteBuf b = content.content();
        int over = b.forEachByte(value -> {
          if (value == '\n' || value == '\r') {
            run = 0;
            return true;
          }
          return ++run <= max;
        });
        if (over >= 0) {
          failed = true;
          ReferenceCountUtil.release(msg);
          ctx.fireExceptionCaught(new LimitExceeded(CapacityReport.Failure.LINE_TOO_LONG,
              "a line longer than " + Sizes.describe(max)));
          return;
        }
      }
      ctx.fireChannelRead(msg);
    }
  }
}
