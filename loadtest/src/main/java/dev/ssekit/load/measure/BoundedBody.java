package dev.ssekit.load.measure;

import dev.ssekit.protocol.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A response body read with two bounds: at most {@code maxBytes} (the rest is not downloaded: the
 * exchange is cancelled) and at most {@code timeout} for the whole exchange, body included (the
 * JDK client's own request timeout stops at the response head).
 */
final class BoundedBody {
  /** The body passed {@code maxBytes}. */
  static final class TooLarge extends IOException {
    TooLarge(String message) {
      super(message);
    }
  }

  /** The exchange, body included, took longer than its bound. */
  static final class TooSlow extends IOException {
    TooSlow(String message) {
      super(message);
    }
  }

  private BoundedBody() {}

  /**
   * Sends {@code request} and reads its body as UTF-8.
   *
   * @throws TooLarge when the body passes {@code maxBytes}
   * @throws TooSlow when the exchange takes longer than {@code timeout}, or the response head longer
   *     than the request's own timeout
   * @throws IOException when the exchange fails
   */
  static HttpResponse<String> send(HttpClient client, HttpRequest request, long maxBytes, Duration timeout)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> f = client.sendAsync(request, info -> new Collector(maxBytes));
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new TooSlow("no complete answer within " + Durations.format(timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof ExecutionException
          || (cause instanceof IOException && !(cause instanceof TooLarge) && cause.getCause() instanceof TooLarge))
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof java.net.http.HttpConnectTimeoutException) {
        throw new TooSlow("no connection within " + request.timeout().map(Durations::format).orElse("its timeout"));
      }
      if (cause instanceof java.net.http.HttpTimeoutException) { // the request's timeout: no response head in time
        throw new TooSlow("no response head within " + request.timeout().map(Durations::format).orElse("its timeout"));
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause);
    }
  }

  /** Collects up to {@code max} bytes; past that it cancels its subscription and fails. */
  private static final class Collector implements HttpResponse.BodySubscriber<String> {
    private final long max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    Collector(long max) {
      this.max = max;
    }

    @Override
    public CompletionStage<String> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (bytes.size() + (long) b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new TooLarge("answer larger than " + Sizes.describe(max)));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toString(StandardCharsets.UTF_8));
    }
  }
}
