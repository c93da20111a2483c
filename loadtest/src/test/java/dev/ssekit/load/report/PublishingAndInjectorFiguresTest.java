package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rate a run held against the rate it asked, and what the injector spent per step: read from
 * the timeline, written to capacity.json and histograms.json and back, summed by merge, and said
 * in a warning when the publisher fell behind (the side-by-side benchmark once compared two servers
 * at different loads without saying so).
 */
class PublishingAndInjectorFiguresTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMPTY = HistogramFile.encode(new Histogram(3));

  private static RunRecord.TimelinePoint at(long ms, long open, double injectorCpu, long injectorRss, long published) {
    return new RunRecord.TimelinePoint(ms, open, 100L << 20, 1, EMPTY, null,
        new RunRecord.InjectorReading(injectorCpu, injectorRss, published));
  }

  @Test
  void aStepsInjectorFiguresAreWhatItsWindowSpentAndPublished() {
    // Window (1,000, 3,000]: from the reading at 1,000 to the last inside, at 3,000.
    List<RunRecord.TimelinePoint> timeline = List.of(at(500, 10, 1.0, 200, 5), at(1_000, 10, 2.0, 300, 10),
        at(2_000, 10, 3.5, 400, 20), at(3_000, 10, 5.0, 500, 30), at(3_500, 10, 9.0, 900, 35));
    RunRecord.StepRecord s = StepWindow.measure(10, 1_000, 3_000, timeline);
    assertThat(s.injector().cpuSeconds()).isCloseTo(3.0, within(1e-9));
    assertThat(s.injector().published()).isEqualTo(20);
    assertThat(s.injector().rssBytes()).as("median of the samples in the window").isEqualTo(500);
    CapacityReport.Step line = new CapacityReport.Step(10, null, 1.0, 10, 1.0, 2_000L, 300L, 0.006, 10L, 2_000L, s.injector());
    assertThat(line.publishedPerSecond()).isCloseTo(10.0, within(1e-9));
    assertThat(line.injectorCpuMicrosPerDelivery()).isCloseTo(10_000.0, within(1e-6));
    assertThat(line.serverCpuMicrosPerDelivery()).isCloseTo(20.0, within(1e-6));
  }

  @Test
  void aTimelineWithoutInjectorReadingsHasNoInjectorFigures() {
    var p = new RunRecord.TimelinePoint(2_000, 10, null, 1, EMPTY, 1.0);
    assertThat(StepWindow.measure(10, 1_000, 3_000, List.of(p)).injector()).isNull();
    // One reading in the window and none before it: no difference to take, so no rate (not 0/s).
    CapacityReport.StepInjector one = StepWindow.measure(10, 1_000, 3_000, List.of(at(2_000, 10, 5.0, 400, 30))).injector();
    assertThat(one.published()).isNull();
    assertThat(one.cpuSeconds()).isNull();
    assertThat(one.rssBytes()).isEqualTo(400);
  }

  @Test
  void theRateHeldIsOverTheReadingsSpanNotTheWindow() {
    // Window (1,000, 3,000], readings at 1,000 and 2,500 only (the sampler was late): 15 events in
    // 1.5 s is 10/s, not 7.5/s over the 2 s window.
    List<RunRecord.TimelinePoint> timeline = List.of(at(1_000, 10, 1.0, 300, 10), at(2_500, 10, 2.0, 300, 25));
    CapacityReport.Step line = Projections.step(StepWindow.measure(10, 1_000, 3_000, timeline));
    assertThat(line.injector().spanMs()).isEqualTo(1_500);
    assertThat(line.publishedPerSecond()).isCloseTo(10.0, within(1e-9));
  }

  private static CapacityReport report(CapacityReport.Publishing publishing, List<CapacityReport.Step> steps) {
    return new CapacityReport("capacity", new CapacityReport.Target("http://127.0.0.1:1/events", "http://127.0.0.1:1/publish", null, null),
        60_000, new CapacityReport.Connections(1000, 1000, 0, 1000, null, null), new CapacityReport.ConnectMs(1.0, 2.0, 3.0, 4.0),
        new CapacityReport.DeliveryLatencyMs(100, 1.0, 2.0, 3.0, 4.0, 5.0),
        new CapacityReport.Events(600L, 600_000, 600_000, 0, 0, 0, 0, publishing),
        new CapacityReport.Server(null, null, null), new CapacityReport.Injector(1, 2.0, null, 700L << 20, 31_000L, 40_000L,
            "memory: 811,800 (24.00 GiB at 30.3 KiB per stream); CPU: 40,000 (…)"), steps,
        new CapacityReport.Projection(null, null, null, null, 100_000L, 1L << 30, null, null, "none"));
  }

  private static CapacityReport.Step step(long target, long published) {
    return new CapacityReport.Step(target, null, 100.0, target, 50.0, 20_000L, published * target, 10.0, target, 20_000L,
        new CapacityReport.StepInjector(20.0, 600L << 20, published));
  }

  @Test
  void aPublisherThatHeldTheRateRaisesNoWarning() {
    CapacityReport r = report(new CapacityReport.Publishing(10, 9.95, 12.0, 30.0), List.of(step(5_000, 199)));
    assertThat(r.publisherBehind()).isNull();
  }

  @Test
  void aPublisherBehindInOneStepIsNamedWithTheStepAndTheServersAnswerTime() {
    CapacityReport.Publishing pub = new CapacityReport.Publishing(10, 6.0, 310.0, 420.0);
    CapacityReport r = report(pub, List.of(step(5_000, 200), step(18_000, 54)));
    assertThat(pub.behind()).isTrue();
    assertThat(r.publisherBehind())
        .startsWith("the publisher held 6.00 of the 10 events/s asked over the run and 2.70 in the 18,000-connection step")
        .contains("the server took p50 310 ms (p99 420 ms) to answer a publish, against the rate's period of 100 ms")
        .contains("compare servers at a rate each holds");
    // Held over the run, behind in one step: still said.
    CapacityReport stepOnly = report(new CapacityReport.Publishing(10, 9.5, 20.0, 90.0), List.of(step(5_000, 200), step(18_000, 100)));
    assertThat(stepOnly.publisherBehind()).contains("5.00 in the 18,000-connection step");
    assertThat(Summary.text(r, List.of(), "/tmp/x")).contains("publishing   10 events/s asked, 6.00 held; a publish took p50 310.0  p99 420.0 ms")
        .contains("2.70 events/s, server CPU 10.3 µs/delivery")
        .contains("RSS peak 700.0 MiB, 30.3 KiB per stream held")
        .contains("a machine like this one drives about 40,000 streams at this rate (memory: 811,800");
  }

  @Test
  void aMachinesStreamsAreTheFewerOfWhatItsMemoryAndItsCoresCarry() {
    // The largest step: 18,000 streams, 720,000 deliveries in 20 s (2 per stream per second), 14.4
    // CPU seconds: 20 µs per delivery, 40 µs of CPU per stream per second: 2 cores carry 50,000.
    List<CapacityReport.Step> steps = List.of(
        new CapacityReport.Step(5_000, null, 1.0, 5_000, 1.0, 20_000L, 200_000L, 1.0, 5_000L, 20_000L,
            new CapacityReport.StepInjector(8.0, 300L << 20, 40L)),
        new CapacityReport.Step(18_000, null, 1.0, 18_000, 1.0, 20_000L, 720_000L, 1.0, 18_000L, 20_000L,
            new CapacityReport.StepInjector(14.4, 900L << 20, 40L)));
    CapacityReport.InjectorMachine cpuBound = Projections.injectorMachine(steps, 32_768L, 24L << 30, 2);
    assertThat(cpuBound.streams()).isEqualTo(50_000);
    assertThat(cpuBound.basis()).isEqualTo("memory: 786,432 (24.00 GiB at 32.0 KiB per stream); CPU: 50,000 (2 cores at"
        + " 20.0 µs per delivery, 2.00 deliveries per stream per second, at the 18,000-stream step; here the server shared"
        + " those cores)");
    assertThat(Projections.injectorMachine(steps, 32_768L, 1L << 30, 2).streams()).as("1 GiB: memory binds").isEqualTo(32_768);
    assertThat(Projections.injectorMachine(steps, null, 24L << 30, 2).streams()).as("no memory fit: CPU alone").isEqualTo(50_000);
    assertThat(Projections.injectorMachine(List.of(), null, 24L << 30, 2)).isNull();
  }

  @Test
  void theFiguresAreWrittenAndReadBack(@TempDir Path dir) throws Exception {
    CapacityReport r = report(new CapacityReport.Publishing(10, 6.0, 310.0, 420.0), List.of(step(5_000, 200), step(18_000, 54)));
    JsonNode root = JSON.readTree(CapacityJson.toJson(r));
    assertThat(root.at("/events/publishing/publishedPerSecond").asDouble()).isEqualTo(6.0);
    assertThat(root.at("/events/publishing/behind").asBoolean()).isTrue();
    java.util.List<String> keys = new java.util.ArrayList<>();
    root.at("/events/publishing").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("ratePerSecond", "publishedPerSecond", "roundTripP50Ms", "roundTripP99Ms", "behind");
    assertThat(root.at("/injector/bytesPerConnection").asLong()).isEqualTo(31_000);
    assertThat(root.at("/steps/1/publishedPerSecond").asDouble()).isEqualTo(2.7);
    assertThat(root.at("/steps/1/serverCpuMicrosPerDelivery").asDouble()).isEqualTo(10.29);
    assertThat(root.at("/steps/1/injectorCpuMicrosPerDelivery").asDouble()).isEqualTo(20.58);
    assertThat(CapacityJson.read(CapacityJson.write(r, dir))).isEqualTo(r);

    RunRecord run = new RunRecord(r, Map.of(), Map.of(), List.of(at(1_000, 10, 2.0, 300, 10)),
        List.of(new RunRecord.StepRecord(5_000, 0, 20_000, 5_000, null, new Histogram(3), 10.0, 5_000L, 20_000L,
            new CapacityReport.StepInjector(20.0, 600L << 20, 200L))));
    RunRecord back = HistogramFile.read(HistogramFile.write(dir, run));
    assertThat(back.timeline().get(0).injector()).isEqualTo(new RunRecord.InjectorReading(2.0, 300L, 10L));
    assertThat(back.steps().get(0).injector()).isEqualTo(new CapacityReport.StepInjector(20.0, 600L << 20, 200L));
  }

  @Test
  void mergeSumsTheInjectorsFiguresAndTheirRates() {
    RunRecord a = run(0.0, 2.5);
    RunRecord b = run(100.0, 2.0);
    RunRecord merged = Merge.merge(List.of(a, b)).run();
    CapacityReport.Publishing pub = merged.capacity().events().publishing();
    assertThat(pub.ratePerSecond()).isEqualTo(10.0);
    assertThat(pub.publishedPerSecond()).isEqualTo(4.5);
    assertThat(pub.roundTripP50Ms()).as("the slower injector's").isEqualTo(300.0);
    assertThat(merged.steps().get(0).injector().cpuSeconds()).isCloseTo(8.0, within(1e-9));
    assertThat(merged.steps().get(0).injector().published()).isEqualTo(90);
    assertThat(merged.timeline().get(merged.timeline().size() - 1).injector().cpuSeconds()).isCloseTo(12.0, within(1e-9));
  }

  /** One injector's share (5 events/s asked) of a one-step test, its clock {@code offsetMs} off the other's. */
  private static RunRecord run(double offsetMs, double held) {
    long t0 = 1_000_000 + (long) offsetMs;
    List<RunRecord.TimelinePoint> timeline = List.of(at(t0, 500, 1.0, 100, 0), at(t0 + 10_000, 500, 5.0, 200, 45),
        at(t0 + 20_000, 500, 6.0, 200, 50));
    RunRecord.StepRecord step = StepWindow.measure(500, t0, t0 + 10_000, timeline);
    CapacityReport r = report(new CapacityReport.Publishing(5, held, held == 2.5 ? 200.0 : 300.0, 400.0), List.of(Projections.step(step)));
    return new RunRecord(r, Map.of("deliveryLatency", new Histogram(3)), Map.of(), timeline, List.of(step));
  }
}
