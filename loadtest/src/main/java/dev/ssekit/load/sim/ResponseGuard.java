package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.Sizes;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.protocol.Durations;
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
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Bounds what each SSE response may cost the injector ({@link Limits}), inside Gatling's own HTTP
 * client: the response head must arrive within the head timeout and fit in the head size (and so
 * must the trailers after a chunked body's last chunk), no line of the stream may pass the line
 * size, and no event (the bytes of its lines up to the blank line that dispatches it) may pass the
 * event size, {@link #EVENT_LINES} lines' worth. A server past a bound fails that stream with the
 * bound named in its error; the failure, like every connect failure, is counted by kind in {@link
 * Failures}.
 *
 * <p>Why this reaches into Gatling: its HTTP decoder accepts heads of any size
 * ({@code DefaultHttpClient} sets Netty's {@code maxHeaderSize} to {@code Integer.MAX_VALUE}, for the
 * trailers too), an SSE connect has no request timeout (so a server that never answers holds the
 * connect forever), and its SSE decoder buffers a line until it ends and the data lines of an event
 * until its blank line. Gatling offers no setting or hook for any of
 * these, so {@link #installer} swaps the {@link HttpEngine}'s client for one that wraps each SSE
 * request's listener; when the request is about to be written (before the encoder sees it), the
 * listener swaps Gatling's HTTP/1.1 codec for the same codec with a bounded head (Netty then
 * bounds the status line, the headers and the trailers, and reports a longer one as a decoding
 * failure, which Gatling's response handler turns into this request's error) and puts a line and
 * event guard before Gatling's response handler. The swap is a reflective write of one field, checked at scenario build: if a
 * Gatling upgrade moves it, the run stops before it starts with a message saying so.
 *
 * <pre>
 *   [ssl] → http (codec, head bounded) → inflater → chunked-writer → ssekit-lines → app-http
 * </pre>
 */
final class ResponseGuard {
  static final String LINES_HANDLER = "ssekit-lines";
  /** Gatling's names for its HTTP/1.1 codec and its response handler ({@code DefaultHttpClient}). */
  private static final String CODEC = "http";
  private static final String APP = "app-http";
  private static final String SSE_LISTENER = "io.gatling.http.action.sse.SseListener";

  /** An event may take this many lines of {@code --max-line} (8 MiB by default). */
  static final int EVENT_LINES = 8;

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
        requireHttp1(http.httpProtocol().enginePart().enableHttp2());
        install(http.httpEngine(), limits, failures);
        return next;
      }
    };
    return () -> scala;
  }

  /** The guards sit in the HTTP/1.1 pipeline: a protocol with HTTP/2 enabled would bypass them. */
  static void requireHttp1(boolean http2Enabled) {
    if (http2Enabled) {
      throw new IllegalStateException("ssekit bounds SSE streams over HTTP/1.1 only; this HTTP protocol enables HTTP/2");
    }
  }

  /** Wraps the engine's client (again, with these limits, if an earlier run wrapped it). */
  static void install(HttpEngine engine, Limits limits, Failures failures) {
    // A reflective write to a private final field. Safe here because it happens while Gatling builds
    // the scenario's actions, before the first virtual user starts and so before any request is
    // queued on the engine's client: nothing has read the field for a request yet, and the virtual
    // users' event loops, started later, see the new value (the actor system hands the built
    // scenario to them through synchronized queues, a happens-before edge). Gatling reads the field
    // on each send (it is not copied into a closure at engine build), which is what makes the swap
    // take effect; a Gatling that copied it would leave the guard unused, which the hostile
    // end-to-end tests would catch.
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
      // Gatling's SSE runs over HTTP/1.1 only (its SSE requests never enable HTTP/2, and our
      // protocol does not either): an SSE listener here would bypass the guards, so refuse it.
      for (Pair<Request, HttpListener> r : requests) {
        if (r.getRight().getClass().getName().equals(SSE_LISTENER)) {
          throw new IllegalStateException("ssekit bounds SSE streams over HTTP/1.1 only; an SSE request came over HTTP/2");
        }
      }
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
    private LineGuard lines;

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
      assert !isHttp2 : "an SSE stream on HTTP/2 would bypass the guards (see requireHttp1)";
      delegate.onProtocolAwareness(isHttp2);
    }

    @Override
    public void onFinalClientRequest(Request request) {
      delegate.onFinalClientRequest(request);
    }

    @Override
    public void onWrite(Channel channel) {
      ChannelPipeline p = channel.pipeline();
      if (p.get(CODEC) != null && channel.attr(BOUNDED).setIfAbsent(true) == null) {
        p.replace(CODEC, CODEC, boundedCodec(limits.maxHeadBytes()));
      }
      LineGuard lines = new LineGuard(limits.maxLineBytes(), EVENT_LINES * limits.maxLineBytes());
      this.lines = lines;
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

    private static void replace(ChannelPipeline p, String name, String before, ChannelHandler handler) {
      if (p.get(name) != null) {
        p.remove(name); // a connection used again (a retry): start counting afresh
      }
      p.addBefore(before, name, handler);
    }

    @Override
    public void onHttpResponse(HttpResponseStatus status, HttpHeaders headers) {
      headSeen = true;
      cancelTimer();
      // Gatling's SSE listener fails an answer that is not a stream by calling its own onThrowable,
      // not this one: record it here, as a connect error.
      String notStream = notAStream(status, headers);
      if (notStream != null && !failed) {
        failed = true;
        failures.record(CapacityReport.Failure.CONNECT_ERROR, notStream);
      }
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
        } else if (tooLong(e) != null) {
          failures.record(headSeen ? CapacityReport.Failure.TRAILERS_TOO_LARGE : CapacityReport.Failure.HEAD_TOO_LARGE,
              (headSeen ? "response trailers over " : "response head over ") + Sizes.describe(limits.maxHeadBytes()));
        } else if (lines != null && lines.closeRequested) {
          // this client closed the stream itself (the run's end, a drop): not the server's failure
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

  /** Why an answer is not an SSE stream (Gatling's SSE listener's own test), or null when it is one. */
  static String notAStream(HttpResponseStatus status, HttpHeaders headers) {
    if (status.code() != 200) {
      return "status " + status + " (not 200)";
    }
    String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
      return "Content-Type " + (type == null ? "missing" : type) + " (not text/event-stream)";
    }
    return null;
  }

  /** Netty's head or trailer bound in {@code e}'s causes, or null. */
  static Throwable tooLong(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TooLongHttpHeaderException || t instanceof TooLongHttpLineException) {
        return t;
      }
    }
    return null;
  }

  /**
   * Gatling's HTTP/1.1 codec ({@code DefaultHttpClient}'s settings: headers not validated, default
   * line and chunk sizes) with the status line, headers and trailers bounded to {@code maxHead}.
   */
  static HttpClientCodec boundedCodec(long maxHead) {
    return new HttpClientCodec(
        new HttpDecoderConfig().setMaxHeaderSize((int) Math.min(Integer.MAX_VALUE, maxHead)).setValidateHeaders(false),
        false, false);
  }

  /** Set on a channel once its codec is the bounded one. */
  private static final io.netty.util.AttributeKey<Boolean> BOUNDED = io.netty.util.AttributeKey.valueOf("ssekit-bounded-codec");

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
   * Before Gatling's response handler, on the decoded body: fails the stream when a line (the bytes
   * between two line breaks: CR, LF or CRLF) passes the line bound, or an event (the bytes of its
   * lines, comments aside, since the blank line that dispatched the last one) passes the event
   * bound, before Gatling's SSE decoder buffers it. Also notes when this client asks to close the
   * connection, so that the close is not taken for the server's failure.
   */
  static final class LineGuard extends ChannelDuplexHandler {
    private final long maxLine;
    private final long maxEvent;
    private long line;
    private long event;
    private boolean comment;
    private boolean afterCr;
    private boolean failed;
    boolean closeRequested;
    private ChannelHandlerContext ctx;

    LineGuard(long maxLine, long maxEvent) {
      this.maxLine = maxLine;
      this.maxEvent = maxEvent;
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
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
      closeRequested = true;
      super.close(ctx, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpContent content) {
        ByteBuf b = content.content();
        int over = b.forEachByte(this::accept);
        if (over >= 0) {
          failed = true;
          ReferenceCountUtil.release(msg);
          ctx.fireExceptionCaught(line > maxLine
              ? new LimitExceeded(CapacityReport.Failure.LINE_TOO_LONG, "a line longer than " + Sizes.describe(maxLine))
              : new LimitExceeded(CapacityReport.Failure.EVENT_TOO_LARGE,
                  "an event (its lines up to the blank line) larger than " + Sizes.describe(maxEvent)));
          return;
        }
      }
      ctx.fireChannelRead(msg);
    }

    /** One body byte; false when it passes a bound. */
    private boolean accept(byte value) {
      if (value == '\n' && afterCr) { // the LF of a CRLF: the line already ended at the CR
        afterCr = false;
        return true;
      }
      afterCr = value == '\r';
      if (value == '\n' || value == '\r') {
        if (line == 0) {
          event = 0; // a blank line: the event is dispatched, Gatling's buffer emptied
        }
        line = 0;
        return true;
      }
      if (line == 0) {
        comment = value == ':';
      }
      line++;
      if (!comment) {
        event++;
      }
      return line <= maxLine && event <= maxEvent;
    }
  }
}
