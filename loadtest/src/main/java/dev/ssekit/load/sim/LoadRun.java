package dev.ssekit.load.sim;

import dev.ssekit.load.measure.DeliveryStats;
import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.MemorySampler;
import dev.ssekit.load.measure.Publisher;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.ReportSet;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.Summary;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One measured run: the timeline every virtual user follows, the shared {@link DeliveryStats},
 * the publisher and the memory sampler ({@link ServerWatch} reads the server). When the simulation
 * ends it makes its {@link RunRecord} ({@link RunRecordBuilder}) and hands its {@link RunOutcome}
 * to the CLI, which writes the reports; run by Gatling itself ({@code mvn gatling:test}), with no
 * CLI, it writes them.
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

  private final RunSettings settings;
  private final Limits limits;
  private final Failures failures = new Failures();
  private volatile ScenarioFigures figures = ScenarioFigures.NONE;
  private volatile DeliveryStats stats;
  private volatile Publisher publisher;
  private volatile MemorySampler sampler;
  private volatile long startMillis;
  private volatile StepSchedule schedule;
  private volatile long holdEndMillis;
  private volatile long drainEndMillis;
  private volatile ServerWatch server;
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

  /** The events the publisher has had accepted so far (0 before it starts), or null when the run does not publish. */
  private Long publishedSoFar() {
    if (!settings.publishes()) {
      return null;
    }
    Publisher p = publisher;
    return p == null ? 0L : p.published();
  }

  /** When the hold ends (epoch ms): a bound until the last connect finishes, then fixed. */
  long holdEndMillis() {
    schedule.tick(System.currentTimeMillis());
    return holdEndMillis;
  }

  /**
   * Takes the server's memory baseline, waits for the agreed start when several injectors run the
   * test ({@link InjectorRole#awaitStart}), fixes the timeline and starts publishing and sampling.
   */
  public void start() {
    RunOutcome.clear();
    cpuNanosAtStart = MemorySampler.processCpuNanos();
    server = ServerWatch.read(settings, limits);
    try {
      sampler = server.sampler(
          () -> stats == null ? 0 : stats.open(),
          () -> HistogramFile.encode(stats.takePeriodLatency()),
          Duration.ofMillis(SAMPLE_PERIOD_MS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the memory baseline", e);
    }
    try {
      settings.role().awaitStart(settings.reportDir(), System.err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the other injectors", e);
    }
    startMillis = System.currentTimeMillis();
    schedule = new StepSchedule(settings.steps(), settings.effectiveRamp(), settings.hold(), CONNECT_BOUND, startMillis, this::holdEndsAt);
    holdEndMillis = schedule.holdEndBound(startMillis);
    drainEndMillis = holdEndMillis + settings.grace().toMillis();
    stats = new DeliveryStats(settings.publishes() ? settings.runId() : null,
        settings.publishes() ? Set.copyOf(settings.role().peerRunIds()) : Set.of(), holdEndMillis * 1000);
    sampler.start(this::publishedSoFar);
    if (settings.publishes()) {
      publisher = new Publisher(settings.publishUrl(), settings.publishFormat(), settings.runId(), settings.rate(), limits.insecure());
      publisher.start(holdEndMillis);
    }
  }

  // ---- session functions, called by the virtual users ----

  /** A new virtual user: its place in the connect order, which fixes its step. */
  public Session arrive(Session session) {
    return session.set(INDEX, schedule.assign());
  }

  /** The stream this user opens: its instance's, in turn by connect order ({@link RunSettings#url(int)}). */
  public String streamUrl(Session session) {
    return settings.url(session.getInt(INDEX)).toString();
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

  /**
   * Stops publishing and sampling, settles the accounting and hands the outcome over ({@link
   * RunOutcome#take}). Run by Gatling itself ({@code mvn gatling:test}), with no CLI to take it, it
   * also writes the reports, prints the summary and fails on a failed run.
   */
  public RunOutcome finish() {
    RunOutcome outcome;
    try {
      if (publisher != null) {
        publisher.close();
      }
      sampler.close();
      RunRecord record = new RunRecordBuilder(settings, stats, schedule.windows(), sampler.samples(), publisher, server,
          figures, failures, startMillis, holdEndMillis, cpuNanosAtStart).build();
      if (!settings.fromCli()) {
        writeReports(record);
      }
      if (publisher != null && publisher.lastFailure() != null) {
        System.err.println("ssekit load: " + publisher.failed() + " publishes failed; last: " + publisher.lastFailure());
      }
      outcome = new RunOutcome(record, details(record), null);
      if (!settings.fromCli()) {
        System.out.print(outcome.summary(settings.reportDir().toString()));
      }
    } catch (RuntimeException e) {
      outcome = new RunOutcome(null, List.of(), e);
    }
    RunOutcome.handOver(outcome);
    if (outcome.error() != null) {
      throw new IllegalStateException("could not finish the report: " + outcome.error().getMessage(), outcome.error());
    }
    if (!settings.fromCli() && outcome.report().deliveryFailed()) {
      // Run by Gatling itself (mvn gatling:test): failing here is how the build hears of it.
      throw new IllegalStateException("ssekit: the run failed: " + String.join("; ", outcome.report().problems()));
    }
    return outcome;
  }

  /**
   * The reports of a run with no CLI ({@code mvn gatling:test}): Gatling's report goes to the
   * plugin's results folder, not beside these, and the page links it there.
   */
  private void writeReports(RunRecord record) {
    String gatlingResults = System.getProperty(GATLING_RESULTS, "");
    if (!gatlingResults.isBlank()) {
      ReportSet.write(record, settings.reportDir(), Path.of(gatlingResults), simulationName(settings.scenario()));
    } else {
      ReportSet.write(record, null, settings.reportDir());
    }
  }

  /** The summary's lines beyond the report: time to first event, then the scenario's own. */
  private List<String> details(RunRecord record) {
    List<String> details = new ArrayList<>(Summary.firstEventLines(record));
    details.addAll(figures.summaryLines());
    return details;
  }
}
