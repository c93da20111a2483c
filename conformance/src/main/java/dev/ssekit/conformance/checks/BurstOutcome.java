package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.checks.Bursts.Received;
import dev.ssekit.conformance.checks.Bursts.Sent;
import dev.ssekit.conformance.record.BrowserStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a burst ({@link Bursts}) produced, and its judgement: each connection's tally of the
 * accepted events (delivered, missing, repeated, out of their publisher's order) and, for
 * concurrent publishers, whether the connections agree on one order.
 *
 * @param sent every publish, in order per publisher
 * @param received what each connection got, across its reconnects
 * @param publishMs how long publishing took
 * @param planned how many events were to be published
 * @param inconclusive why connections were not judged to the end (filled by {@link #problems})
 */
record BurstOutcome(List<Sent> sent, List<Received> received, long publishMs, int planned, List<String> inconclusive) {

  BurstOutcome(List<Sent> sent, List<Received> received, long publishMs, int planned) {
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
    for (Sent s : sent) if (s.accepted()) acceptedByKey.put(Bursts.key(s.publisher(), s.seq()), s);
    List<String> problems = new ArrayList<>();
    List<Long> reference = null;
    for (int c = 0; c < received.size(); c++) {
      Tally t = Tally.of(received.get(c), acceptedByKey);
      if (t.cutOff()) inconclusive.add(t.notJudged(c));
      String line = t.line(c, concurrent);
      findings.note(line);
      String problem = t.problem(c, line);
      if (problem != null) problems.add(problem);
      if (reference == null) {
        reference = t.firstOrder();
      } else if (concurrent) {
        String disagreement = firstDisagreement(reference, t.firstOrder(), acceptedByKey);
        if (disagreement != null) problems.add("connections 1 and " + (c + 1) + " got the events in different "
            + "orders (" + disagreement + ")");
      }
    }
    return problems;
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

  /**
   * What one connection got of the accepted events: each once, in its publisher's order. A
   * connection that got a gapless first part, while the server ended its stream every few events
   * and it was still delivering when the tool's bounds ran out, is cut off: the rest is not judged,
   * not missing.
   *
   * @param accepted how many events were accepted
   * @param firstOrder the burst's events in the order they first arrived
   * @param delivered how many of the accepted events arrived
   * @param missing how many did not (0 when cut off)
   * @param firstMissing the first missing event's data, or null
   * @param repeated how many arrivals repeated an event
   * @param unordered how many events arrived after a later one of their publisher
   */
  private record Tally(Received received, int accepted, List<Long> firstOrder, int delivered, int missing,
      String firstMissing, boolean cutOff, int repeated, int unordered) {

    static Tally of(Received r, Map<Long, Sent> acceptedByKey) {
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
      boolean cutOff = missing > 0 && onlyTailMissing(times.keySet(), acceptedByKey.keySet())
          && r.followed().endedByServer() >= 3 && r.progressing();
      int repeated = 0;
      for (int n : times.values()) repeated += n - 1;
      return new Tally(r, acceptedByKey.size(), firstOrder, acceptedByKey.size() - missing, cutOff ? 0 : missing,
          cutOff ? null : firstMissing, cutOff, repeated, unordered(firstOrder));
    }

    /** The connection in one line: delivered, missing, repeated, out of order, its reconnects. */
    String line(int c, boolean concurrent) {
      return "connection " + (c + 1) + ": " + delivered + "/" + accepted + " delivered, "
          + (cutOff ? "the rest not judged (the tool's bounds ran out)" : missing + " missing")
          + (firstMissing != null ? " (first " + firstMissing + ")" : "")
          + ", " + repeated + " repeated, " + unordered + " out of " + (concurrent ? "their publisher's " : "")
          + "order; " + received.followed().reconnects() + " reconnect(s); " + received.followed().summary();
    }

    /** What is wrong with the connection ({@code line} in brief), or null. */
    String problem(int c, String line) {
      if (!received.followed().opened()) return "connection " + (c + 1) + " got " + Describe.head(received.followed().first());
      if (missing > 0 || repeated > 0 || unordered > 0) return line.substring(0, line.indexOf(';'));
      return null;
    }

    /** Why a cut-off connection was not judged to the end. */
    String notJudged(int c) {
      BrowserStream.Followed fl = received.followed();
      return "connection " + (c + 1) + " got the first " + delivered + " of " + accepted + " events in order, without a "
          + "gap, across " + fl.reconnects() + " reconnects (the server ends the stream every few events) before the "
          + "tool's bounds (" + (fl.stop() == BrowserStream.Stop.RECONNECT_LIMIT ? BrowserStream.MAX_RECONNECTS
          + " reconnects" : "its window") + ") ran out";
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

    /** How many events arrived after a later one of their publisher. */
    private static int unordered(List<Long> firstOrder) {
      int unordered = 0;
      Map<Integer, Integer> lastSeq = new HashMap<>();
      for (long k : firstOrder) {
        int p = (int) (k >>> 32);
        int seq = (int) k;
        Integer prev = lastSeq.get(p);
        if (prev != null && seq < prev) unordered++;
        lastSeq.merge(p, seq, Math::max);
      }
      return unordered;
    }
  }
}
