package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * back by one publisher, or by several publishers with requests in flight together. Judged per
 * connection across its reconnects: nothing lost, nothing repeated, one order for all connections,
 * and each publisher's events in the order it published them.
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
  static Outcome run(Target target, Recorder recorder, Findings findings, DeliveryProbe.Outcome probe, String run,
      int publishers, int perPublisher, Duration publishBudget) throws InterruptedException {
    String prefix = "ssekit-" + run + "-b-";
    Pattern ours = Pattern.compile(Pattern.quote(prefix) + "(\\d+)-(\\d+)");
    int total = publishers * perPublisher;
    AtomicInteger done = new AtomicInteger();
    Duration window = publishBudget.plus(DRAIN).plusSeconds(5);
    List<BrowserStream> streams = new ArrayList<>();
    List<Map<Long, Boolean>> seenBy = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      Map<Long, Boolean> seen = new java.util.concurrent.ConcurrentHashMap<>();
      seenBy.add(seen);
      // Stops once every accepted event arrived (or the window ends): counted as they arrive.
      int[] scanned = {0};
      streams.add(BrowserStream.follow(recorder, Recorder.Request.of(target, window), arrivals -> {
        for (int i = scanned[0]; i < arrivals.size(); i++) {
          Matcher m = ours.matcher(arrivals.get(i).event().data());
          if (m.find()) seen.put(key(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))), true);
        }
        scanned[0] = arrivals.size();
        return done.get() > 0 && seen.size() >= done.get();
      }));
    }
    for (BrowserStream s : streams) {
      if (!s.awaitHead()) {
        for (BrowserStream x : streams) x.stop();
        findings.notApplicable("a stream connection did not open: " + Describe.head(s.stopAndAwait().first())
            + " (the http checks report it)");
      }
    }
    Publishing.ready(streams, recorder, run, Duration.ofSeconds(1), probe);
    long start = System.nanoTime();
    List<Sent> sent = publish(recorder, prefix, publishers, perPublisher, start + publishBudget.toNanos());
    long publishMs = Publishing.millis(System.nanoTime() - start);
    int accepted = (int) sent.stream().filter(Sent::accepted).count();
    done.set(Math.max(1, accepted));
    List<Received> received = new ArrayList<>();
    // Wait while events keep coming: up to DRAIN in all, but not past QUIET without progress.
    long drainEnd = System.nanoTime() + DRAIN.toNanos();
    for (int c = 0; c < CONNECTIONS; c++) {
      BrowserStream s = streams.get(c);
      Map<Long, Boolean> seen = seenBy.get(c);
      while (System.nanoTime() < drainEnd && seen.size() < accepted && !s.ended()) {
        int before = seen.size();
        long left = Math.min(QUIET.toNanos(), drainEnd - System.nanoTime());
        s.awaitArrivals(a -> seen.size() >= accepted, Duration.ofNanos(Math.max(1, left)));
        if (seen.size() == before) break;
      }
    }
    for (BrowserStream s : streams) {
      BrowserStream.Followed f = s.stopAndAwait();
      List<Long> keys = new ArrayList<>();
      int lastConnection = f.connections().size() - 1;
      // A reconnect the tool ended within a second, before any event, says nothing of the server (a server that
      // leaves a reconnect silent for longer is judged on it): the connection before it counts.
      while (lastConnection > 0 && cutOffByTheTool(f.connections().get(lastConnection).recording())) lastConnection--;
      boolean progressing = false;
      for (BrowserStream.Arrival a : f.arrivals()) {
        Matcher m = ours.matcher(a.event().data());
        if (m.find()) {
          keys.add(key(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
          progressing |= a.connection() == lastConnection && lastConnection > 0;
        }
      }
      // Still delivering when the tool stopped: the last connection (after the server ended others) got events, or
      // the tool stopped at its reconnect limit. A last connection that got nothing is loss, not a bound.
      received.add(new Received(keys, f, progressing || f.stop() == BrowserStream.Stop.RECONNECT_LIMIT));
    }
    return new Outcome(sent, received, publishMs, total);
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

  /** Everything a burst produced, and its judgement. */
  record Outcome(List<Sent> sent, List<Received> received, long publishMs, int planned, List<String> inconclusive) {

    Outcome(List<Sent> sent, List<Received> received, long publishMs, int planned) {
      this(sent, received, publishMs, planned, new ArrayList<>());
    }

    int accepted() {
      return (int) sent.stream().filter(Sent::accepted).count();
    }

    String firstRefusal() {
      return sent.stream().filter(s -> !s.accepted()).map(s -> s.data() + ": " + s.refusal()).findFirst().orElse(null);
    }

    /**
     * The problems, one per connection, in words; empty when every connection got every accepted
     * event once, the connections agree on one order, and each publisher's events kept theirs.
     */
    List<String> problems(boolean concurrent, Findings findings) {
      Map<Long, Sent> acceptedByKey = new HashMap<>();
      for (Sent s : sent) if (s.accepted()) acceptedByKey.put(key(s.publisher(), s.seq()), s);
      List<String> problems = new ArrayList<>();
      List<Long> reference = null;
      for (int c = 0; c < received.size(); c++) {
        Received r = received.get(c);
        Map<Long, Integer> times = new HashMap<>();
        List<Long> firstOrder = new ArrayList<>();
        for (long k : r.keys()) {
          if (times.merge(k, 1, Integer::sum) == 1) firstOrder.add(k);
        }
        int missing = 0;
        String firstMissing = null;
        for (Map.Entry<Long, Sent> e : acceptedByKey.entrySet()) {
          if (!times.containsKey(e.getKey())) {
            missing++;
            if (firstMissing == null || e.getValue().data().compareTo(firstMissing) < 0) firstMissing = e.getValue().data();
          }
        }
        boolean onlyTail = missing > 0 && onlyTailMissing(times.keySet(), acceptedByKey.keySet());
        BrowserStream.Followed fl = r.followed();
        int delivered = acceptedByKey.size() - missing;
        boolean cutOff = onlyTail && fl.endedByServer() >= 3 && r.progressing();
        if (cutOff) {
          inconclusive.add("connection " + (c + 1) + " got the first " + (acceptedByKey.size() - missing) + " of "
              + acceptedByKey.size() + " events in order, without a gap, across " + fl.reconnects() + " reconnects "
              + "(the server ends the stream every few events) before the tool's bounds ("
              + (fl.stop() == BrowserStream.Stop.RECONNECT_LIMIT ? BrowserStream.MAX_RECONNECTS + " reconnects" : "its window")
              + ") ran out");
          missing = 0;
          firstMissing = null;
        }
        int duplicated = 0;
        for (int n : times.values()) duplicated += n - 1;
        int unordered = 0;
        Map<Integer, Integer> lastSeq = new HashMap<>();
        for (long k : firstOrder) {
          int p = (int) (k >>> 32);
          int seq = (int) k;
          Integer prev = lastSeq.get(p);
          if (prev != null && seq < prev) unordered++;
          lastSeq.merge(p, seq, Math::max);
        }
        String line = "connection " + (c + 1) + ": " + delivered + "/" + acceptedByKey.size() + " delivered, "
            + (cutOff ? "the rest not judged (the tool's bounds ran out)" : missing + " missing")
            + (firstMissing != null ? " (first " + firstMissing + ")" : "")
            + ", " + duplicated + " repeated, " + unordered + " out of " + (concurrent ? "their publisher's " : "")
            + "order; " + r.followed().reconnects() + " reconnect(s); " + r.followed().summary();
        findings.note(line);
        if (missing > 0 || duplicated > 0 || unordered > 0 || !r.followed().opened()) {
          problems.add(!r.followed().opened() ? "connection " + (c + 1) + " got "
              + Describe.head(r.followed().first()) : line.substring(0, line.indexOf(';')));
        }
        if (reference == null) {
          reference = firstOrder;
        } else if (concurrent) {
          String disagreement = firstDisagreement(reference, firstOrder, acceptedByKey);
          if (disagreement != null) problems.add("connections 1 and " + (c + 1) + " got the events in different "
              + "orders (" + disagreement + ")");
        }
      }
      return problems;
    }

    /** True when every missing event comes after every received one of its publisher (a cut-off tail, no gap). */
    private static boolean onlyTailMissing(java.util.Set<Long> got, java.util.Set<Long> accepted) {
      Map<Integer, Integer> maxGot = new HashMap<>();
      for (long k : got) maxGot.merge((int) (k >>> 32), (int) k, Math::max);
      for (long k : accepted) {
        if (got.contains(k)) continue;
        Integer max = maxGot.get((int) (k >>> 32));
        if (max != null && (int) k < max) return false;
      }
      return true;
    }

    /** Where two connections' orders of the events both received first differ, or null. */
    private static String firstDisagreement(List<Long> a, List<Long> b, Map<Long, Sent> byKey) {
      java.util.Set<Long> common = new java.util.HashSet<>(a);
      common.retainAll(new java.util.HashSet<>(b));
      List<Long> x = a.stream().filter(common::contains).toList();
      List<Long> y = b.stream().filter(common::contains).toList();
      for (int i = 0; i < x.size(); i++) {
        if (!x.get(i).equals(y.get(i))) {
          return "event #" + i + " of those both received: " + byKey.get(x.get(i)).data() + " on one, "
              + byKey.get(y.get(i)).data() + " on the other";
        }
      }
      return null;
    }
  }
}
