package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ProjectionsTest {
  private static final long MIB = 1L << 20;

  private static RunRecord.StepRecord step(long open, Long rss) {
    return new RunRecord.StepRecord(open, 0, 1, open, rss, new Histogram(3));
  }

  @Test
  void aStraightLineIsFoundExactly() {
    var line = Projections.fit(List.of(new double[] {0, 100}, new double[] {1000, 2100}, new double[] {5000, 10_100})).orElseThrow();
    assertThat(line.slope()).isCloseTo(2.0, within(1e-9));
    assertThat(line.intercept()).isCloseTo(100.0, within(1e-6));
    assertThat(line.r2()).isCloseTo(1.0, within(1e-12));
    assertThat(Projections.fit(List.of(new double[] {3, 1}))).isEmpty();
    assertThat(Projections.fit(List.of(new double[] {3, 1}, new double[] {3, 2}))).as("one x: no slope").isEmpty();
  }

  @Test
  void theProjectionFollowsTheFittedBytesPerConnection() {
    // 100 MiB with nobody, then 2 KiB a connection (plus a little noise).
    long base = 100 * MIB;
    List<RunRecord.StepRecord> steps = new ArrayList<>();
    for (long n : new long[] {1000, 2000, 5000, 10_000, 18_000}) {
      steps.add(step(n, base + n * 2048 + (n % 2000 == 0 ? 4096 : -4096)));
    }
    CapacityReport.Projection p = Projections.project(base, steps, 100_000, 1L << 30);
    assertThat(p.bytesPerConnection()).isBetween(2040L, 2056L);
    assertThat(p.baseRssBytes()).isBetween(base - 16_384, base + 16_384);
    assertThat(p.fitR2()).isGreaterThan(0.999);
    assertThat(p.connectionsPerGiB()).isBetween((1L << 30) / 2056, (1L << 30) / 2040);
    // (1 GiB - 100 MiB) / 2 KiB ≈ 473,000 connections: one instance holds 100,000.
    assertThat(p.connectionsPerInstance()).isBetween(470_000L, 476_000L);
    assertThat(p.instancesForTarget()).isEqualTo(1);
    assertThat(p.assumptions()).contains("6 points").contains("linearly").contains("file-descriptors not-measured");
    assertThat(p.plan().bindingLimit()).isEqualTo(CapacityPlan.MEMORY);

    CapacityReport.Projection big = Projections.project(base, steps, 1_000_000, 1L << 30);
    assertThat(big.instancesForTarget()).isEqualTo(3);
  }

  @Test
  void aProjectionFromOneStepSaysItHasNotEnoughData() {
    // Was: a 100-connection fanout run (the baseline and one step) projected to 100,000 connections
    // "as a rough guide" from heap noise. Issue 11: a fit needs three steps; this one says so.
    CapacityReport.Projection p = Projections.project(96 * MIB, List.of(step(100, 96 * MIB + 100 * 5000)), 100_000, 1L << 30);
    assertThat(p.fitR2()).isNull();
    assertThat(p.instancesForTarget()).isNull();
    assertThat(p.connectionsPerGiB()).isNull();
    assertThat(p.plan().status()).isEqualTo(CapacityReport.Plan.NOT_ENOUGH_DATA);
    assertThat(p.assumptions()).contains("no R²: a line through two points always fits them")
        .contains("Not enough data to project: 1 step with server memory measured");
    // Three steps on a line: projected, with how far the binding limit is beyond them.
    List<RunRecord.StepRecord> near = List.of(step(10_000, 96 * MIB + 10_000 * 5000L), step(15_000, 96 * MIB + 15_000 * 5000L),
        step(20_000, 96 * MIB + 20_000 * 5000L));
    CapacityReport.Projection three = Projections.project(96 * MIB, near, 100_000, 1L << 30);
    assertThat(three.projected()).isTrue();
    assertThat(three.assumptions()).contains("R² 1.000").contains("is beyond the most connections measured (20,000)");
  }

  @Test
  void withoutMemoryOrGrowthNothingIsProjected() {
    assertThat(Projections.project(null, List.of(step(100, null)), 100_000, 1L << 30).connectionsPerGiB()).isNull();
    assertThat(Projections.project(null, List.of(step(100, null)), 100_000, 1L << 30).assumptions()).contains("not measured");
    List<RunRecord.StepRecord> falling = List.of(step(100, 99 * MIB), step(200, 98 * MIB), step(300, 97 * MIB));
    CapacityReport.Projection flat = Projections.project(100 * MIB, falling, 100_000, 1L << 30);
    assertThat(flat.connectionsPerGiB()).isNull();
    assertThat(flat.instancesForTarget()).isNull();
    assertThat(flat.assumptions()).contains("not clearly above zero");
    List<RunRecord.StepRecord> big = List.of(step(1000, 901 * MIB), step(2000, 902 * MIB), step(3000, 903 * MIB));
    CapacityReport.Projection tiny = Projections.project(900 * MIB, big, 100_000, 512 * MIB);
    assertThat(tiny.connectionsPerInstance()).isZero();
    assertThat(tiny.instancesForTarget()).isNull();
    assertThat(tiny.plan().headline()).isEqualTo("binding limit: memory — 0 connections per 512.0 MiB instance; no instance count"
        + "; not measured: file descriptors, CPU, latency");
  }

  @Test
  void aStepIsMeasuredOverItsWindowOnly() {
    Histogram early = new Histogram(3);
    early.recordValue(900_000);
    Histogram inside = new Histogram(3);
    inside.recordValue(2_000);
    inside.recordValue(4_000);
    List<RunRecord.TimelinePoint> timeline = List.of(
        new RunRecord.TimelinePoint(1_000, 50, 90L, 1, HistogramFile.encode(early)),
        new RunRecord.TimelinePoint(1_500, 100, 120L, 1, HistogramFile.encode(inside)),
        new RunRecord.TimelinePoint(2_000, 99, 500L, 1, HistogramFile.encode(inside)),
        new RunRecord.TimelinePoint(2_500, 100, 130L, 1, HistogramFile.encode(inside)),
        new RunRecord.TimelinePoint(3_000, 100, 125L, 1, HistogramFile.encode(early)));
    RunRecord.StepRecord s = StepWindow.measure(100, 1_000, 2_500, timeline);
    assertThat(s.open()).isEqualTo(100);
    assertThat(s.rssBytes()).as("median of the samples with the most streams open").isEqualTo(130L);
    assertThat(s.deliveryLatency().getTotalCount()).isEqualTo(6);
    assertThat(s.deliveryLatency().getMaxValue()).isLessThan(5_000);
    CapacityReport.Step line = Projections.step(s);
    assertThat(line.target()).isEqualTo(100);
    assertThat(line.deliveryP99Ms()).isCloseTo(4.0, within(0.01));
  }
}
