package dev.ssekit.conformance.browser;

import dev.ssekit.conformance.checks.Findings;
import dev.ssekit.conformance.record.Recording;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Compares what a browser's EventSource dispatched on one connection with what the oracle reads
 * in a recording of a connection to the same stream. Pure: no I/O, no clocks (times are given).
 *
 * <p>Two connections to a live stream may see different live events, so only their overlap is
 * compared: the sequences are aligned on their first common event (by event id when the stream
 * has ids, else by equal events), leading events that one side received before the other's
 * connection was open are skipped, and so are trailing events that arrived within
 * {@link #SLACK_MS} of either connection's end. Everything in between must be identical.
 */
final class Parity {

  /** Events this close to a connection's start or end may be seen by one connection only. */
  static final long SLACK_MS = 500;

  /** One dispatched event with the wall-clock time (ms) it was seen. */
  record Ev(String type, String data, String id, long at) {
    boolean same(Ev o) {
      return type.equals(o.type) && data.equals(o.data) && id.equals(o.id);
    }

    String show() {
      return "{type " + Findings.escape(type) + ", data " + Findings.escape(data) + ", lastEventId "
          + Findings.escape(id) + "}";
    }
  }

  /**
   * One connection as the browser saw it.
   *
   * @param opened when its open event fired (wall ms)
   * @param ended when the error that ended it fired (wall ms), or null when it was still open at the end
   * @param stateAfterEnd readyState right after it ended (0 reconnecting, 2 closed), or null
   */
  record BrowserConn(List<Ev> events, long opened, Long ended, Integer stateAfterEnd) {}

  /**
   * One connection as the oracle read it.
   *
   * @param recording the recording
   * @param events the oracle's events with the time each was first read
   * @param started when the request was sent (wall ms)
   */
  record OracleConn(Recording recording, List<Ev> events, long started) {
    long ended() {
      return started + recording.duration().toMillis();
    }
  }

  /** The outcome for one connection: differences (findings) and notes (what was and was not compared). */
  record Outcome(List<String> differences, List<String> notes, int compared) {}

  private Parity() {}

  /** Whether the spec reads this response as an event stream (else it fails the connection). */
  static boolean isEventStream(Recording r) {
    if (r.status() != 200) return false;
    String ct = r.header("Content-Type");
    if (ct == null) return false;
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT).equals("text/event-stream");
  }

  /**
   * Drops events of types whose browser listener was added late (the oracle saw the type first):
   * events of such a type up to {@link #SLACK_MS} after the listener was added may have been
   * missed by the browser for that reason alone.
   */
  static List<Ev> dropUnlistened(List<Ev> events, Map<String, Long> listenedAt, long browserStart, int[] dropped) {
    List<Ev> out = new ArrayList<>();
    for (Ev e : events) {
      Long at = listenedAt.get(e.type);
      if (at == null || (at > browserStart + 100 && e.at < at + SLACK_MS)) {
        dropped[0]++;
        continue;
      }
      out.add(e);
    }
    return out;
  }

  /**
   * Compares connection {@code label}: the browser's events {@code b} with the oracle's {@code o}.
   *
   * @param bothComplete true when both connections ended by themselves (the server closed the
   *     stream): then every event must match, not only the overlap
   */
  static Outcome compare(String label, OracleConn oracle, List<Ev> o, BrowserConn browser, List<Ev> b,
      boolean bothComplete) {
    List<String> diffs = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (o.isEmpty() && b.isEmpty()) {
      notes.add(label + ": no events on either side");
      return new Outcome(diffs, notes, 0);
    }
    int[] start = align(o, b, oracle, browser, bothComplete);
    if (start == null) {
      if (bothComplete || o.isEmpty() || b.isEmpty()) {
        diffs.add(label + ": the browser dispatched " + b.size() + " events, the oracle read " + o.size()
            + (o.isEmpty() ? "" : "; the oracle's first: " + o.get(0).show())
            + (b.isEmpty() ? "" : "; the browser's first: " + b.get(0).show()));
      } else {
        notes.add(label + ": cannot be compared: the two connections share no event (a live stream whose two"
            + " connections received different events; browser " + b.size() + ", oracle " + o.size() + ")");
      }
      return new Outcome(diffs, notes, 0);
    }
    int i = start[0];
    int j = start[1];
    if (i > 0) notes.add(label + ": " + i + " oracle events from before the browser's connection opened were not compared");
    if (j > 0) notes.add(label + ": " + j + " browser events from before the oracle's connection opened were not compared");
    int n = Math.min(o.size() - i, b.size() - j);
    for (int k = 0; k < n; k++) {
      Ev oe = o.get(i + k);
      Ev be = b.get(j + k);
      if (!oe.same(be)) {
        diffs.add(label + ": event " + (k + 1) + " of the overlap differs: the oracle read " + oe.show()
            + ", the browser dispatched " + be.show());
        return new Outcome(diffs, notes, k);
      }
    }
    long endO = oracle.ended();
    long endB = browser.ended() == null ? Long.MAX_VALUE : browser.ended();
    long overlapEnd = Math.min(endO, endB);
    int outside = 0;
    List<Ev> longer = o.size() - i > n ? o.subList(i + n, o.size()) : b.subList(j + n, b.size());
    boolean oracleLonger = o.size() - i > n;
    for (Ev e : longer) {
      if (bothComplete || e.at < overlapEnd - SLACK_MS) {
        diffs.add(label + ": " + (oracleLonger ? "the oracle read " + e.show() + ", which the browser did not dispatch"
            : "the browser dispatched " + e.show() + ", which the oracle did not read"));
        if (diffs.size() >= 5) break;
      } else {
        outside++;
      }
    }
    if (outside > 0) {
      notes.add(label + ": " + outside + (oracleLonger ? " oracle" : " browser")
          + " events at the end of the window were received by one connection only (not compared)");
    }
    notes.add(label + ": " + n + " events compared" + (n == 0 ? "" : ", identical"));
    return new Outcome(diffs, notes, n);
  }

  /** Where the two sequences start to correspond: {oracle index, browser index}, or null. */
  private static int[] align(List<Ev> o, List<Ev> b, OracleConn oracle, BrowserConn browser, boolean bothComplete) {
    if (o.isEmpty() || b.isEmpty()) return o.isEmpty() && b.isEmpty() ? new int[] {0, 0} : null;
    // Two complete readings of one stream must match from their first events on.
    if (bothComplete || o.get(0).same(b.get(0))) return new int[] {0, 0};
    // Skip events one side received before the other's connection was open.
    for (int i = 1; i < o.size() && o.get(i - 1).at < browser.opened() + SLACK_MS; i++) {
      if (o.get(i).same(b.get(0))) return new int[] {i, 0};
    }
    for (int j = 1; j < b.size() && b.get(j - 1).at < oracle.started() + SLACK_MS; j++) {
      if (b.get(j).same(o.get(0))) return new int[] {0, j};
    }
    // With ids, the first common id marks the same event on both connections.
    boolean ids = o.stream().allMatch(e -> !e.id.isEmpty()) && b.stream().allMatch(e -> !e.id.isEmpty());
    if (ids) {
      for (int i = 0; i < o.size(); i++) {
        if (Objects.equals(o.get(i).id, b.get(0).id)) return new int[] {i, 0};
      }
      for (int j = 0; j < b.size(); j++) {
        if (Objects.equals(b.get(j).id, o.get(0).id)) return new int[] {0, j};
      }
    }
    return null;
  }
}
