package dev.ssekit.load.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Floods a publish-contract endpoint on loopback with large events that carry no sequence number
 * (so the load tester counts them but does not account them): the streams' readers must read
 * through them to reach the accounted events behind. Bounded by time and by count; {@link
 * #close} stops it.
 */
final class Flooder implements AutoCloseable {
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean running = true;

  /**
   * Starts {@code threads} publishers, each posting events of {@code eventBytes} of data back to
   * back until {@code duration} has passed or {@code maxEvents} were posted in all.
   */
  Flooder(String publishUrl, int threads, int eventBytes, Duration duration, long maxEvents) {
    this(publishUrl, threads, eventBytes, duration, maxEvents, () -> true);
  }

  /** The same, but the publishers wait (polling, within {@code duration}) until {@code ready}. */
  Flooder(String publishUrl, int threads, int eventBytes, Duration duration, long maxEvents,
      java.util.function.BooleanSupplier ready) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String body = "{\"event\":\"flood\",\"data\":\"" + "f".repeat(eventBytes) + "\"}";
    long deadline = System.nanoTime() + duration.toNanos();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        while (running && System.nanoTime() < deadline && !ready.getAsBoolean()) {
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
        while (running && System.nanoTime() < deadline && published.get() + failed.get() < maxEvents) {
          try {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(publishUrl)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
            (r.statusCode() / 100 == 2 ? published : failed).incrementAndGet();
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      }, "flooder-" + i);
      t.setDaemon(true);
      t.start();
      this.threads.add(t);
    }
  }

  long published() {
    return published.get();
  }

  long failed() {
    return failed.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(10_000);
    }
  }

  /**
   * For measuring by hand: {@code Flooder PUBLISH_URL THREADS EVENT_BYTES SECONDS} (at most 100,000
   * events, at most 120 s).
   */
  public static void main(String[] args) throws Exception {
    try (Flooder f = new Flooder(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]),
        Duration.ofSeconds(Math.min(120, Long.parseLong(args[3]))), 100_000)) {
      Thread.sleep(Math.min(120, Long.parseLong(args[3])) * 1000 + 500);
      System.out.println("published " + f.published() + ", failed " + f.failed());
    }
  }
}
