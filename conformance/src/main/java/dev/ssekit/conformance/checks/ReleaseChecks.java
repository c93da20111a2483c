package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.checks.Gauge.Snapshot;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Connection lifecycle, the part that counts the server's connections: streams the clients drop
 * are released. It runs alone ({@link Isolated}): while it counts, no other check holds a
 * connection to the server, so what is still open afterwards is the server's doing.
 */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
@Isolated("counts the server's sockets and open streams: other checks' connections would blur the count")
public class ReleaseChecks {

  /** How long the server has to notice the dropped streams and let them go. */
  static final Duration GRACE = Duration.ofSeconds(6);
  /** With a publish URL: how long before one published event makes the server write to every stream. */
  static final Duration GRACE_BEFORE_WRITE = Duration.ofSeconds(3);
  /** How long after one published event (a write to every stream) the streams may take to go. */
  static final Duration AFTER_WRITE = Duration.ofSeconds(5);

  /**
   * How many of {@code dropped} streams may still be open after {@link #GRACE}: 2, or 5% of a
   * larger batch. A correct server can be caught mid-way on a few (a close that raced the count,
   * connections an event loop reaps in batches, a client of someone else's that came and went on
   * the same server), so a handful is not a finding. More is a leak: one that keeps 5% of every
   * batch of dropped streams runs out of file descriptors or memory under ordinary reconnect churn
   * (every client reconnects at each deploy, network change or proxy timeout), and the 22 of 50
   * seen on a real server is far past it.
   */
  static int tolerated(int dropped) {
    return Math.max(2, dropped / 20);
  }

  @SseCheck(id = "lifecycle.abandoned-streams-released", severity = Severity.SHOULD, rule = "L-03",
      spec = Spec.AUTHORING, profile = Target.Profile.STANDARD,
      summary = "Streams the clients dropped are released: at most a handful of them (2, or 5%) are still open 6 s"
          + " later (3 s with a publish URL, then 5 s after the server next writes to them), by the server's"
          + " sockets (with --server-pid) and its open-stream gauge (with --metrics-url), and new streams are"
          + " answered promptly")
  void abandonedStreams(Target target, Recorder recorder, Findings f) throws InterruptedException {
    int n = target.profile() == Target.Profile.FULL ? 200 : 50;
    List<Gauge> gauges = gauges(target, recorder, f);
    Map<Gauge, Snapshot> baseline = read(gauges);
    List<Recorder.Session> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) sessions.add(recorder.open(Recorder.Request.of(target, Duration.ofSeconds(10))));
    int answered = 0;
    for (Recorder.Session s : sessions) if (s.awaitHead()) answered++;
    Thread.sleep(200);
    // Only streams still open count as held: a stream the server already ended is not the client's to drop.
    int opened = 0;
    for (Recorder.Session s : sessions) if (s.status() == 200 && !s.ended()) opened++;
    if (opened == 0) {
      for (Recorder.Session s : sessions) s.stop();
      f.notApplicable(answered == 0 ? "none of the " + n + " streams got a response head within "
          + Recorder.HEAD_TIMEOUT.toSeconds() + " s (http.status-200 reports why): there were no streams to drop"
          : "the server ended all " + answered + " streams by itself at once: there were no open streams to drop");
    }
    Map<Gauge, Snapshot> held = read(gauges);
    for (Recorder.Session s : sessions) s.stop();
    for (Recorder.Session s : sessions) s.await();
    boolean wrote = false;
    for (Gauge gauge : gauges) {
      wrote = judge(gauge, baseline.get(gauge), held.get(gauge), opened, wrote, target, recorder, f);
    }
    nextStreamAnswers(target, recorder, f, n, opened);
  }

  /** The server's sockets (with its pid) and its gauge of open streams (with a metrics URL), when readable. */
  private static List<Gauge> gauges(Target target, Recorder recorder, Findings f) {
    List<Gauge> gauges = new ArrayList<>();
    if (target.serverPid() != null) gauges.add(new ServerSockets(target.serverPid()));
    if (target.metricsUrl() != null) {
      MetricsGauge gauge = new MetricsGauge(recorder, target.metricsUrl(), target.connectionGauge());
      String problem = gauge.problem();
      if (problem == null) {
        gauges.add(gauge);
      } else if (target.serverPid() == null) {
        f.notApplicable(problem);
      } else {
        // The sockets still tell: an unreadable gauge must not cost the whole check.
        f.note(problem + "; judged by the server's sockets only");
      }
    }
    return gauges;
  }

  /**
   * Judges one gauge: how many of the {@code opened} dropped streams it still shows after the grace
   * period (and, with a publish URL, after two writes to every stream the server holds). Returns
   * whether the writes were made (they are made once, for whichever gauge needs them first).
   */
  private static boolean judge(Gauge gauge, Snapshot before, Snapshot during, int opened, boolean wrote, Target target,
      Recorder recorder, Findings f) throws InterruptedException {
    if (before == null || during == null) {
      f.note(gauge.name() + ": could not be read");
      return wrote;
    }
    if (gauge instanceof MetricsGauge && during.count() - before.count() < opened / 2.0) {
      // A gauge that did not rise with the streams does not count them: its fall proves nothing.
      f.note(gauge.name() + ": " + fmt(before.count()) + " before, " + fmt(during.count()) + " with " + opened
          + " streams held; it does not count streams, so it was not judged (name the right one with"
          + " --connection-gauge)");
      return wrote;
    }
    int tolerated = tolerated(opened);
    // Give the server time to notice the dropped connections; the tool's own kept-alive connections
    // (publishes, answered requests) are closed first, so only streams are counted.
    recorder.closeIdleConnections();
    // With a publish URL the server is also given a write (below), so the first wait can be shorter.
    Snapshot after = waitForRelease(gauge, before, during, tolerated, target.publishUrl() != null && !wrote
        ? GRACE_BEFORE_WRITE : GRACE);
    if ((after == null || gauge.stillOpen(before, during, after) > tolerated) && target.publishUrl() != null
        && !wrote) {
      // Many servers notice a closed client only when they next write to it (write failure, as L-03 says):
      // one published event writes to every stream they still hold.
      // Two events: the first write to a socket the peer has closed still succeeds (the peer's RST comes
      // back after it); only a later one fails.
      wrote = true;
      Publishing.publish(recorder, Publishing.json("data", "ssekit: an event so the server writes to every stream"));
      Thread.sleep(300);
      Publishing.publish(recorder, Publishing.json("data", "ssekit: a second write, which fails on a closed socket"));
      recorder.closeIdleConnections();
      after = waitForRelease(gauge, before, during, tolerated, AFTER_WRITE);
      if (after != null && gauge.stillOpen(before, during, after) <= tolerated) {
        f.note(gauge.name() + ": the dropped streams were released only when the server next wrote to them (two "
            + "events were published " + GRACE_BEFORE_WRITE.toSeconds() + " s after the drop): it notices a closed "
            + "client on a failed write, not before; with no traffic and no heartbeat they stay open until its idle "
            + "timeout");
      }
    }
    if (after == null) {
      f.note(gauge.name() + ": could not be read after the streams were dropped");
      return wrote;
    }
    double left = Math.max(0, gauge.stillOpen(before, during, after));
    f.note(gauge.name() + ": " + fmt(before.count()) + " before, " + fmt(during.count()) + " with " + opened
        + " streams held, " + fmt(after.count()) + " after they were dropped; " + fmt(left) + " of the " + opened
        + " still open (at most " + tolerated + " may linger)");
    f.require(left <= tolerated, gauge.name() + " shows " + fmt(left) + " of the " + opened + " dropped streams still"
        + " open " + (wrote ? GRACE_BEFORE_WRITE : GRACE).toSeconds() + " s after " + opened
        + " clients dropped their streams" + (wrote
        ? ", and " + AFTER_WRITE.toSeconds() + " s after two events were written to every stream" : "") + " (at most " + tolerated
        + " may linger): closed connections are not released (a leak that grows with every reconnect until the"
        + " server runs out of " + gauge.resource() + ")");
    return wrote;
  }

  /** After the drop, a new stream must still be answered promptly. */
  private static void nextStreamAnswers(Target target, Recorder recorder, Findings f, int n, int opened)
      throws InterruptedException {
    int nudgesBefore = recorder.nudges();
    Recording next = recorder.record(Recorder.Request.of(target, Duration.ofMillis(500)));
    // A server that holds the head until its first write (http.headers-promptly reports it) answers once nudged.
    Duration allowed = recorder.nudges() > nudgesBefore ? Duration.ofSeconds(2).plus(Recorder.NUDGE_AFTER)
        : Duration.ofSeconds(2);
    f.note(opened + " of " + n + " streams opened and dropped; the next stream answered " + next.status() + " after "
        + (next.headersAfter() == null ? "-" : next.headersAfter().toMillis() + " ms"));
    f.require(next.status() == 200 && next.headersAfter() != null
            && next.headersAfter().compareTo(allowed) <= 0,
        "after " + n + " clients dropped their streams the server answered a new one with " + next.status()
            + (next.error() == null ? "" : " (" + next.error() + ")") + ": dropped connections are not released");
  }

  /** Reads {@code gauge} until at most {@code tolerated} of the dropped streams are open, or {@code limit} passes. */
  private static Snapshot waitForRelease(Gauge gauge, Snapshot before, Snapshot during, int tolerated, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    Snapshot after = gauge.read();
    while ((after == null || gauge.stillOpen(before, during, after) > tolerated) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      after = gauge.read();
    }
    return after;
  }

  private static Map<Gauge, Snapshot> read(List<Gauge> gauges) {
    Map<Gauge, Snapshot> out = new HashMap<>();
    for (Gauge g : gauges) {
      Snapshot v = g.read();
      if (v != null) out.put(g, v);
    }
    return out;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
