package dev.ssekit.load.sim;

import dev.ssekit.load.measure.DeliveryStats;
import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.MemorySampler;
import dev.ssekit.load.measure.Publisher;
import dev.ssekit.load.measure.RssSource;
import dev.ssekit.load.measure.ServerProc;
import dev.ssekit.load.report.CapacityPlan;
import dev.ssekit.load.report.CapacityHtml;
import dev.ssekit.load.report.InjectorBottleneck;
import dev.ssekit.load.report.CapacityJson;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.Projections;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.StepWindow;
import dev.ssekit.load.report.Summary;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.Session;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;

/**
 * One measured run: the timeline every virtual user follows, the shared {@link DeliveryStats},
 * the publisher and the memory sampler; it writes the reports when the simulation ends.
 *
 * <p>Timeline (epoch ms), kept by a {@link StepSchedule}: each step's connections open over
 * {@code ramp}; once its last connect attempt has finished (Gatling's first connects can take a
 * while: the injector warms up), all are held and measured for {@code hold} (the step's window),
 * and the next step's users connect after it. The last window's end is {@code holdEnd}, when
 * publishing stops; the streams stay open and keep draining for {@code grace} so the last events
 * arrive; then each stream that has not caught up keeps being read while it is still receiving,
 * up to {@link #DRAIN_CAP_MS} more ({@link #holding}); then each closes. If a step's connects never all finish, its window starts {@link
 * #CONNECT_BOUND} after its ramp anyway. hold, fanout and reconnect-storm have one step.
 *
 * <p>Lifecycle: the simulation calls {@link #start} from {@code before()} and {@link #finish}
 * from {@code after()}; the virtual users call the session functions in between, from Gatling's
 * threads (everything they touch is thread-safe).
 */
public final class LoadRun {
  static final String CONNECTION = "ssekit.connection";
  static final String INDEX = "ssekit.index";
  static final int SAMPLE_PERIOD_MS = 500;
  /** Where {@code mvn gatling:test} has Gatling write its reports (set by the plugin's configuration in the pom). */
  public static final String GATLING_RESULTS = "ssekit.load.gatlingResults";

  /** The simulation class Gatling runs for a scenario (Gatling names its run directory after it). */
  public static String simulationName(String scenario) {
    return switch (scenario) {
      case "hold" -> HoldSimulation.class.getName();
      case "capacity" -> CapacitySimulation.class.getName();
      case "reconnect-storm" -> ReconnectStormSimulation.class.getName();
      default -> FanoutSimulation.class.getName();
    };
  }

  /** The longest the hold waits for the last connect attempt after the ramp (Gatling's connect timeout is 10 s). */
  static final Duration CONNECT_BOUND = Duration.ofSeconds(30);

  private static final AtomicReference<Outcome> LAST = new AtomicReference<>();

  /**
   * What the last run in this JVM produced: its report and the scenario's extra summary lines, or
   * the error that stopped it.
   */
  public record Outcome(CapacityReport report, List<String> details, Throwable error) {
    public Outcome(CapacityReport report, Throwable error) {
      this(report, List.of(), error);
    }

    /** The text summary of the report. */
    public String summary(String reportDir) {
      return Summary.text(report, details, reportDir);
    }
  }

  private final RunSettings settings;
  private final Limits limits;
  private final Failures failures = new Failures();
  private volatile RssSource rss;
  private volatile ScenarioFigures figures = ScenarioFigures.NONE;
  private volatile DeliveryStats stats;
  private volatile Publisher publisher;
  private volatile MemorySampler sampler;
  private volatile long startMillis;
  private volatile StepSchedule schedule;
  private volatile long holdEndMillis;
  private volatile long drainEndMillis;
  private volatile Long rssBaseline;
  private volatile ServerProc proc;
  private volatile Long serverMaxFiles;
  private volatile Long serverFilesAtStart;
  private volatile Integer serverCores;
  private long cpuNanosAtStart;

  public LoadRun(RunSettings settings) {
    this(settings, Limits.fromSystemProperties());
  }

  public LoadRun(RunSettings settings, Limits limits) {
    this.settings = settings;
    this.limits = limits;
  }

  public RunSettings settings() {
    return settings;
  }

  /** What each server response may cost the injector. */
  public Limits limits() {
    return limits;
  }

  /** Why connections failed, by kind (filled by {@link ResponseGuard}). */
  Failures failures() {
    return failures;
  }

  /** What the scenario adds to the reports (set before the run starts). */
  void setFigures(ScenarioFigures f) {
    this.figures = f;
  }

  /** When the hold ends (epoch ms): a bound until the last connect finishes, then fixed. */
  long holdEndMillis() {
    schedule.tick(System.currentTimeMillis());
    return holdEndMillis;
  }

  /** The outcome of the last run in this JVM, or {@code null}. */
  public static Outcome lastOutcome() {
    return LAST.get();
  }

  /** Fixes the timeline, takes the server's memory baseline and starts publishing and sampling. */
  public void start() {
    LAST.set(null);
    cpuNanosAtStart = processCpuNanos();
    RssSource rss =
        settings.metricsUrl() != null
            ? RssSource.prometheus(settings.metricsUrl(), limits)
            : settings.serverPid() != null ? RssSource.procStatus(settings.serverPid()) : null;
    this.rss = rss;
    try {
      readServerLimits();
      ServerProc p = proc;
      MemorySampler s = new MemorySampler(
          rss,
          () -> stats == null ? 0 : stats.open(),
          () -> HistogramFile.encode(stats.takePeriodLatency()),
          p == null ? null : () -> {
            var cpu = p.cpuSeconds();
            return cpu.isPresent() ? cpu.getAsDouble() : null;
          },
          Duration.ofMillis(SAMPLE_PERIOD_MS));
      OptionalLong baseline = s.baseline();
      rssBaseline = baseline.isPresent() ? baseline.getAsLong() : null;
      if (rss != null && rssBaseline == null) {
        System.err.println("ssekit load: warning: could not read the server's memory ("
            + (rss.failure() != null ? rss.failure() : rss.describe()) + ")");
      }
      sampler = s;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the memory baseline", e);
    }
    startMillis = System.currentTimeMillis();
    schedule = new StepSchedule(settings.steps(), settings.effectiveRamp(), settings.hold(), CONNECT_BOUND, startMillis, this::holdEndsAt);
    holdEndMillis = schedule.holdEndBound(startMillis);
    drainEndMillis = holdEndMillis + settings.grace().toMillis();
    stats = new DeliveryStats(settings.publishes() ? settings.runId() : null, holdEndMillis * 1000);
    sampler.start();
    if (settings.publishes()) {
      publisher = new Publisher(settings.publishUrl(), settings.publishFormat(), settings.runId(), settings.rate(), limits.insecure());
      publisher.start(holdEndMillis);
    }
  }

  /**
   * With the server's pid: its open-file limit (unless {@code --server-max-files} gave one) and the
   * files it holds before any connection, for the projection's file-descriptor limit.
   */
  private void readServerLimits() {
    serverMaxFiles = settings.serverMaxFiles();
    serverCores = settings.instanceCores();
    if (settings.serverPid() == null) {
      return;
    }
    ServerProc p = new ServerProc(settings.serverPid());
    proc = p;
    if (serverMaxFiles == null && p.maxOpenFiles().isPresent()) {
      long max = p.maxOpenFiles().getAsLong();
      serverMaxFiles = max == ServerProc.UNLIMITED ? CapacityPlan.UNLIMITED_FILES : max;
    }
    serverFilesAtStart = p.openFiles().isPresent() ? p.openFiles().getAsLong() : null;
    if (serverCores == null && p.allowedCpus().isPresent()) {
      serverCores = p.allowedCpus().getAsInt();
    }
  }

  // ---- session functions, called by the virtual users ----

  /** A new virtual user: its place in the connect order, which fixes its step. */
  public Session arrive(Session session) {
    return session.set(INDEX, schedule.assign());
  }

  /** Whether this user's step has not been given its start yet (it waits and asks again). */
  public boolean waitingForStep(Session session) {
    schedule.tick(System.currentTimeMillis());
    return schedule.gateUnknown(session.getInt(INDEX));
  }

  /** How long this user waits before it connects: its step's start plus its share of the ramp. */
  public Duration untilRelease(Session session) {
    return Duration.ofMillis(Math.max(0, schedule.releaseAt(session.getInt(INDEX)) - System.currentTimeMillis()));
  }

  /** Before the connect: note the start time. */
  public Session beginConnect(Session session) {
    return session.set(CONNECTION, stats.connecting());
  }

  /** After the connect, whether it worked or not. */
  public Session endConnect(Session session) {
    DeliveryStats.Connection c = session.get(CONNECTION);
    Publisher p = publisher;
    stats.connected(c, !session.isFailed(), p == null ? -1 : p.lastSent());
    schedule.attempted(stats.attempts(), System.currentTimeMillis());
    return session;
  }

  /** The last step's window started: the hold ends then, and publishing with it. */
  private void holdEndsAt(long holdEnd) {
    holdEndMillis = holdEnd;
    drainEndMillis = holdEnd + settings.grace().toMillis();
    stats.accountUntil(holdEnd * 1000);
    if (publisher != null) {
      publisher.stopAt(holdEnd);
    }
  }

  /**
   * The longest a stream keeps being read after the grace while it is still receiving its backlog.
   * A stream still receiving then has its unread tail counted as not yet read (by this injector).
   */
  static final long DRAIN_CAP_MS = 10_000;

  /** A stream with no accounted event for this long after the grace has gone quiet. */
  private long quietMs() {
    return Math.max(1_000, 2 * settings.drain().toMillis());
  }

  /**
   * Whether this virtual user keeps its stream open (and keeps draining): through the hold and the
   * grace; then, while its stream has not caught up with the end of the accounted range, for as
   * long as it is still receiving (an accounted event within {@link #quietMs}), up to {@link
   * #DRAIN_CAP_MS}. A stream that went quiet first has received all its server was going to send
   * (what is missing is lost); one still receiving when the cap ran out is {@link
   * DeliveryStats#cutOff cut off} (what it had not read is not yet read, not lost).
   */
  public boolean holding(Session session) {
    long now = System.currentTimeMillis();
    schedule.tick(now);
    if (now < drainEndMillis) {
      return true;
    }
    DeliveryStats.Connection c = session.get(CONNECTION);
    Publisher p = publisher;
    if (c == null || stats.caughtUp(c, p == null ? -1 : p.lastSent()) || !stats.stillReceiving(c, now, quietMs())) {
      return false;
    }
    if (now < drainEndMillis + DRAIN_CAP_MS) {
      return true;
    }
    stats.cutOff(c);
    return false;
  }

  /** Drains Gatling's buffer of received messages into the accounting. */
  public Session drain(List<SseInboundMessage> messages, Session session) {
    DeliveryStats.Connection c = session.get(CONNECTION);
    for (SseInboundMessage m : messages) {
      stats.onMessage(c, m.timestamp(), m.message());
    }
    return session;
  }

  /** The user dropped its stream to open another (reconnect-storm). */
  Session streamDown(Session session) {
    stats.down(session.get(CONNECTION));
    return session;
  }

  /** The user's replacement stream opened. */
  Session streamUp(Session session) {
    stats.up(session.get(CONNECTION));
    return session;
  }

  /** After the close. */
  public Session endClose(Session session) {
    DeliveryStats.Connection c = session.get(CONNECTION);
    stats.closed(c);
    return session;
  }

  // ---- the end ----

  /** Stops publishing and sampling, settles the accounting and writes the reports. */
  public Outcome finish() {
    Outcome outcome;
    try {
      RunRecord record = buildRecord();
      CapacityReport report = record.capacity();
      CapacityJson.write(report, settings.reportDir());
      HistogramFile.write(settings.reportDir(), record);
      String gatlingResults = System.getProperty(GATLING_RESULTS, "");
      if (!settings.fromCli() && !gatlingResults.isBlank()) {
        // mvn gatling:test: Gatling's report goes to the plugin's results folder, not beside this one.
        CapacityHtml.write(record, settings.reportDir(), Path.of(gatlingResults), simulationName(settings.scenario()));
      } else {
        CapacityHtml.write(record, settings.reportDir()); // the CLI writes it again once Gatling's report exists
      }
      if (publisher != null && publisher.lastFailure() != null) {
        System.err.println("ssekit load: " + publisher.failed() + " publishes failed; last: " + publisher.lastFailure());
      }
      List<String> details = new ArrayList<>();
      String first = Summary.firstEvent(record.histograms().get("firstEvent"));
      if (first != null) {
        details.add("  first event  " + first + ", ms after the connect began");
      }
      details.addAll(figures.summaryLines());
      outcome = new Outcome(report, details, null);
      if (!settings.fromCli()) {
        System.out.print(outcome.summary(settings.reportDir().toString()));
      }
    } catch (RuntimeException e) {
      outcome = new Outcome(null, e);
    }
    LAST.set(outcome);
    if (outcome.error() != null) {
      throw new IllegalStateException("could not finish the report: " + outcome.error().getMessage(), outcome.error());
    }
    if (!settings.fromCli() && outcome.report().deliveryFailed()) {
      // Run by Gatling itself (mvn gatling:test): failing here is how the build hears of it.
      throw new IllegalStateException("ssekit: the run failed: " + String.join("; ", outcome.report().problems()));
    }
    return outcome;
  }

  private RunRecord buildRecord() {
    if (publisher != null) {
      publisher.close();
    }
    sampler.close();
    long durationMs = System.currentTimeMillis() - startMillis;
    Published pub = published();
    DeliveryStats.Totals totals = stats.settle(pub.end(), pub.notPublished());
    Memory memory = memory(sampler.samples());
    List<long[]> windows = schedule.windows();
    List<RunRecord.StepRecord> steps = new ArrayList<>();
    for (int k = 0; k < windows.size(); k++) {
      steps.add(StepWindow.measure(settings.steps().get(k), windows.get(k)[0], windows.get(k)[1], memory.timeline()));
    }
    CapacityReport.Events events = new CapacityReport.Events(pub.count(), totals.expected(), totals.delivered(),
        totals.lost(), totals.duplicated(), totals.outOfOrder(), totals.notYetRead());
    CapacityPlan.Basis basis = new CapacityPlan.Basis(settings.targetConnections(), settings.instanceMemoryBytes(),
        settings.sloP99().toNanos() / 1e6, serverMaxFiles, serverFilesAtStart, serverCores,
        eventsPerConnection(settings.publishes() ? settings.rate() : null, pub.count(), holdEndMillis - startMillis),
        // Every target is on loopback (LoopbackTargets): the injector always shares the server's machine.
        true);
    CapacityReport.Projection projection =
        Projections.project(rssBaseline, steps.stream().map(Projections::step).toList(), Projections.lossFree(events), basis);

    Histogram lat = stats.latencyMicros();
    Histogram con = stats.connectMicros();
    CapacityReport report = new CapacityReport(
        settings.scenario(),
        new CapacityReport.Target(
            settings.url().toString(),
            settings.publishUrl() == null ? null : settings.publishUrl().toString(),
            settings.metricsUrl() == null ? null : settings.metricsUrl().toString()),
        durationMs,
        figures.connections(new CapacityReport.Connections(settings.connections(), stats.opened(), stats.failed(), stats.peakOpen(), null, null)),
        new CapacityReport.ConnectMs(pct(con, 50), pct(con, 95), pct(con, 99), max(con)),
        new CapacityReport.DeliveryLatencyMs(lat.getTotalCount(), pct(lat, 50), pct(lat, 95), pct(lat, 99), pct(lat, 99.9), max(lat)),
        events,
        new CapacityReport.Server(rssBaseline, memory.rssPeak() >= 0 ? memory.rssPeak() : null, projection.bytesPerConnection()),
        new CapacityReport.Injector(memory.heapPeak(), Math.round((processCpuNanos() - cpuNanosAtStart) / 1e6) / 1e3),
        steps.stream().map(Projections::step).toList(),
        projection);
    RssSource source = rss;
    if (source != null && source.failure() != null) {
      failures.record(CapacityReport.Failure.METRICS, source.failure());
    }
    report = report.withFailures(failures.list());
    return flagInjectorBottleneck(new RunRecord(report, histograms(lat, con), diagnostics(totals), memory.timeline(), steps));
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

  /** The samples as the report's timeline, with the injector's heap peak and the server's RSS peak (-1: none). */
  private record Memory(List<RunRecord.TimelinePoint> timeline, long heapPeak, long rssPeak) {}

  private Memory memory(List<MemorySampler.Sample> samples) {
    List<RunRecord.TimelinePoint> timeline = new ArrayList<>(samples.size());
    long heapPeak = 0;
    long rssPeak = rssBaseline == null ? -1 : rssBaseline;
    for (MemorySampler.Sample s : samples) {
      heapPeak = Math.max(heapPeak, s.injectorHeapBytes());
      rssPeak = Math.max(rssPeak, s.serverRssBytes());
      timeline.add(new RunRecord.TimelinePoint(s.atMillis(), s.openStreams(),
          s.serverRssBytes() >= 0 ? s.serverRssBytes() : null, s.injectorHeapBytes(), s.period(), s.serverCpuSeconds()));
    }
    return new Memory(timeline, heapPeak, rssPeak);
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
    CapacityReport flagged = report.withInjector(
        new CapacityReport.Injector(report.injector().heapBytesPeak(), report.injector().cpuSeconds(), bottleneck));
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

  private static Double pct(Histogram h, double percentile) {
    return Projections.percentileMs(h, percentile);
  }

  private static Double max(Histogram h) {
    return h.getTotalCount() == 0 ? null : Projections.ms(h.getMaxValue());
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
