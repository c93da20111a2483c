package dev.ssekit.load.sim;

import dev.ssekit.load.measure.DeliveryStats;
import dev.ssekit.load.measure.MemorySampler;
import dev.ssekit.load.measure.Publisher;
import dev.ssekit.load.measure.RssSource;
import dev.ssekit.load.report.CapacityJson;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.Summary;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.Session;
import java.lang.management.ManagementFactory;
import java.time.Duration;
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
 * <p>Timeline (epoch ms): connections open over {@code ramp}; once the last connect attempt has
 * finished (Gatling's first connects can take a while: the injector warms up), all are held for
 * {@code hold}, until {@code holdEnd}, when publishing stops; they stay open and keep draining for
 * {@code grace} so the last events arrive; then each closes. If the connects never all finish,
 * the hold starts {@link #CONNECT_BOUND} after the ramp anyway.
 *
 * <p>Lifecycle: the simulation calls {@link #start} from {@code before()} and {@link #finish}
 * from {@code after()}; the virtual users call the session functions in between, from Gatling's
 * threads (everything they touch is thread-safe).
 */
public final class LoadRun {
  static final String CONNECTION = "ssekit.connection";
  static final int SAMPLE_PERIOD_MS = 500;
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
  private volatile ScenarioFigures figures = ScenarioFigures.NONE;
  private volatile DeliveryStats stats;
  private volatile Publisher publisher;
  private volatile MemorySampler sampler;
  private volatile long startMillis;
  private volatile long holdEndMillis;
  private volatile long drainEndMillis;
  private volatile Long rssBaseline;
  private long cpuNanosAtStart;

  public LoadRun(RunSettings settings) {
    this.settings = settings;
  }

  public RunSettings settings() {
    return settings;
  }

  /** What the scenario adds to the reports (set before the run starts). */
  void setFigures(ScenarioFigures f) {
    this.figures = f;
  }

  /** When the hold ends (epoch ms): a bound until the last connect finishes, then fixed. */
  long holdEndMillis() {
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
            ? RssSource.prometheus(settings.metricsUrl())
            : settings.serverPid() != null ? RssSource.procStatus(settings.serverPid()) : null;
    try {
      MemorySampler s = new MemorySampler(rss, () -> stats == null ? 0 : stats.open(), Duration.ofMillis(SAMPLE_PERIOD_MS));
      OptionalLong baseline = s.baseline();
      rssBaseline = baseline.isPresent() ? baseline.getAsLong() : null;
      if (rss != null && rssBaseline == null) {
        System.err.println("ssekit load: warning: could not read the server's memory (" + rss.describe() + ")");
      }
      sampler = s;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the memory baseline", e);
    }
    startMillis = System.currentTimeMillis();
    holdEndMillis = startMillis + settings.effectiveRamp().plus(CONNECT_BOUND).plus(settings.hold()).toMillis();
    drainEndMillis = holdEndMillis + settings.grace().toMillis();
    stats = new DeliveryStats(settings.publishes() ? settings.runId() : null, holdEndMillis * 1000);
    sampler.start();
    if (settings.publishes()) {
      publisher = new Publisher(settings.publishUrl(), settings.runId(), settings.rate());
      publisher.start(holdEndMillis);
    }
  }

  // ---- session functions, called by the virtual users ----

  /** Before the connect: note the start time. */
  public Session beginConnect(Session session) {
    return session.set(CONNECTION, stats.connecting());
  }

  /** After the connect, whether it worked or not. */
  public Session endConnect(Session session) {
    DeliveryStats.Connection c = session.get(CONNECTION);
    Publisher p = publisher;
    stats.connected(c, !session.isFailed(), p == null ? -1 : p.lastSent());
    if (stats.attempts() == settings.connections()) {
      allConnected();
    }
    return session;
  }

  /** The last connect attempt finished: the hold starts now (called once, by that user). */
  private synchronized void allConnected() {
    long holdEnd = Math.min(holdEndMillis, System.currentTimeMillis() + settings.hold().toMillis());
    holdEndMillis = holdEnd;
    drainEndMillis = holdEnd + settings.grace().toMillis();
    stats.accountUntil(holdEnd * 1000);
    if (publisher != null) {
      publisher.stopAt(holdEnd);
    }
  }

  /** Whether this virtual user keeps its stream open (and keeps draining). */
  public boolean holding(Session session) {
    return System.currentTimeMillis() < drainEndMillis;
  }

  /** Drains Gatling's buffer of received messages into the accounting. */
  public Session drain(List<SseInboundMessage> messages, Session session) {
    DeliveryStats.Connection c = session.get(CONNECTION);
    for (SseInboundMessage m : messages) {
      stats.onMessage(c, m.timestamp(), m.message());
    }
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
      CapacityReport report = buildReport();
      CapacityJson.write(report, settings.reportDir());
      Map<String, Histogram> hs = new LinkedHashMap<>();
      hs.put("deliveryLatency", stats.latencyMicros());
      hs.put("connect", stats.connectMicros());
      hs.put("firstEvent", stats.firstEventMicros());
      hs.putAll(figures.histograms());
      Map<String, Long> diagnostics = new LinkedHashMap<>(stats.diagnostics());
      diagnostics.putAll(figures.diagnostics());
      if (publisher != null) {
        diagnostics.put("publishFailures", publisher.failed());
      }
      HistogramFile.write(settings.reportDir(), hs, diagnostics, report);
      if (publisher != null && publisher.lastFailure() != null) {
        System.err.println("ssekit load: " + publisher.failed() + " publishes failed; last: " + publisher.lastFailure());
      }
      outcome = new Outcome(report, figures.summaryLines(), null);
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
    return outcome;
  }

  private CapacityReport buildReport() {
    if (publisher != null) {
      publisher.close();
    }
    sampler.close();
    long durationMs = System.currentTimeMillis() - startMillis;

    long end;
    LongPredicate notPublished;
    Long published;
    if (publisher != null) {
      end = publisher.lastSent();
      notPublished = publisher.notPublished();
      published = publisher.published();
    } else {
      end = stats.lastServerSeqBeforeEnd();
      notPublished = s -> false;
      long lowest = stats.lowestServerSeq();
      published = end >= 0 && lowest >= 0 ? end - lowest + 1 : null;
    }
    DeliveryStats.Totals totals = stats.settle(end, notPublished);

    List<MemorySampler.Sample> samples = sampler.samples();
    int peakOpen = stats.peakOpen();
    long heapPeak = 0;
    long rssPeak = rssBaseline == null ? -1 : rssBaseline;
    List<Long> plateau = new ArrayList<>();
    for (MemorySampler.Sample s : samples) {
      heapPeak = Math.max(heapPeak, s.injectorHeapBytes());
      if (s.serverRssBytes() >= 0) {
        rssPeak = Math.max(rssPeak, s.serverRssBytes());
        if (peakOpen > 0 && s.openStreams() == peakOpen) {
          plateau.add(s.serverRssBytes());
        }
      }
    }
    Long rssHeld = null;
    if (!plateau.isEmpty()) {
      plateau.sort(null);
      rssHeld = plateau.get(plateau.size() / 2);
    } else if (rssPeak >= 0) {
      rssHeld = rssPeak;
    }
    Long bytesPerConnection =
        rssBaseline != null && rssHeld != null && peakOpen > 0 ? (rssHeld - rssBaseline) / peakOpen : null;

    Histogram lat = stats.latencyMicros();
    Histogram con = stats.connectMicros();
    Double p99 = pct(lat, 99.0);
    return new CapacityReport(
        settings.scenario(),
        new CapacityReport.Target(
            settings.url().toString(),
            settings.publishUrl() == null ? null : settings.publishUrl().toString(),
            settings.metricsUrl() == null ? null : settings.metricsUrl().toString()),
        durationMs,
        figures.connections(new CapacityReport.Connections(settings.connections(), stats.opened(), stats.failed(), peakOpen, null, null)),
        new CapacityReport.ConnectMs(pct(con, 50), pct(con, 95), pct(con, 99), max(con)),
        new CapacityReport.DeliveryLatencyMs(lat.getTotalCount(), pct(lat, 50), pct(lat, 95), p99, pct(lat, 99.9), max(lat)),
        new CapacityReport.Events(published, totals.expected(), totals.delivered(), totals.lost(), totals.duplicated(), totals.outOfOrder()),
        new CapacityReport.Server(rssBaseline, rssPeak >= 0 ? rssPeak : null, bytesPerConnection),
        new CapacityReport.Injector(heapPeak, Math.round((processCpuNanos() - cpuNanosAtStart) / 1e6) / 1e3),
        List.of(new CapacityReport.Step(peakOpen, rssHeld, p99)),
        new CapacityReport.Projection(
            bytesPerConnection != null && bytesPerConnection > 0 ? (1L << 30) / bytesPerConnection : null,
            "server RSS growth from the baseline to the median sample with every stream open, divided by the"
                + " streams; assumes memory grows linearly with connections at this run's event rate"
                + " (one step: no fit yet)"));
  }

  private static Double pct(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? null : ms(h.getValueAtPercentile(percentile));
  }

  private static Double max(Histogram h) {
    return h.getTotalCount() == 0 ? null : ms(h.getMaxValue());
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
