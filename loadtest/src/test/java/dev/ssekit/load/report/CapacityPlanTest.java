package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ssekit.load.report.CapacityReport.Limit;
import dev.ssekit.load.report.CapacityReport.Plan;
import dev.ssekit.load.report.CapacityReport.Step;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan's arithmetic, on numbers worked out by hand in each comment. */
class CapacityPlanTest {
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  private static CapacityPlan.Basis basis(Long maxFiles, Long filesAtStart, Integer cores) {
    return new CapacityPlan.Basis(100_000, GIB, 250, maxFiles, filesAtStart, cores);
  }

  /** A step of 10 s at 10 events/s per connection, 2 KiB a connection on 100 MiB, the given p99 and CPU. */
  private static Step step(long n, double p99, Double cpuSeconds) {
    return new Step(n, 100 * MIB + n * 2048, p99, n, p99 / 3, 10_000L, n * 100, cpuSeconds);
  }

  @Test
  void theSlopeCarriesItsStandardError() {
    // (0,0), (1,1), (2,3): sxx 2, sxy 3, syy 42/9 → slope 1.5, R² 9/(2·42/9) = 0.9643,
    // residuals 42/9 - 4.5 = 1/6 over 1 degree of freedom, SE = sqrt(1/6 / 2) = 0.2887.
    var line = Projections.fit(List.of(new double[] {0, 0}, new double[] {1, 1}, new double[] {2, 3})).orElseThrow();
    assertThat(line.slope()).isCloseTo(1.5, within(1e-12));
    assertThat(line.r2()).isCloseTo(0.9643, within(1e-4));
    assertThat(line.slopeStdErr()).isCloseTo(0.2887, within(1e-4));
    assertThat(line.clearlyPositive(2)).isTrue(); // 1.5 ≥ 2 × 0.2887
    assertThat(line.clearlyPositive(6)).isFalse(); // 1.5 < 6 × 0.2887
    assertThat(Projections.fit(List.of(new double[] {0, 0}, new double[] {1, 1})).orElseThrow().slopeStdErr()).isNull();
  }

  @Test
  void theKneeIsWhereTheLineBetweenTwoStepsCrossesTheObjective() {
    // 5,000 + (250 - 120.77) × 5,000 / (411.65 - 120.77) = 5,000 + 2,221.38
    assertThat(CapacityPlan.knee(5_000, 120.77, 10_000, 411.65, 250)).isEqualTo(7_221);
    assertThat(CapacityPlan.knee(100, 300, 200, 200, 250)).as("falling p99: no crossing ahead").isEqualTo(100);
  }

  @Test
  void fileDescriptorsAreTheLimitLessWhatTheServerHeldBefore() {
    Limit known = CapacityPlan.files(20_000L, 60L);
    assertThat(known.connectionsPerInstance()).isEqualTo(19_940); // 20,000 - 60
    assertThat(CapacityPlan.files(20_000L, null).connectionsPerInstance()).isEqualTo(19_900); // 100 kept
    assertThat(CapacityPlan.files(null, null).state()).isEqualTo(Limit.NOT_MEASURED);
    assertThat(CapacityPlan.ceilDiv(100_000, 19_940)).isEqualTo(6); // 5.015 → 6
  }

  @Test
  void cpuIsTheCoresOverTheFittedCostPerEvent() {
    // 1,000, 2,000, 4,000 connections at 10 events/s: 10k, 20k, 40k deliveries/s; the server's busy
    // cores 0.1 + 20 µs × events/s = 0.3, 0.5, 0.9, so 3, 5, 9 CPU seconds in each 10 s window.
    List<Step> steps = List.of(step(1_000, 10, 3.0), step(2_000, 10, 5.0), step(4_000, 10, 9.0));
    var cpu = CapacityPlan.cpu(steps, 2);
    assertThat(cpu.perEvent()).isCloseTo(20e-6, within(1e-12));
    // (2 cores - 0.1) / (20 µs × 10 events/s) = 1.9 / 0.0002 = 9,500
    assertThat(cpu.limit().connectionsPerInstance()).isBetween(9_499L, 9_500L);
    assertThat(cpu.limit().basis()).contains("20.00 µs of server CPU per delivered event");
    assertThat(CapacityPlan.cpu(steps.subList(0, 2), 2).limit().state()).isEqualTo(Limit.NOT_ENOUGH_DATA);
    assertThat(CapacityPlan.cpu(steps, null).limit().state()).isEqualTo(Limit.NOT_MEASURED);
  }

  @Test
  void theTightestLimitBindsAndSizesTheInstances() {
    List<Step> steps = List.of(step(1_000, 10, 3.0), step(2_000, 20, 5.0), step(4_000, 40, 9.0));
    // memory: (1 GiB - 100 MiB) / 2 KiB = 924 × 512 = 473,088; files 19,940; CPU about 9,500;
    // latency met up to the largest step (not a number).
    CapacityPlan.Result r = CapacityPlan.plan(100 * MIB, steps, true, basis(20_000L, 60L, 2));
    Plan p = r.plan();
    assertThat(p.status()).isEqualTo(Plan.PROJECTED);
    assertThat(p.limit(CapacityPlan.MEMORY).connectionsPerInstance()).isEqualTo(473_088);
    assertThat(p.limit(CapacityPlan.LATENCY).state()).isEqualTo(Limit.NOT_REACHED);
    assertThat(p.bindingLimit()).isEqualTo(CapacityPlan.CPU);
    assertThat(r.instancesForTarget()).isEqualTo(11); // 100,000 / 9,500 = 10.5
    assertThat(p.largestPassingStep()).isEqualTo(4_000);
    assertThat(p.headline()).startsWith("binding limit: CPU — 9,").endsWith("→ 11 instances for 100,000 connections");

    CapacityPlan.Result noCpu = CapacityPlan.plan(100 * MIB, steps, true, basis(20_000L, 60L, null));
    assertThat(noCpu.plan().bindingLimit()).isEqualTo(CapacityPlan.FILES);
    assertThat(noCpu.instancesForTarget()).isEqualTo(6);
    assertThat(noCpu.plan().headline())
        .isEqualTo("binding limit: file descriptors — 20,000 per process (19,940 connections) → 6 instances for 100,000 connections");
  }

  @Test
  void latencyBindsAtTheLargestStepThatMetTheObjective() {
    List<Step> steps = List.of(step(1_000, 16.6, null), step(2_000, 26.2, null), step(5_000, 120.77, null),
        step(10_000, 411.65, null), step(18_000, 803.3, null));
    CapacityPlan.Result r = CapacityPlan.plan(100 * MIB, steps, true, basis(20_000L, null, null));
    assertThat(r.plan().largestPassingStep()).isEqualTo(5_000);
    assertThat(r.plan().latencyKneeConnections()).isEqualTo(7_221);
    assertThat(r.plan().bindingLimit()).isEqualTo(CapacityPlan.LATENCY);
    assertThat(r.instancesForTarget()).isEqualTo(20); // 100,000 / 5,000
    assertThat(r.plan().headline()).isEqualTo("binding limit: latency — p99 ≤ 250 ms up to 5,000 connections → 20 instances"
        + " for 100,000 connections");
  }

  @Test
  void tooFewStepsOrNoiseSayNotEnoughData() {
    // The default run: one step of 100 connections whose server grew 10.9 MiB (JVM heap noise).
    Step hundred = new Step(100, 96 * MIB + 100 * 111_616, 5.2, 100, 2.1, 30_000L, 30_000L, null);
    CapacityPlan.Result one = CapacityPlan.plan(96 * MIB, List.of(hundred), true, basis(20_000L, 60L, 2));
    assertThat(one.plan().status()).isEqualTo(Plan.NOT_ENOUGH_DATA);
    assertThat(one.instancesForTarget()).isNull();
    assertThat(one.connectionsPerInstance()).isNull();
    assertThat(one.plan().bindingLimit()).isNull();
    assertThat(one.plan().headline()).startsWith("not enough data to project: 1 step with server memory measured");

    // Three steps whose RSS jumps about: R² = 6² / (5 × 17) = 0.424 (MiB above 100: 0, 4, 1, 5 at x 0..3: sxy 6, sxx 5, syy 17).
    List<Step> noisy = new ArrayList<>();
    long[] rss = {104, 101, 105};
    for (int i = 0; i < 3; i++) {
      noisy.add(new Step(i + 1, rss[i] * MIB, 5.0, i + 1, 1.0));
    }
    CapacityPlan.Result n = CapacityPlan.plan(100 * MIB, noisy, true, basis(null, null, null));
    assertThat(n.plan().status()).isEqualTo(Plan.NOT_ENOUGH_DATA);
    assertThat(n.plan().headline()).contains("not a line (R² 0.424");

    // A straight line that falls: R² 1, slope below zero.
    List<Step> falling = List.of(new Step(1_000, 99 * MIB, 5.0, 1_000, 1.0), new Step(2_000, 98 * MIB, 5.0, 2_000, 1.0),
        new Step(3_000, 97 * MIB, 5.0, 3_000, 1.0));
    assertThat(CapacityPlan.plan(100 * MIB, falling, true, basis(null, null, null)).plan().headline())
        .contains("not clearly above zero");
  }

  @Test
  void lossOrMissingConnectionsFailAStep() {
    List<Step> steps = List.of(step(1_000, 10, null), step(2_000, 20, null), step(4_000, 40, null));
    CapacityPlan.Result lossy = CapacityPlan.plan(100 * MIB, steps, false, basis(20_000L, 60L, null));
    assertThat(lossy.plan().status()).isEqualTo(Plan.NO_PASSING_STEP);
    assertThat(lossy.instancesForTarget()).isNull();
    assertThat(lossy.plan().headline()).contains("events lost, duplicated or out of order");
    List<Step> short3 = List.of(step(1_000, 10, null), step(2_000, 20, null),
        new Step(3_900, 100 * MIB + 4_000 * 2048L, 40.0, 4_000, 13.0));
    assertThat(CapacityPlan.plan(100 * MIB, short3, true, basis(null, null, null)).plan().largestPassingStep())
        .isEqualTo(2_000);
    assertThat(CapacityPlan.miss(short3.get(2), 250, true)).isEqualTo("3,900 of its 4,000 connections open");
  }
}
