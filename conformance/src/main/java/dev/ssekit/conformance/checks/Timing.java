package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Publish-to-receive latency on a followed stream, on one clock (the stream's). */
final class Timing {
  private Timing() {}

  static final int COUNT = 20;
  static final Duration SPACING = Duration.ofMillis(50);
  /** What arrives later than this after the last publish is not waited for. */
  static final Duration DRAIN = Duration.ofSeconds(4);

  static void latency(Target target, Recorder recorder, Findings findings, DeliveryProbe.Outcome probe) throws InterruptedException {
    String run = Publishing.runId();
    String prefix = "ssekit-" + run + "-lat-";
    BrowserStream s = Publishing.follow(recorder, Recorder.Request.of(target, Duration.ofSeconds(12)),
        Publishing.seen(prefix + (COUNT - 1)), findings);
    Publishing.ready(List.of(s), recorder, run, Duration.ofSeconds(1), probe);
    long[] sentAt = new long[COUNT];
    Arrays.fill(sentAt, -1);
    int refused = 0;
    long first = System.nanoTime();
    for (int i = 0; i < COUNT && !s.ended(); i++) {
      long wait = first + SPACING.toNanos() * i - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      long before = s.elapsedNanos();
      if (Publishing.accepted(Publishing.publish(recorder, Publishing.json("data", prefix + i)))) sentAt[i] = before;
      else refused++;
    }
    s.awaitArrivals(Publishing.seen(prefix + (COUNT - 1)), DRAIN);
    BrowserStream.Followed f = s.stopAndAwait();
    List<Long> latencies = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix) + "(\\d{1,3})");
    for (BrowserStream.Arrival a : f.arrivals()) {
      var m = p.matcher(a.event().data());
      if (!m.find()) continue;
      int i = Integer.parseInt(m.group(1));
      if (i >= COUNT || sentAt[i] < 0 || !seen.add(i)) continue;
      latencies.add(Math.max(0, a.atNanos() - sentAt[i]) / 1_000_000);
    }
    int expected = COUNT - refused;
    if (latencies.isEmpty()) {
      findings.evidence("stream bytes", f.bodies());
      findings.violation("none of the " + expected + " events published 50 ms apart arrived within " + DRAIN.toSeconds()
          + " s of the last" + (refused > 0 ? " (" + refused + " publishes refused)" : "") + "; " + f.summary()
          + ": a browser would show nothing");
      return;
    }
    List<Long> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    long p50 = sorted.get((sorted.size() - 1) / 2);
    long p95 = sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1);
    long max = sorted.get(sorted.size() - 1);
    findings.note("publish-to-receive latency over " + sorted.size() + " events: p50 " + p50 + " ms, p95 " + p95
        + " ms, max " + max + " ms (in arrival order: " + latencies + "); " + f.reconnects() + " reconnect(s)");
    List<String> problems = new ArrayList<>();
    if (p50 > 500) {
      problems.add("median publish-to-receive latency is " + p50 + " ms (p95 " + p95 + " ms): the events are "
          + "buffered somewhere (compression, proxy buffering, a missing flush), so a browser shows them late and "
          + "in bursts");
    }
    if (sorted.size() < expected) {
      problems.add((expected - sorted.size()) + " of " + expected + " events never arrived"
          + (f.endedByServer() > 0 ? " (the server ended the stream " + f.endedByServer() + " time(s))" : ""));
    }
    findings.require(problems.isEmpty(), String.join("; ", problems));
  }
}
