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

  /** The basis of a run that published 10 events/s, its injector on another machine. */
  private static CapacityPlan.Basis basis(Long maxFiles, Long filesAtStart, Integer cores) {
    return new CapacityPlan.Basis(100_000, GIB, 250, maxFiles, filesAtStart, cores, 10.0, false);
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
    assertThat(PlanLimits.knee(5_000, 120.77, 10_000, 411.65, 250)).isEqualTo(7_221);
    assertThat(PlanLimits.knee(100, 300, 200, 200, 250)).as("falling p99: no crossing ahead").isNull();
  }

  @Test
  void fileDescriptorsAreTheLimitLessWhatTheServerHeldBefore() {
    Limit known = PlanLimits.files(20_000L, 60L);
    assertThat(known.connectionsPerInstance()).isEqualTo(19_940); // 20,000 - 60
    assertThat(PlanLimits.files(20_000L, null).connectionsPerInstance()).isEqualTo(19_900); // 100 kept
    assertThat(PlanLimits.files(null, null).state()).isEqualTo(Limit.NOT_MEASURED);
    assertThat(CapacityPlan.ceilDiv(100_000, 19_940)).isEqualTo(6); // 5.015 → 6
  }

  @Test
  void cpuIsTheCoresOverTheFittedCostPerEvent() {
    // 1,000, 2,000, 4,000 connections at 10 events/s: 10k, 20k, 40k deliveries/s; the server's busy
    // cores 0.1 + 20 µs × events/s = 0.3, 0.5, 0.9, so 3, 5, 9 CPU seconds in each 10 s window.
    List<Step> steps = List.of(step(1_000, 10, 3.0), step(2_000, 10, 5.0), step(4_000, 10, 9.0));
    var cpu = PlanLimits.cpu(steps, 2, 10.0, false);
    assertThat(cpu.perEvent()).isCloseTo(20e-6, within(1e-12));
    // (2 cores - 0.1) / (20 µs × 10 events/s) = 1.9 / 0.0002 = 9,500
    assertThat(cpu.limit().connectionsPerInstance()).isBetween(9_499L, 9_500L);
    assertThat(cpu.limit().basis()).contains("20.00 µs of server CPU per delivered event");
    assertThat(PlanLimits.cpu(steps.subList(0, 2), 2, 10.0, false).limit().state()).isEqualTo(Limit.NOT_ENOUGH_DATA);
    assertThat(PlanLimits.cpu(steps, null, 10.0, false).limit().state()).isEqualTo(Limit.NOT_MEASURED);
    assertThat(PlanLimits.cpu(steps, 2, null, false).limit().state()).isEqualTo(Limit.NOT_MEASURED);
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
        .isEqualTo("binding limit: file descriptors — 20,000 per process (19,940 connections) → 6 instances for 100,000 connections"
            + "; not measured: CPU");
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
        + " for 100,000 connections; not measured: CPU");
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
    assertThat(CapacityPlan.miss(short3.get(2), 250, true, true)).isEqualTo("3,900 of its 4,000 connections open");
  }

  /** A step of 10 s asking {@code target} that held {@code n}, 2 KiB a connection on 100 MiB, p99 given. */
  private static Step held(long target, long n, double p99) {
    return new Step(n, 100 * MIB + n * 2048, p99, target, p99 / 3, 10_000L, n * 100, null);
  }

  @Test
  void stepsThatCouldNotOpenTheirConnectionsBindAtTheMostHeld() {
    // Asked 1,000, 2,000, 5,000; held 1,000, 1,010, 1,012. Memory alone: (1 GiB - 100 MiB) / 2 KiB
    // = 473,088 per instance → 1 instance. The server held no more than 1,012: 100,000 / 1,012 =
    // 98.8 → 99 instances.
    List<Step> steps = List.of(held(1_000, 1_000, 10), held(2_000, 1_010, 20), held(5_000, 1_012, 40));
    CapacityPlan.Result r = CapacityPlan.plan(100 * MIB, steps, true, basis(null, null, null));
    Plan p = r.plan();
    assertThat(p.limit(CapacityPlan.MEMORY).connectionsPerInstance()).isEqualTo(473_088);
    assertThat(p.largestPassingStep()).isEqualTo(1_000);
    assertThat(p.limit(CapacityPlan.HELD).state()).isEqualTo(Limit.LIMIT);
    assertThat(p.limit(CapacityPlan.HELD).connectionsPerInstance()).isEqualTo(1_012);
    assertThat(p.bindingLimit()).isEqualTo(CapacityPlan.HELD);
    assertThat(r.instancesForTarget()).isEqualTo(99);
    assertThat(p.headline()).isEqualTo("binding limit: connections held — the server stopped accepting or holding more at"
        + " 1,012 → 99 instances for 100,000 connections; not measured: file descriptors, CPU");
    // Every step held what it asked: no number, nothing binds on it.
    List<Step> all = List.of(held(1_000, 1_000, 10), held(2_000, 2_000, 20), held(5_000, 5_000, 40));
    assertThat(PlanLimits.held(all).state()).isEqualTo(Limit.NOT_REACHED);
  }

  @Test
  void theCpuLimitUsesThePublishRateNotWhatASaturatedStepDelivered() {
    // Published at 10 events/s per connection; the 4,000 step got only 5/s through (20,000/s).
    // Busy cores 0.1 + 20 µs × deliveries/s: 0.3, 0.5, 0.5 (3, 5, 5 CPU seconds in 10 s).
    // (2 - 0.1) / (20 µs × 10) = 9,500; the last step's delivered rate (5/s) would give 19,000.
    List<Step> steps = List.of(step(1_000, 10, 3.0), step(2_000, 20, 5.0),
        new Step(4_000, 100 * MIB + 4_000 * 2048L, 240.0, 4_000, 80.0, 10_000L, 200_000L, 5.0));
    var cpu = PlanLimits.cpu(steps, 2, 10.0, false);
    assertThat(cpu.perEvent()).isCloseTo(20e-6, within(1e-12));
    assertThat(cpu.limit().connectionsPerInstance()).isBetween(9_499L, 9_500L);
    assertThat(cpu.limit().basis()).contains("10.00 events/s per connection (the publish rate)")
        .doesNotContain("shared");
    assertThat(PlanLimits.cpu(steps, 2, 10.0, true).limit().basis())
        .contains("the injector ran on the same machine (loopback) and shared the server's cores");
  }

  @Test
  void theCpuLimitDividesBySpanOfItsReadingsNotTheWindow() {
    // The CPU readings 5 s apart in 10 s windows: 1.5, 2.5, 4.5 CPU seconds over 5 s are 0.3, 0.5,
    // 0.9 busy cores, as in cpuIsTheCoresOverTheFittedCostPerEvent: 9,500. Over the window (10 s)
    // they would be 0.15, 0.25, 0.45: 10 µs an event and 19,000.
    List<Step> steps = new ArrayList<>();
    double[] cpu = {1.5, 2.5, 4.5};
    long[] n = {1_000, 2_000, 4_000};
    for (int i = 0; i < 3; i++) {
      steps.add(new Step(n[i], 100 * MIB + n[i] * 2048, 10.0, n[i], 3.0, 10_000L, n[i] * 100, cpu[i], null, 5_000L));
    }
    var limit = PlanLimits.cpu(steps, 2, 10.0, false);
    assertThat(limit.perEvent()).isCloseTo(20e-6, within(1e-12));
    assertThat(limit.limit().connectionsPerInstance()).isBetween(9_499L, 9_500L);
  }

  @Test
  void aStepWithNoDeliveryTimedMissesWhenOthersWereTimed() {
    // The 2,000 step's connections got nothing in its window; 1,000 and 4,000 were timed.
    List<Step> steps = List.of(step(1_000, 10, null), new Step(2_000, 100 * MIB + 2_000 * 2048L, null, 2_000, null,
        10_000L, 0L, null), step(4_000, 40, null));
    assertThat(CapacityPlan.miss(steps.get(1), 250, true, true)).isEqualTo("no delivery timed in its window");
    assertThat(CapacityPlan.miss(steps.get(1), 250, true, false)).as("a run that timed nothing").isNull();
    CapacityPlan.Result r = CapacityPlan.plan(100 * MIB, steps, true, basis(20_000L, 60L, null));
    assertThat(r.plan().largestPassingStep()).isEqualTo(1_000);
    Limit latency = r.plan().limit(CapacityPlan.LATENCY);
    assertThat(latency.state()).isEqualTo(Limit.LIMIT);
    assertThat(latency.connectionsPerInstance()).isEqualTo(1_000);
    assertThat(latency.basis()).contains("no delivery timed in its window at 2,000");
    assertThat(r.plan().latencyKneeConnections()).isNull();
    assertThat(r.plan().bindingLimit()).isEqualTo(CapacityPlan.LATENCY);
  }

  @Test
  void aStepThatLostConnectionsLateInItsWindowMisses() {
    // Median 4,000 open (the step asked 4,000), but at one sample only 3,990 were.
    Step late = new Step(4_000, 100 * MIB + 4_000 * 2048L, 40.0, 4_000, 13.0, 10_000L, 400_000L, null, 3_990L, null);
    assertThat(CapacityPlan.miss(late, 250, true, true)).isEqualTo("3,990 of its 4,000 connections open");
    List<Step> steps = List.of(step(1_000, 10, null), step(2_000, 20, null), late);
    CapacityPlan.Result r = CapacityPlan.plan(100 * MIB, steps, true, basis(20_000L, 60L, null));
    assertThat(r.plan().largestPassingStep()).isEqualTo(2_000);
    assertThat(r.plan().limit(CapacityPlan.HELD).connectionsPerInstance()).isEqualTo(4_000);
  }

  @Test
  void theHeadlineSaysWhichLimitsWereNotMeasured() {
    // --metrics-url alone: memory only. Memory binds, and the headline says what was not checked.
    List<Step> steps = List.of(step(1_000, 10, null), step(2_000, 20, null), step(4_000, 40, null));
    Plan p = CapacityPlan.plan(100 * MIB, steps, true, basis(null, null, null)).plan();
    assertThat(p.bindingLimit()).isEqualTo(CapacityPlan.MEMORY);
    assertThat(p.headline()).isEqualTo("binding limit: memory — 473,088 connections per 1.00 GiB instance → 1 instance"
        + " for 100,000 connections; not measured: file descriptors, CPU");
    List<Step> withCpu = List.of(step(1_000, 10, 3.0), step(2_000, 20, 5.0), step(4_000, 40, 9.0));
    assertThat(CapacityPlan.plan(100 * MIB, withCpu, true, basis(20_000L, 60L, 2)).plan().headline())
        .doesNotContain("not measured");
  }

  @Test
  void theKneeIsOnlyAheadOfThePassingStep() {
    // From (5,000, 100 ms) back to (4,000, 400 ms): the line crosses 250 ms at 4,500, below the step that passed.
    assertThat(PlanLimits.knee(5_000, 100, 4_000, 400, 250)).isNull();
    assertThat(PlanLimits.knee(5_000, 100, 5_000, 400, 250)).isNull();
  }

  @Test
  void ceilDivDoesNotOverflow() {
    assertThat(CapacityPlan.ceilDiv(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(CapacityPlan.ceilDiv(Long.MAX_VALUE, 2)).isEqualTo(1L << 62); // (2^63 - 1) / 2 = 2^62 - 0.5
    assertThat(CapacityPlan.ceilDiv(0, 7)).isZero();
    assertThat(CapacityPlan.ceilDiv(14, 7)).isEqualTo(2);
    assertThat(CapacityPlan.ceilDiv(15, 7)).isEqualTo(3);
  }

  @Test
  void anUnlimitedFileLimitSaysSo() {
    Limit files = PlanLimits.files(CapacityPlan.UNLIMITED_FILES, 60L);
    assertThat(files.state()).isEqualTo(Limit.NOT_REACHED);
    assertThat(files.basis()).isEqualTo("the server's open-file limit is unlimited");
    assertThat(files.basis()).doesNotContain("not known");
    List<Step> steps = List.of(step(1_000, 10, null), step(2_000, 20, null), step(4_000, 40, null));
    Plan p = CapacityPlan.plan(100 * MIB, steps, true, basis(CapacityPlan.UNLIMITED_FILES, 60L, null)).plan();
    assertThat(p.serverMaxFiles()).as("written as null, the state says unlimited").isNull();
    assertThat(p.headline()).endsWith("; not measured: CPU");
  }

  @Test
  void eachLimitHasOneDisplayName() {
    assertThat(CapacityPlan.displayName(CapacityPlan.FILES)).isEqualTo("file descriptors");
    assertThat(CapacityPlan.displayName(CapacityPlan.CPU)).isEqualTo("CPU");
    assertThat(CapacityPlan.displayName(CapacityPlan.HELD)).isEqualTo("connections held");
    assertThat(CapacityPlan.displayName(CapacityPlan.MEMORY)).isEqualTo("memory");
  }
}
