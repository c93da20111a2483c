package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Limits;
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
import io.netty.channel.EventLoop;
import java.lang.reflect.Field;

/**
 * Bounds what each SSE response may cost the injector ({@link Limits}), inside Gatling's own HTTP
 * client: the response head must arrive within the head timeout and fit in the head size (and so
 * must the trailers after a chunked body's last chunk), no line of the stream may pass the line
 * size, and no event (the bytes of its lines up to the blank line that dispatches it) may pass the
 * event size, {@link GuardedListener#EVENT_LINES} lines' worth. A server past a bound fails that stream with the
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
 * event guard before Gatling's response handler ({@link GuardedListener}, {@link LineGuard}). The swap is a reflective write of one field, checked at scenario build: if a
 * Gatling upgrade moves it, the run stops before it starts with a message saying so.
 *
 * <pre>
 *   [ssl] → http (codec, head bounded) → inflater → chunked-writer → ssekit-lines → app-http
 * </pre>
 */
final class ResponseGuard {
  private static final String SSE_LISTENER = "io.gatling.http.action.sse.SseListener";

  private ResponseGuard() {}

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
}
