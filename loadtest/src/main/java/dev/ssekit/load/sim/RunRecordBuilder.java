package dev.ssekit.load.sim;

import dev.ssekit.load.measure.DeliveryStats;
import dev.ssekit.load.measure.MachineMemory;
import dev.ssekit.load.measure.MemorySampler;
import dev.ssekit.load.measure.Publisher;
import dev.ssekit.load.report.CapacityPlan;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.load.report.InjectorBottleneck;
import dev.ssekit.load.report.Projections;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.StepWindow;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;

/**
 * A finished run's measurements made into its {@link RunRecord}: settles the delivery accounting
 * against what was published, cuts the samples into each step's window, projects capacity, and
 * fills the report with the scenario's own figures, the failures by kind and the injector's cost
 * (flagged when the injector, not the server, was the bottleneck). Called once, by {@link
 * LoadRun#finish}, after publishing and sampling stopped.
 */
final class RunRecordBuilder {
  private final RunSettings settings;
  private final DeliveryStats stats;
  private final List<long[]> windows;
  private final List<MemorySampler.Sample> samples;
  private final Publisher publisher;
  private final ServerWatch server;
  private final ScenarioFigures figures;
  private final Failures failures;
  private final long startMillis;
  private final long holdEndMillis;
  private final long cpuNanosAtStart;

  /**
   * @param windows each step's measuring window, {from, to} in epoch ms
   * @param publisher the run's publisher, or null when the server published
   * @param startMillis when the run started (epoch ms)
   * @param holdEndMillis when the hold ended (epoch ms)
   * @param cpuNanosAtStart this process's CPU time when the run started ({@link MemorySampler#processCpuNanos})
   */
  RunRecordBuilder(RunSettings settings, DeliveryStats stats, List<long[]> windows, List<MemorySampler.Sample> samples,
      Publisher publisher, ServerWatch server, ScenarioFigures figures, Failures failures, long startMillis,
      long holdEndMillis, long cpuNanosAtStart) {
    this.settings = settings;
    this.stats = stats;
    this.windows = windows;
    this.samples = samples;
    this.publisher = publisher;
    this.server = server;
    this.figures = figures;
    this.failures = failures;
    this.startMillis = startMillis;
    this.holdEndMillis = holdEndMillis;
    this.cpuNanosAtStart = cpuNanosAtStart;
  }

  /** The run's record. */
  RunRecord build() {
    long durationMs = System.currentTimeMillis() - startMillis;
    Published pub = published();
    DeliveryStats.Totals totals = stats.settle(pub.end(), pub.notPublished());
    Memory memory = memory();
    List<RunRecord.StepRecord> steps = new ArrayList<>();
    for (int k = 0; k < windows.size(); k++) {
      steps.add(StepWindow.measure(settings.steps().get(k), windows.get(k)[0], windows.get(k)[1], memory.timeline()));
    }
    CapacityReport.Events events = new CapacityReport.Events(pub.count(), totals.expected(), totals.delivered(),
        totals.lost(), totals.duplicated(), totals.outOfOrder(), totals.notYetRead(), publishing(pub));
    CapacityReport.Target target = target();
    CapacityReport.Projection projection = Projections.project(target, server.rssBaseline(),
        steps.stream().map(Projections::step).toList(), Projections.lossFree(events), basis(pub));
    Histogram lat = stats.latencyMicros();
    Histogram con = stats.connectMicros();
    CapacityReport report = report(target, durationMs, lat, con, events, memory, steps, projection);
    return flagInjectorBottleneck(new RunRecord(report, histograms(lat, con), diagnostics(totals), memory.timeline(), steps));
  }

  /** The injector's own cost, and the streams a machine like this one could drive. */
  private CapacityReport.Injector injector(Memory memory, List<CapacityReport.Step> steps) {
    Long perStream = Projections.injectorBytesPerConnection(steps);
    CapacityReport.InjectorMachine machine = Projections.injectorMachine(steps, perStream, MachineMemory.totalBytes(),
        Runtime.getRuntime().availableProcessors());
    return new CapacityReport.Injector(memory.heapPeak(), Math.round((MemorySampler.processCpuNanos() - cpuNanosAtStart) / 1e6) / 1e3, null,
        memory.injectorRssPeak() >= 0 ? memory.injectorRssPeak() : null, perStream,
        machine == null ? null : machine.streams(), machine == null ? null : machine.basis());
  }

  /** The rate asked and held and the publishes' round trips, or null when this run's load tester did not publish. */
  private CapacityReport.Publishing publishing(Published pub) {
    if (publisher == null) {
      return null;
    }
    long spanMs = holdEndMillis - startMillis;
    Double held = pub.count() == null || spanMs <= 0 ? null : Math.round(pub.count() / (spanMs / 1000.0) * 1000) / 1000.0;
    Histogram trips = publisher.roundTrips();
    return new CapacityReport.Publishing(settings.rate(), held, Projections.percentileMs(trips, 50),
        Projections.percentileMs(trips, 99));
  }

  /** What the projection needs besides the steps: the run's objective, target and the server's limits. */
  private CapacityPlan.Basis basis(Published pub) {
    return new CapacityPlan.Basis(settings.targetConnections(), settings.instanceMemoryBytes(),
        settings.sloP99().toNanos() / 1e6, server.maxFiles(), server.filesAtStart(), server.cores(),
        eventsPerConnection(settings.publishes() ? settings.rate() : null, pub.count(), holdEndMillis - startMillis),
        // Every target is on loopback (LoopbackTargets): the injector always shares the server's machine.
        true);
  }

  /** What the run was aimed at: every stream URL, where it published and read the server's memory. */
  private CapacityReport.Target target() {
    return new CapacityReport.Target(
        settings.url().toString(),
        settings.publishUrl() == null ? null : settings.publishUrl().toString(),
        settings.metricsUrl() == null ? null : settings.metricsUrl().toString(),
        settings.urls().stream().map(URI::toString).toList());
  }

  /** The report, with the scenario's connection figures and the failures recorded by kind. */
  private CapacityReport report(CapacityReport.Target target, long durationMs, Histogram lat, Histogram con,
      CapacityReport.Events events, Memory memory, List<RunRecord.StepRecord> steps, CapacityReport.Projection projection) {
    CapacityReport report = new CapacityReport(
        settings.scenario(),
        target,
        durationMs,
        figures.connections(new CapacityReport.Connections(settings.connections(), stats.opened(), stats.failed(), stats.peakOpen(), null, null)),
        Projections.connectMs(con),
        Projections.deliveryLatencyMs(lat),
        events,
        new CapacityReport.Server(server.rssBaseline(), memory.rssPeak() >= 0 ? memory.rssPeak() : null, projection.bytesPerConnection()),
        injector(memory, steps.stream().map(Projections::step).toList()),
        steps.stream().map(Projections::step).toList(),
        projection);
    if (server.rssFailure() != null) {
      failures.record(CapacityReport.Failure.METRICS, server.rssFailure());
    }
    return report.withFailures(failures.list());
  }

  /**
   * What was published: up to which sequence number, which numbers were not (failed publishes),
   * and how many (null when not known).
   */
  private record Published(long end, LongPredicate notPublished, Long count) {}

  private Published published() {
    if (publisher != null) {
      return new Published(publisher.lastSent(), publisher.notPublished(), publisher.published());
    }
    long end = stats.lastServerSeqBeforeEnd();
    long lowest = stats.lowestServerSeq();
    return new Published(end, s -> false, end >= 0 && lowest >= 0 ? end - lowest + 1 : null);
  }

  /**
   * The samples as the report's timeline, with the injector's heap peak, the server's RSS peak and
   * the injector's (-1: none).
   */
  private record Memory(List<RunRecord.TimelinePoint> timeline, long heapPeak, long rssPeak, long injectorRssPeak) {}

  private Memory memory() {
    List<RunRecord.TimelinePoint> timeline = new ArrayList<>(samples.size());
    long heapPeak = 0;
    Long rssBaseline = server.rssBaseline();
    long rssPeak = rssBaseline == null ? -1 : rssBaseline;
    long injectorRssPeak = -1;
    for (MemorySampler.Sample s : samples) {
      heapPeak = Math.max(heapPeak, s.injectorHeapBytes());
      rssPeak = Math.max(rssPeak, s.serverRssBytes());
      injectorRssPeak = Math.max(injectorRssPeak, s.injectorRssBytes());
      timeline.add(new RunRecord.TimelinePoint(s.atMillis(), s.openStreams(),
          s.serverRssBytes() >= 0 ? s.serverRssBytes() : null, s.injectorHeapBytes(), s.period(), s.serverCpuSeconds(),
          new RunRecord.InjectorReading(s.injectorCpuSeconds(), s.injectorRssBytes() >= 0 ? s.injectorRssBytes() : null,
              s.published())));
    }
    return new Memory(timeline, heapPeak, rssPeak, injectorRssPeak);
  }

  private Map<String, Histogram> histograms(Histogram lat, Histogram con) {
    Map<String, Histogram> hs = new LinkedHashMap<>();
    hs.put("deliveryLatency", lat);
    hs.put("connect", con);
    hs.put("firstEvent", stats.firstEventMicros());
    hs.putAll(figures.histograms());
    return hs;
  }

  private Map<String, Long> diagnostics(DeliveryStats.Totals totals) {
    Map<String, Long> diagnostics = new LinkedHashMap<>(stats.diagnostics());
    diagnostics.putAll(figures.diagnostics());
    if (publisher != null) {
      diagnostics.put("publishFailures", publisher.failed());
    }
    diagnostics.put(InjectorBottleneck.CORES, (long) Runtime.getRuntime().availableProcessors());
    diagnostics.put(InjectorBottleneck.MAX_HEAP, Runtime.getRuntime().maxMemory());
    diagnostics.put("connectionsBehind", totals.behindConnections());
    return diagnostics;
  }

  /** The record, with the injector flagged when it, not the server, was the bottleneck. */
  private static RunRecord flagInjectorBottleneck(RunRecord record) {
    String bottleneck = InjectorBottleneck.why(record);
    if (bottleneck == null) {
      return record;
    }
    CapacityReport report = record.capacity();
    CapacityReport flagged = report.withInjector(report.injector().withBottleneck(bottleneck));
    return new RunRecord(flagged, record.histograms(), record.diagnostics(), record.timeline(), record.steps());
  }

  /**
   * The events each connection is sent per second: the rate this run published at, else (the
   * server publishes) the count it published over the time from the start to the hold's end;
   * null when neither is known.
   */
  static Double eventsPerConnection(Double publishRate, Long published, long spanMs) {
    if (publishRate != null) {
      return publishRate;
    }
    return published == null || published <= 0 || spanMs <= 0 ? null
        : Math.round(published / (spanMs / 1000.0) * 1000) / 1000.0;
  }
}
