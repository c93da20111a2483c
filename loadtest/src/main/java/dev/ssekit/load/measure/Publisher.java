package dev.ssekit.load.measure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;

/**
 * Publishes numbered events at a fixed rate until a deadline, one request at a time so the server
 * accepts them in order: through the publish contract ({@code POST {"data", "event"}} → 202), or
 * in {@link Format#RAW raw} form, the body being the event's data (nginx's nchan module and other
 * brokers that take the message as it is; the event type goes in {@code X-EventSource-Event},
 * which nchan honours).
 *
 * <p>Each event's data is {@code {"run":R,"seq":N,"sentAtMicros":T}}: the run id (so a shared topic
 * with other traffic is no problem), a sequence number from 1, and the send time in microseconds
 * since the epoch, taken just before the request is written.
 */
public final class Publisher implements AutoCloseable {
  /** The event type of published events. */
  public static final String EVENT_TYPE = "ssekit-load";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How an event is put in the request. */
  public enum Format {
    /** {@code {"data": "…", "event": "…"}} as application/json (ssekit's publish contract). */
    JSON,
    /** The data itself as text/plain, the event type in {@code X-EventSource-Event}. */
    RAW
  }

  private final Format format;
  private final URI publishUrl;
  private final String runId;
  private final long periodNanos;
  /** The most of a publish response's body that is read (the rest is not downloaded). */
  static final long MAX_RESPONSE_BYTES = 64L << 10;
  /** How long one publish may take, response body included. */
  static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient client;
  private final AtomicLong lastSent = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final Set<Long> failedSeqs = ConcurrentHashMap.newKeySet();
  private volatile String lastFailure;
  private volatile long stopAtMillis;
  /** Each publish's round trip (request written to answer read, or to its failure), µs; guarded by itself. */
  private final Histogram roundTrips = new Histogram(3);
  private final Thread thread;

  public Publisher(URI publishUrl, String runId, double eventsPerSecond) {
    this(publishUrl, Format.JSON, runId, eventsPerSecond);
  }

  public Publisher(URI publishUrl, Format format, String runId, double eventsPerSecond) {
    this(publishUrl, format, runId, eventsPerSecond, false);
  }

  /** @param insecure trust any TLS certificate ({@code --insecure}) */
  public Publisher(URI publishUrl, Format format, String runId, double eventsPerSecond, boolean insecure) {
    this.client = HttpClients.client(Duration.ofSeconds(5), insecure);
    if (!(eventsPerSecond > 0) || eventsPerSecond > 100_000) {
      throw new IllegalArgumentException("rate must be in (0, 100000] events/s");
    }
    this.publishUrl = publishUrl;
    this.format = format;
    this.runId = runId;
    this.periodNanos = (long) (1e9 / eventsPerSecond);
    this.thread = new Thread(this::loop, "ssekit-publisher");
    this.thread.setDaemon(true);
  }

  /** Starts publishing now; stops at {@code stopAtMillis} (epoch ms) or the one {@link #stopAt} sets. */
  public void start(long stopAtMillis) {
    this.stopAtMillis = stopAtMillis;
    thread.start();
  }

  /** Moves the stop time (epoch ms). */
  public void stopAt(long stopAtMillis) {
    this.stopAtMillis = stopAtMillis;
  }

  private void loop() {
    long next = System.nanoTime();
    long seq = 0;
    while (System.currentTimeMillis() < stopAtMillis && !Thread.currentThread().isInterrupted()) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
        if (System.currentTimeMillis() >= stopAtMillis) {
          return;
        }
      }
      // Late by more than a second (a slow server): skip the backlog rather than burst.
      long now = System.nanoTime();
      next = Math.max(next + periodNanos, now - 1_000_000_000L + periodNanos);
      publish(++seq);
    }
  }

  private void publish(long seq) {
    Instant t = Instant.now();
    long sentAtMicros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    ObjectNode data = JSON.createObjectNode().put("run", runId).put("seq", seq).put("sentAtMicros", sentAtMicros);
    HttpRequest.Builder request = HttpRequest.newBuilder(publishUrl).timeout(Duration.ofSeconds(5));
    if (format == Format.JSON) {
      ObjectNode body = JSON.createObjectNode().put("data", data.toString()).put("event", EVENT_TYPE);
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      request.header("Content-Type", "text/plain; charset=utf-8")
          .header("X-EventSource-Event", EVENT_TYPE)
          .POST(HttpRequest.BodyPublishers.ofString(data.toString()));
    }
    lastSent.set(seq);
    long began = System.nanoTime();
    try {
      HttpResponse<String> r = BoundedBody.send(client, request.build(), MAX_RESPONSE_BYTES, PUBLISH_TIMEOUT);
      if (r.statusCode() / 100 == 2) {
        published.incrementAndGet();
      } else {
        failed(seq, "HTTP " + r.statusCode() + ": " + abbreviate(r.body()));
      }
    } catch (IOException e) {
      failed(seq, e.toString());
    } catch (InterruptedException e) {
      failed(seq, "interrupted");
      Thread.currentThread().interrupt();
    } finally {
      synchronized (roundTrips) { // a refused or timed-out publish too: the server took that long
        roundTrips.recordValue(Math.max(1, (System.nanoTime() - began) / 1000));
      }
    }
  }

  private void failed(long seq, String why) {
    failedSeqs.add(seq);
    lastFailure = why;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }

  /** The last sequence number whose request has been started (0 before the first). */
  public long lastSent() {
    return lastSent.get();
  }

  /** Events the server accepted (2xx). */
  public long published() {
    return published.get();
  }

  /**
   * A copy of the publishes' round trips so far (µs), from sending each request until it was
   * answered, refused or timed out: how long the server took over each event. Publishes go one at a time, so a round trip longer than the rate's
   * period holds the rate down.
   */
  public Histogram roundTrips() {
    synchronized (roundTrips) {
      return roundTrips.copy();
    }
  }

  /** Publishes that failed (refused, timed out, connection error). */
  public long failed() {
    return failedSeqs.size();
  }

  /** The last failure's reason, or {@code null}. */
  public String lastFailure() {
    return lastFailure;
  }

  /** True for sequence numbers that were not published (a failed request). */
  public LongPredicate notPublished() {
    return failedSeqs::contains;
  }

  /** Stops (if still running) and waits up to 10 s for the request in flight. */
  @Override
  public void close() {
    stopAtMillis = 0;
    try {
      thread.join(10_000);
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(1_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
