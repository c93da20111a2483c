package dev.ssekit.conformance.record;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.HttpEntity;

/**
 * One stream being recorded: {@link #run()} sends the request on its own thread, keeps the
 * response head, and reads the body into a {@link ChunkLog} until the server ends it or a bound
 * does (the request's window, byte cap or stop condition; the recorder's memory budget); the
 * waiting side gets the head (nudged by {@link HeadNudge} when held back) and then the
 * {@link Recording}. The implementation of {@link Recorder.Session}.
 */
final class DefaultSession implements Recorder.Session {

  private final Recorder.Request request;
  private final HttpUriRequestBase http;
  private final CloseableHttpClient client;
  private final HeadNudge nudge;
  private final long start = System.nanoTime();
  private final ChunkLog log;
  private final CountDownLatch head = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private final List<Recording.Header> headers = new ArrayList<>();
  private ContentDecoder decoder;
  private volatile int status = -1;
  private volatile String protocol = "";
  private volatile URI finalUrl;
  private volatile Duration headersAfter;
  private volatile Recording.End end;
  private volatile String error;
  private volatile Duration duration;

  /**
   * A session, not started yet.
   *
   * @param request what to record
   * @param http the HTTP request to send, its headers set
   * @param client the recorder's client
   * @param nudge the recorder's nudge for held heads
   * @param liveBytes the recorder's count of the bytes its open recordings hold
   */
  DefaultSession(Recorder.Request request, HttpUriRequestBase http, CloseableHttpClient client, HeadNudge nudge,
      AtomicLong liveBytes) {
    this.request = request;
    this.http = http;
    this.client = client;
    this.nudge = nudge;
    this.log = new ChunkLog(start, liveBytes);
  }

  /** Sends the request and records the response until it ends; runs on the session's own thread. */
  void run() {
    HttpClientContext context = HttpClientContext.create();
    try (CloseableHttpResponse response = client.execute(http, context)) {
      keepHead(response, context);
      head.countDown();
      HttpEntity entity = response.getEntity();
      if (entity == null) {
        finish(Recording.End.EOF, null);
        return;
      }
      readBody(entity.getContent());
    } catch (IOException | RuntimeException e) {
      if (end == null) {
        finish(Recording.End.ERROR, describe(e));
      }
    } catch (OutOfMemoryError e) {
      // Should not happen within the budgets; if it does, this recording ends, the run goes on.
      log.clear();
      finish(Recording.End.BYTE_CAP, "the tool ran short of memory recording this stream");
    } finally {
      log.release();
      head.countDown();
      if (end == null) finish(Recording.End.EOF, null);
      done.countDown();
    }
  }

  /** Keeps the response head: status, protocol, headers, the URL after redirects, the content coding. */
  private void keepHead(CloseableHttpResponse response, HttpClientContext context) {
    headersAfter = Duration.ofNanos(System.nanoTime() - start);
    protocol = response.getVersion() == null ? "HTTP/1.1" : response.getVersion().format();
    for (var h : response.getHeaders()) headers.add(new Recording.Header(h.getName(), h.getValue()));
    List<URI> redirects = context.getRedirectLocations() == null ? List.of() : context.getRedirectLocations().getAll();
    finalUrl = redirects.isEmpty() ? request.url() : redirects.get(redirects.size() - 1);
    status = response.getCode();
    var encoding = response.getFirstHeader("Content-Encoding");
    decoder = new ContentDecoder(encoding == null ? null : encoding.getValue());
  }

  /** The recording loop: every read stored, then the bounds (byte cap, memory budget, stop condition) checked. */
  private void readBody(InputStream in) throws IOException {
    byte[] buf = new byte[16 * 1024];
    List<DispatchedEvent> events = new ArrayList<>();
    EventStreamParser parser = request.enough() == null ? null : new EventStreamParser(
        item -> { if (item instanceof DispatchedEvent e) events.add(e); },
        request.lastEventId() == null ? "" : request.lastEventId(),
        EventStreamParser.DEFAULT_MAX_LINE_CHARS, EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    for (int n; (n = in.read(buf)) >= 0; ) {
      if (end != null) return; // stopped from outside (window)
      long now = System.nanoTime();
      byte[] wire = Arrays.copyOf(buf, n);
      byte[] decoded = decoder.decode(wire);
      long live = log.store(wire, decoded, decoder.identity(), now);
      if (log.accounted() >= request.maxBytes() || live > Recorder.TOTAL_BUDGET_BYTES) {
        finish(Recording.End.BYTE_CAP, log.accounted() >= request.maxBytes() ? null
            : "the tool's memory budget for open recordings (" + (Recorder.TOTAL_BUDGET_BYTES >> 20) + " MiB) is spent");
        http.cancel();
        return;
      }
      if (parser != null && decoded.length > 0) {
        parser.feed(decoded);
        if (request.enough().test(events)) {
          finish(Recording.End.ENOUGH, null);
          http.cancel();
          return;
        }
      }
    }
    finish(Recording.End.EOF, null);
  }

  private synchronized void finish(Recording.End why, String message) {
    if (end != null) return;
    end = why;
    error = message;
    duration = Duration.ofNanos(System.nanoTime() - start);
  }

  @Override
  public boolean awaitHead() throws InterruptedException {
    return waitForHead() && status > 0;
  }

  @Override
  public boolean headWithin(Duration d) throws InterruptedException {
    return head.await(Math.min(d.toNanos(), headTimeLeftNanos()), TimeUnit.NANOSECONDS) && status > 0;
  }

  private boolean waitForHead() throws InterruptedException {
    return nudge.awaitHead(head, this::headTimeLeftNanos, () -> status);
  }

  private long headTimeLeftNanos() {
    return Math.max(0, Recorder.HEAD_TIMEOUT.toNanos() - (System.nanoTime() - start));
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public Duration headersAfter() {
    return headersAfter;
  }

  @Override
  public boolean ended() {
    return done.getCount() == 0;
  }

  @Override
  public void stop() {
    if (status < 0 && headTimeLeftNanos() == 0) {
      finish(Recording.End.NO_RESPONSE, noHead());
    } else {
      finish(Recording.End.WINDOW, null);
    }
    http.cancel();
  }

  @Override
  public boolean awaitEnd(Duration d) throws InterruptedException {
    return done.await(d.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public Recording await() throws InterruptedException {
    if (!waitForHead()) {
      finish(Recording.End.NO_RESPONSE, noHead());
      http.cancel();
    } else {
      long left = request.window().toNanos() - (System.nanoTime() - start);
      if (!done.await(Math.max(0, left), TimeUnit.NANOSECONDS)) stop();
    }
    done.await(10, TimeUnit.SECONDS); // the reader leaves promptly once cancelled
    ChunkLog.Stored stored = log.stored(decoder == null || decoder.identity());
    String problem = error;
    if (problem == null && decoder != null && decoder.failure() != null) problem = decoder.failure();
    return new Recording(request.url(), finalUrl == null ? request.url() : finalUrl, status, protocol, headers,
        headersAfter, stored.decoded(), stored.wire(), end == null ? Recording.End.WINDOW : end, problem,
        request.lastEventId(), duration == null ? Duration.ofNanos(System.nanoTime() - start) : duration,
        decoder == null || decoder.decodable());
  }

  private static String noHead() {
    return "no response head within " + Recorder.HEAD_TIMEOUT.toSeconds() + " s";
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return m == null ? kind : kind + ": " + m;
  }
}
