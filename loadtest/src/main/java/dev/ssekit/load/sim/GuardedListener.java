package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.protocol.Durations;
import io.gatling.http.client.HttpListener;
import io.gatling.http.client.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One SSE request's listener, guarded ({@link ResponseGuard} wraps each): when the request is about
 * to be written it swaps Gatling's HTTP/1.1 codec for one with a bounded head, puts a {@link
 * LineGuard} before Gatling's response handler and starts the head timeout; each failure of the
 * request is counted by kind ({@link ConnectFailures}) before Gatling hears of it. Called on the
 * connection's event loop only (Gatling's contract), so its fields need no locking.
 *
 * <pre>
 *   [ssl] → http (codec, head bounded) → inflater → chunked-writer → ssekit-lines → app-http
 * </pre>
 */
final class GuardedListener implements HttpListener {
  /** The {@link LineGuard}'s name in the pipeline. */
  private static final String LINES_HANDLER = "ssekit-lines";
  /** Gatling's names for its HTTP/1.1 codec and its response handler ({@code DefaultHttpClient}). */
  private static final String CODEC = "http";
  private static final String APP = "app-http";

  /** An event may take this many lines of {@code --max-line} (8 MiB by default). */
  static final int EVENT_LINES = 8;
  /** Set on a channel once its codec is the bounded one. */
  private static final AttributeKey<Boolean> BOUNDED = AttributeKey.valueOf("ssekit-bounded-codec");

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
    String notStream = ConnectFailures.notAStream(status, headers);
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
      ConnectFailures.Named named =
          ConnectFailures.name(e, headSeen, lines != null && lines.closeRequested, limits.maxHeadBytes());
      if (named != null) {
        failures.record(named.kind(), named.message());
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

  /**
   * Gatling's HTTP/1.1 codec ({@code DefaultHttpClient}'s settings: headers not validated, default
   * line and chunk sizes) with the status line, headers and trailers bounded to {@code maxHead}.
   */
  static HttpClientCodec boundedCodec(long maxHead) {
    return new HttpClientCodec(
        new HttpDecoderConfig().setMaxHeaderSize((int) Math.min(Integer.MAX_VALUE, maxHead)).setValidateHeaders(false),
        false, false);
  }
}
