package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many events at once to three connections followed as browsers follow them: published back to
 * back by one publisher, or by several publishers with requests in flight together. What each
 * connection received across its reconnects is judged by {@link BurstOutcome}: nothing lost,
 * nothing repeated, one order for all connections, and each publisher's events in the order it
 * published them.
 */
final class Bursts {
  private Bursts() {}

  static final int CONNECTIONS = 3;
  /** Whatever has not arrived this long after the last publish is not coming. */
  static final Duration DRAIN = Duration.ofSeconds(8);
  /** ... nor when nothing new arrived for this long. */
  static final Duration QUIET = Duration.ofSeconds(2);

  /** One published event: its publisher, its place in that publisher's sequence, and its text. */
  record Sent(int publisher, int seq, String data, boolean accepted, String refusal) {}

  /** What one connection (with its reconnects) received of the burst, in arrival order, by key publisher/seq. */
  record Received(List<Long> keys, BrowserStream.Followed followed, boolean progressing) {}

  static long key(int publisher, int seq) {
    return ((long) publisher << 32) | seq;
  }

  /**
   * Opens the connections, runs {@code publishers} publishers of {@code perPublisher} events each
   * ({@code publishers == 1}: back to back), and returns what each connection received.
   */
  static BurstOutcome run(Target target, Recorder recorder, Findings findings, DeliveryProbe.Outcome probe, String run,
      int publishers, int perPublisher, Duration publishBudget) throws InterruptedException {
    String prefix = "ssekit-" + run + "-b-";
    Pattern ours = Pattern.compile(Pattern.quote(prefix) + "(\\d+)-(\\d+)");
    AtomicInteger done = new AtomicInteger();
    Duration window = publishBudget.plus(DRAIN).plusSeconds(5);
    List<Counted> connections = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      connections.add(Counted.follow(recorder, Recorder.Request.of(target, window), ours, done));
    }
    awaitHeads(connections, findings);
    Publishing.ready(connections.stream().map(Counted::stream).toList(), recorder, run, Duration.ofSeconds(1), probe);
    long start = System.nanoTime();
    List<Sent> sent = publish(recorder, prefix, publishers, perPublisher, start + publishBudget.toNanos());
    long publishMs = Publishing.millis(System.nanoTime() - start);
    int accepted = (int) sent.stream().filter(Sent::accepted).count();
    done.set(Math.max(1, accepted));
    drain(connections, accepted);
    List<Received> received = new ArrayList<>();
    for (Counted c : connections) received.add(received(c.stream().stopAndAwait(), ours));
    return new BurstOutcome(sent, received, publishMs, publishers * perPublisher);
  }

  /**
   * A followed connection and the burst's events it has seen so far, counted as they arrive; it
   * stops once every accepted event arrived (or its window ends).
   */
  private record Counted(BrowserStream stream, Map<Long, Boolean> seen) {

    /** Follows {@code request}, counting the events {@code ours} matches until {@code done} of them arrived. */
    static Counted follow(Recorder recorder, Recorder.Request request, Pattern ours, AtomicInteger done) {
      Map<Long, Boolean> seen = new java.util.concurrent.ConcurrentHashMap<>();
      int[] scanned = {0};
      BrowserStream stream = BrowserStream.follow(recorder, request, arrivals -> {
        for (int i = scanned[0]; i < arrivals.size(); i++) {
          Matcher m = ours.matcher(arrivals.get(i).event().data());
          if (m.find()) seen.put(key(m), true);
        }
        scanned[0] = arrivals.size();
        return done.get() > 0 && seen.size() >= done.get();
      });
      return new Counted(stream, seen);
    }
  }

  /** Waits for every connection's response head; not applicable when one does not open. */
  private static void awaitHeads(List<Counted> connections, Findings findings) throws InterruptedException {
    for (Counted c : connections) {
      if (!c.stream().awaitHead()) {
        for (Counted x : connections) x.stream().stop();
        findings.notApplicable("a stream connection did not open: " + Describe.head(c.stream().stopAndAwait().first())
            + " (the http checks report it)");
      }
    }
  }

  /** Waits while events keep coming: up to {@link #DRAIN} in all, but not past {@link #QUIET} without progress. */
  private static void drain(List<Counted> connections, int accepted) throws InterruptedException {
    long drainEnd = System.nanoTime() + DRAIN.toNanos();
    for (Counted c : connections) {
      Map<Long, Boolean> seen = c.seen();
      while (System.nanoTime() < drainEnd && seen.size() < accepted && !c.stream().ended()) {
        int before = seen.size();
        long left = Math.min(QUIET.toNanos(), drainEnd - System.nanoTime());
        c.stream().awaitArrivals(a -> seen.size() >= accepted, Duration.ofNanos(Math.max(1, left)));
        if (seen.size() == before) break;
      }
    }
  }

  /** What a stopped connection received of the burst, and whether it was still delivering when the tool stopped. */
  private static Received received(BrowserStream.Followed f, Pattern ours) {
    List<Long> keys = new ArrayList<>();
    int lastConnection = f.connections().size() - 1;
    // A reconnect the tool ended within a second, before any event, says nothing of the server (a server that
    // leaves a reconnect silent for longer is judged on it): the connection before it counts.
    while (lastConnection > 0 && cutOffByTheTool(f.connections().get(lastConnection).recording())) lastConnection--;
    boolean progressing = false;
    for (BrowserStream.Arrival a : f.arrivals()) {
      Matcher m = ours.matcher(a.event().data());
      if (m.find()) {
        keys.add(key(m));
        progressing |= a.connection() == lastConnection && lastConnection > 0;
      }
    }
    // Still delivering when the tool stopped: the last connection (after the server ended others) got events, or
    // the tool stopped at its reconnect limit. A last connection that got nothing is loss, not a bound.
    return new Received(keys, f, progressing || f.stop() == BrowserStream.Stop.RECONNECT_LIMIT);
  }

  /** The key of a matched event: publisher and sequence number. */
  private static long key(Matcher m) {
    return key(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  private static boolean cutOffByTheTool(dev.ssekit.conformance.record.Recording r) {
    // Unanswered for under a second, or answered and cut within a quarter of one: the tool's doing, not a silence.
    return r.events().isEmpty() && r.duration().toMillis() < (r.responded() ? 250 : 1000)
        && (r.end() == dev.ssekit.conformance.record.Recording.End.WINDOW
        || r.end() == dev.ssekit.conformance.record.Recording.End.ENOUGH);
  }

  /** Publishes with {@code publishers} threads, each its own sequence, until done or {@code deadline}. */
  private static List<Sent> publish(Recorder recorder, String prefix, int publishers, int perPublisher, long deadline)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(publishers, r -> {
      Thread t = new Thread(r, "ssekit-publisher");
      t.setDaemon(true);
      return t;
    });
    List<Future<List<Sent>>> futures = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      int publisher = p;
      futures.add(pool.submit(() -> {
        List<Sent> mine = new ArrayList<>();
        for (int n = 0; n < perPublisher && System.nanoTime() < deadline; n++) {
          String data = prefix + publisher + "-" + n;
          Recorder.Published answer = Publishing.publish(recorder, Publishing.json("data", data));
          boolean ok = Publishing.accepted(answer);
          mine.add(new Sent(publisher, n, data, ok, ok ? null : Publishing.answer(answer)));
        }
        return mine;
      }));
    }
    pool.shutdown();
    List<Sent> all = new ArrayList<>();
    try {
      long wait = Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(20);
      for (Future<List<Sent>> f : futures) {
        try {
          all.addAll(f.get(wait, TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // a publisher stuck past every bound: its events count as not published
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return all;
  }
}
