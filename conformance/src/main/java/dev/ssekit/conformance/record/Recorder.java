package dev.ssekit.conformance.record;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.DispatchedEvent;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;

/**
 * Opens streams the way a browser's EventSource does and records what comes back, byte for
 * byte with arrival times, within bounds: a time to the response head, a recording window, a byte
 * cap, and an optional stop condition on the events read so far. A hostile server (silent,
 * endless, huge) ends a recording at one of these bounds; it never hangs or exhausts memory.
 *
 * <p>The parts, beside it in this package: {@link BrowserHeaders} (what a request sends),
 * {@link RecordingClient} (the HTTP client and its TLS), {@link DefaultSession} (one recording and
 * its bounds, its reads kept in a {@link ChunkLog}), {@link HeadNudge} (drawing out held heads) and
 * {@link Publisher} (the publish contract).
 */
public final class Recorder implements AutoCloseable {

  /** How long a server may take to send the response head. */
  public static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
  /** Default cap on one recording, counting each read's bookkeeping (a flood of tiny reads costs too). */
  public static final long DEFAULT_MAX_BYTES = 4L << 20;
  /**
   * Cap on everything the recordings open at once hold: the tool's memory bound. 192 MiB, or a
   * third of the heap when that is less (a check joins a recording's reads into one body, a second
   * copy, and the heap holds the rest of the run too).
   */
  public static final long TOTAL_BUDGET_BYTES = Math.min(192L << 20, Runtime.getRuntime().maxMemory() / 3);
  /** How long a stream may go without a response head before the recorder publishes an event to draw it out. */
  public static final Duration NUDGE_AFTER = Duration.ofSeconds(2);
  /** The event that draws out a held head (plain data: it is read like any other event). */
  public static final String NUDGE_JSON = "{\"data\":\"ssekit nudge: a published event, because the response head had "
      + "not come\"}";

  private final Target target;
  private final RecordingClient client;
  private final Publisher publisher;
  private final HeadNudge nudge;
  private final AtomicLong liveBytes = new AtomicLong();
  private final AtomicInteger threads = new AtomicInteger();

  public Recorder(Target target) {
    this.target = target;
    this.client = new RecordingClient(target.insecure());
    this.publisher = new Publisher(client.http(), target);
    this.nudge = new HeadNudge(target.publishUrl() == null ? null : () -> {
      try {
        publishAlone(NUDGE_JSON);
      } catch (IOException | RuntimeException e) {
        // a publish problem is the delivery checks' to report
      }
    });
  }

  /**
   * What to record.
   *
   * @param url the URL (usually the target's)
   * @param lastEventId a Last-Event-ID header to send, or null
   * @param extraHeaders further headers (they replace browser defaults of the same name)
   * @param window how long to record at most
   * @param maxBytes byte cap
   * @param enough stop once the events read so far satisfy this (null: record the whole window)
   */
  public record Request(URI url, String lastEventId, Map<String, String> extraHeaders, Duration window, long maxBytes,
      Predicate<List<DispatchedEvent>> enough) {

    /** A plain request for the target's stream, capped at {@link #DEFAULT_MAX_BYTES}. */
    public static Request of(Target target, Duration window) {
      return new Request(target.url(), null, Map.of(), window, DEFAULT_MAX_BYTES, null);
    }

    public Request withLastEventId(String id) {
      return new Request(url, id, extraHeaders, window, maxBytes, enough);
    }

    /** Extra headers; an empty value removes that header from the request (e.g. no Accept at all). */
    public Request withHeaders(Map<String, String> headers) {
      return new Request(url, lastEventId, headers, window, maxBytes, enough);
    }

    public Request until(Predicate<List<DispatchedEvent>> condition) {
      return new Request(url, lastEventId, extraHeaders, window, maxBytes, condition);
    }

    public Request withMaxBytes(long bytes) {
      return new Request(url, lastEventId, extraHeaders, window, bytes, enough);
    }
  }

  /** A stream being recorded in the background (see {@link #open}); {@link #await()} returns the recording. */
  public interface Session {

    /**
     * Waits for the response head, until {@link #HEAD_TIMEOUT} after the request; returns whether it
     * came. Past {@link #NUDGE_AFTER} without one, the recorder publishes a plain event (when the
     * target has a publish URL): some servers send the head only with their first write.
     */
    boolean awaitHead() throws InterruptedException;

    /** Waits at most {@code d} (no nudge); true when the head came in that time. */
    boolean headWithin(Duration d) throws InterruptedException;

    /** The response status so far: -1 until the head has come. */
    int status();

    /** How long after the request the response head came; null until it has. */
    Duration headersAfter();

    /** True once the recording has ended (the server closed it, a bound, or {@link #stop()}). */
    boolean ended();

    /** Ends the recording now (as a client closing the stream would). */
    void stop();

    /** Waits at most {@code d} for the recording to end (it may still be waiting for its head); true when it has. */
    boolean awaitEnd(Duration d) throws InterruptedException;

    /** Waits until the recording ends (window, cap, condition, end of body) and returns it. */
    Recording await() throws InterruptedException;
  }

  /** The answer to one publish request. */
  public record Published(int status, String body, String id) {}

  /** Starts recording {@code request} in the background. */
  public Session open(Request request) {
    return start(request, new HttpGet(request.url()));
  }

  /** Records {@code request} and returns when it ends. */
  public Recording record(Request request) throws InterruptedException {
    return open(request).await();
  }

  /**
   * Sends one request that is not a stream (a preflight, a variant) and returns its status and
   * headers: the body is not read (a server may answer anything with an endless stream), and the
   * whole exchange is bounded by {@link #HEAD_TIMEOUT}.
   */
  public Recording exchange(HttpUriRequestBase request) throws InterruptedException {
    URI uri;
    try {
      uri = request.getUri();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad request URI: " + e.getMessage(), e);
    }
    Session s = start(new Request(uri, null, Map.of(), HEAD_TIMEOUT, 16 * 1024, null), request);
    s.awaitHead();
    s.stop(); // the head is all an exchange needs
    return s.await();
  }

  /** Sends {@code http} with the headers of {@code request} and records the answer on a thread of its own. */
  private Session start(Request request, HttpUriRequestBase http) {
    BrowserHeaders.apply(http, request, target);
    DefaultSession s = new DefaultSession(request, http, client.http(), nudge, liveBytes);
    Thread t = new Thread(s::run, "ssekit-recorder-" + threads.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return s;
  }

  /**
   * Publishes like {@link #publish}, but never at the same time as another {@code publishAlone}: the
   * checks that run beside each other (the passive stream, the resume check, nudges) publish one at
   * a time, so a server that orders concurrent publishes differently per connection cannot make one
   * check's verdict depend on another's timing. (The concurrent-publish check publishes concurrently
   * on purpose, alone.)
   */
  public Published publishAlone(String json) throws IOException {
    return publisher.publishAlone(json);
  }

  /** POSTs {@code json} to the target's publish URL (the publish contract). */
  public Published publish(String json) throws IOException {
    return publisher.publish(json);
  }

  /**
   * True when a nudge had been published (for any stream) at {@code nanos} ({@link System#nanoTime}):
   * a head that arrived after it may have been drawn out by it, whichever stream asked.
   */
  public boolean nudgedBy(long nanos) {
    return nudge.nudgedBy(nanos);
  }

  /** How many nudges were published (a server that holds its head until it has something to write). */
  public int nudges() {
    return nudge.count();
  }

  /**
   * Closes the connections kept alive between requests (publishes, answered requests): a count of
   * the server's sockets should see only the streams themselves.
   */
  public void closeIdleConnections() {
    client.closeIdle();
  }

  @Override
  public void close() throws IOException {
    publisher.close();
    client.close();
  }
}
