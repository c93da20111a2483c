package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final String URL = "http://127.0.0.1:8080/events";

  // Two injectors against one server, which holds the 160 streams of both.
  private final RunRecord a = Runs.run("fanout", URL, T0, 100, 160, 2_000, 12);
  private final RunRecord b = Runs.run("fanout", URL, T0 + 120, 60, 160, 5_000, 12);
  private static final long FULL_RSS = 100 * Runs.MIB + 160 * 10_240;

  @Test
  void countsSumAndHistogramsAddExactly() {
    Merge.Result m = Merge.merge(List.of(a, b));
    assertThat(m.warnings()).isEmpty();
    CapacityReport c = m.run().capacity();
    assertThat(c.connections().requested()).isEqualTo(160);
    assertThat(c.connections().opened()).isEqualTo(160);
    assertThat(c.connections().failed()).isZero();
    assertThat(c.connections().peakOpen()).isEqualTo(160);
    assertThat(c.events().published()).as("each load tester published its own").isEqualTo(24);
    assertThat(c.events().expectedDeliveries()).isEqualTo(100 * 12 + 60 * 12);
    assertThat(c.events().delivered()).isEqualTo(c.events().expectedDeliveries());
    assertThat(c.events().lost()).isZero();
    assertThat(c.injector().heapBytesPeak()).isEqualTo(Math.max(a.capacity().injector().heapBytesPeak(), b.capacity().injector().heapBytesPeak()));
    assertThat(c.injector().cpuSeconds()).isEqualTo(3.0);
    assertThat(c.durationMs()).as("from the earliest start to the latest end").isEqualTo(6_500 + 120);
    assertThat(m.run().diagnostics()).containsEntry("messages", 100L * 12 + 60 * 12).containsEntry(Merge.INJECTORS, 2L)
        .containsEntry(InjectorBottleneck.CORES, 4L).containsEntry(InjectorBottleneck.MAX_HEAP, 512 * Runs.MIB);

    // The merged histogram is the histogram of all the values recorded together.
    Histogram together = new Histogram(3);
    for (int k = 1; k <= 12; k++) {
      for (long v : Runs.latencies(2_000, k)) {
        together.recordValue(v);
      }
      for (long v : Runs.latencies(5_000, k)) {
        together.recordValue(v);
      }
    }
    Histogram merged = m.run().histograms().get("deliveryLatency");
    assertThat(merged.getTotalCount()).isEqualTo(72);
    for (double p : new double[] {50, 90, 99, 99.9, 100}) {
      assertThat(merged.getValueAtPercentile(p)).as("p" + p).isEqualTo(together.getValueAtPercentile(p));
    }
    assertThat(c.deliveryLatencyMs().count()).isEqualTo(72);
    assertThat(c.deliveryLatencyMs().p99()).isEqualTo(Projections.percentileMs(together, 99));
    assertThat(c.deliveryLatencyMs().max()).isEqualTo(Projections.ms(together.getMaxValue()));
    assertThat(m.run().histograms().get("connect").getTotalCount()).isEqualTo(160);
    long timelineCount = m.run().timeline().stream().mapToLong(p -> p.latency().getTotalCount()).sum();
    assertThat(timelineCount).as("every period's latencies are kept").isEqualTo(72);
  }

  @Test
  void theTimelineAddsEachInjectorsLatestOpenStreamsAtEverySample() {
    List<RunRecord.TimelinePoint> t = Merge.merge(List.of(a, b)).run().timeline();
    assertThat(t).hasSize(24);
    assertThat(t.get(0).atMs()).isEqualTo(T0 + 500);
    assertThat(t.get(0).open()).as("b has not started").isEqualTo(25);
    assertThat(t.get(1).atMs()).isEqualTo(T0 + 620);
    assertThat(t.get(1).open()).isEqualTo(25 + 15);
    assertThat(t.get(22).atMs()).isEqualTo(T0 + 6_000);
    assertThat(t.get(22).open()).isEqualTo(160);
    assertThat(t.get(22).serverRssBytes()).isEqualTo(FULL_RSS);
    assertThat(t.get(23).open()).as("a's run is over").isEqualTo(60);
  }

  @Test
  void aSingleRunMergesIntoItself() {
    RunRecord m = Merge.merge(List.of(a)).run();
    assertThat(m.timeline()).isEqualTo(a.timeline());
    assertThat(m.steps().get(0).rssBytes()).isEqualTo(a.steps().get(0).rssBytes());
    assertThat(m.capacity()).isEqualTo(a.capacity());
  }

  @Test
  void stepsMergeByIndexAndTheProjectionIsRecomputed() {
    RunRecord m = Merge.merge(List.of(a, b)).run();
    RunRecord.StepRecord s = m.steps().get(0);
    assertThat(s.target()).isEqualTo(160);
    assertThat(s.open()).isEqualTo(160);
    assertThat(s.rssBytes()).isEqualTo(FULL_RSS);
    assertThat(s.deliveryLatency().getTotalCount())
        .isEqualTo(a.steps().get(0).deliveryLatency().getTotalCount() + b.steps().get(0).deliveryLatency().getTotalCount());
    CapacityReport c = m.capacity();
    assertThat(c.steps()).singleElement().satisfies(st -> {
      assertThat(st.connections()).isEqualTo(160);
      assertThat(st.deliveryP99Ms()).isEqualTo(Projections.percentileMs(s.deliveryLatency(), 99));
    });
    // Baseline 100 MiB with nobody, then 10 KiB more for each of the 160 open.
    assertThat(c.projection().bytesPerConnection()).isEqualTo(10_240);
    assertThat(c.server().bytesPerConnection()).isEqualTo(10_240);
    assertThat(c.server().rssBytesPeak()).isEqualTo(FULL_RSS);
    assertThat(c.projection().targetConnections()).isEqualTo(100_000);
  }

  @Test
  void serverPublishedEventsAreTheSameEventsSoTheLargestCountIsTaken() {
    RunRecord x = serverPublished(Runs.run("hold", URL, T0, 10, 1_000, 12));
    RunRecord y = serverPublished(Runs.run("hold", URL, T0, 10, 1_000, 10));
    assertThat(Merge.merge(List.of(x, y)).run().capacity().events().published()).isEqualTo(12);
  }

  @Test
  void runsOfAnotherTestAreRefused() {
    assertThatThrownBy(() -> Merge.merge(List.of(a, Runs.run("hold", URL, T0, 10, 1_000, 12))))
        .hasMessage("run 2 is a hold run and run 1 a fanout run");
    assertThatThrownBy(() -> Merge.merge(List.of(a, Runs.run("fanout", "http://127.0.0.1:9/events", T0, 10, 1_000, 12))))
        .hasMessage("run 2 targeted http://127.0.0.1:9/events and run 1 " + URL);
    RunRecord twoSteps = new RunRecord(b.capacity(), b.histograms(), b.diagnostics(), b.timeline(), List.of(b.steps().get(0), b.steps().get(0)));
    assertThatThrownBy(() -> Merge.merge(List.of(a, twoSteps))).hasMessageContaining("run 2 has 2 steps and run 1 1");
  }

  @Test
  void runsThatDidNotOverlapAreMergedWithAWarning() {
    RunRecord later = Runs.run("fanout", URL, T0 + 60_000, 60, 5_000, 12);
    Merge.Result m = Merge.merge(List.of(a, later));
    assertThat(m.warnings()).singleElement().asString().contains("did not all overlap");
    assertThat(m.run().capacity().connections().peakOpen()).isEqualTo(100);
  }

  @Test
  void theMergedRunWritesAndReadsBackAndMergesAgain(@TempDir Path dir) throws Exception {
    RunRecord m = Merge.merge(List.of(a, b)).run();
    RunRecord back = HistogramFile.read(HistogramFile.write(dir, m));
    assertThat(back.capacity()).isEqualTo(m.capacity());
    RunRecord three = Merge.merge(List.of(back, Runs.run("fanout", URL, T0 + 60, 40, 3_000, 12))).run();
    assertThat(three.capacity().connections().opened()).isEqualTo(200);
    assertThat(three.diagnostics()).containsEntry(Merge.INJECTORS, 3L);
    assertThat(CapacityHtml.render(three, null, null)).contains("merged from 3 injectors").contains("CPU: their sum");
  }

  @Test
  void aStormRecoversOnlyIfEveryInjectorsStreamsDid() {
    RunRecord x = storm(Runs.run("reconnect-storm", URL, T0, 100, 160, 2_000, 12), 100L, 4_000L);
    RunRecord y = storm(Runs.run("reconnect-storm", URL, T0 + 120, 60, 160, 5_000, 12), 60L, 6_500L);
    RunRecord stuck = storm(Runs.run("reconnect-storm", URL, T0 + 120, 60, 160, 5_000, 12), 59L, null);
    assertThat(Merge.merge(List.of(x, y)).run().capacity().connections().recoveryMs()).isEqualTo(6_500L);
    assertThat(Merge.merge(List.of(x, y)).run().capacity().connections().reconnects()).isEqualTo(160L);
    var merged = Merge.merge(List.of(x, stuck)).run().capacity();
    assertThat(merged.connections().recoveryMs()).as("one injector's streams never all recovered").isNull();
    assertThat(merged.problems()).contains("1 connection did not reconnect");
  }

  @Test
  void spreadsAndDelaysMergeAsTheLargestNotTheSum() {
    RunRecord x = withDiagnostics(a, java.util.Map.of("stormDropSpreadMs", 300L, "stormReconnectDelayMs", 3_000L, "messages", 10L));
    RunRecord y = withDiagnostics(b, java.util.Map.of("stormDropSpreadMs", 500L, "stormReconnectDelayMs", 2_000L, "messages", 5L));
    var d = Merge.merge(List.of(x, y)).run().diagnostics();
    assertThat(d).containsEntry("stormDropSpreadMs", 500L).containsEntry("stormReconnectDelayMs", 3_000L).containsEntry("messages", 15L);
  }

  @Test
  void eachInjectorsPublishRateAddsUpToWhatEveryStreamWasSent() {
    RunRecord m = Merge.merge(List.of(share(publishingAt(a, 5.0)), share(publishingAt(b, 5.0)))).run();
    assertThat(m.capacity().projection().plan().eventsPerConnectionPerSecond()).isEqualTo(10.0);
    // Side by side, not shares: each timed only its own events, so its deliveries and its rate are 1/N alike.
    RunRecord side = Merge.merge(List.of(publishingAt(a, 5.0), publishingAt(b, 5.0))).run();
    assertThat(side.capacity().projection().plan().eventsPerConnectionPerSecond()).isEqualTo(5.0);
    // The server's own events are the same for every injector: the rate stands.
    RunRecord x = serverPublished(publishingAt(a, 1.0));
    RunRecord y = serverPublished(publishingAt(b, 1.0));
    assertThat(Merge.merge(List.of(x, y)).run().capacity().projection().plan().eventsPerConnectionPerSecond()).isEqualTo(1.0);
  }

  @Test
  void aStepsFewestOpenStreamsIsTheSumOfEachInjectorsInItsOwnWindow() {
    // b's window starts 120 ms after a's; the merged timeline there still has b ramping.
    RunRecord m = Merge.merge(List.of(a, b)).run();
    assertThat(m.steps().get(0).openMin())
        .isEqualTo(a.steps().get(0).openMin() + b.steps().get(0).openMin()).isEqualTo(160);
  }

  /** The run as one share of a test (--injector K/N): it timed its peers' events. */
  private static RunRecord share(RunRecord r) {
    java.util.Map<String, Long> d = new java.util.LinkedHashMap<>(r.diagnostics());
    d.put(Merge.PEER_EVENTS, 100L);
    return withDiagnostics(r, d);
  }

  private static RunRecord publishingAt(RunRecord r, double rate) {
    CapacityReport c = r.capacity();
    CapacityReport.Projection p = Projections.project(c.server().rssBytesBaseline(), c.steps(), true,
        new CapacityPlan.Basis(100_000, 1L << 30, 250, null, null, 2, rate, true));
    return Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(), c.connections(), c.connectMs(),
        c.deliveryLatencyMs(), c.events(), c.server(), c.injector(), c.steps(), p, c.failures()));
  }

  private static RunRecord withDiagnostics(RunRecord r, java.util.Map<String, Long> diagnostics) {
    return new RunRecord(r.capacity(), r.histograms(), diagnostics, r.timeline(), r.steps());
  }

  private static RunRecord storm(RunRecord r, Long reconnects, Long recoveryMs) {
    CapacityReport c = r.capacity();
    var k = c.connections();
    return Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(),
        new CapacityReport.Connections(k.requested(), k.opened(), k.failed(), k.peakOpen(), reconnects, recoveryMs),
        c.connectMs(), c.deliveryLatencyMs(), c.events(), c.server(), c.injector(), c.steps(), c.projection()));
  }

  private static RunRecord serverPublished(RunRecord r) {
    CapacityReport c = r.capacity();
    return Runs.withReport(r, new CapacityReport(c.scenario(), new CapacityReport.Target(c.target().url(), null, null), c.durationMs(),
        c.connections(), c.connectMs(), c.deliveryLatencyMs(), c.events(), c.server(), c.injector(), c.steps(), c.projection()));
  }
}
