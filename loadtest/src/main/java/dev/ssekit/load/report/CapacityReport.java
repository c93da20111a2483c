package dev.ssekit.load.report;

import java.util.List;
import java.util.Locale;

/**
 * The content of {@code capacity.json}, field for field as docs/load.md documents it. A {@code null}
 * means "not measured in this run" and is written as JSON {@code null}.
 *
 * <p>Past the ~350 lines a class keeps here, on purpose: most of it is the schema's nested records, one per
 * object of capacity.json, kept together so the file reads as the schema does; the rules over them live in
 * {@link Problems} and {@link Projections}.
 */
public record CapacityReport(
    String scenario,
    Target target,
    long durationMs,
    Connections connections,
    ConnectMs connectMs,
    DeliveryLatencyMs deliveryLatencyMs,
    Events events,
    Server server,
    Injector injector,
    List<Step> steps,
    Projection projection,
    List<Failure> failures) {

  public CapacityReport {
    failures = failures == null ? List.of() : List.copyOf(failures);
  }

  /** A report with no failure recorded by kind. */
  public CapacityReport(String scenario, Target target, long durationMs, Connections connections, ConnectMs connectMs,
      DeliveryLatencyMs deliveryLatencyMs, Events events, Server server, Injector injector, List<Step> steps,
      Projection projection) {
    this(scenario, target, durationMs, connections, connectMs, deliveryLatencyMs, events, server, injector, steps,
        projection, List.of());
  }

  /** The same report with {@code f} as its failures. */
  public CapacityReport withFailures(List<Failure> f) {
    return new CapacityReport(scenario, target, durationMs, connections, connectMs, deliveryLatencyMs, events, server,
        injector, steps, projection, f);
  }

  /** The same report with {@code i} as its injector figures. */
  public CapacityReport withInjector(Injector i) {
    return new CapacityReport(scenario, target, durationMs, connections, connectMs, deliveryLatencyMs, events, server,
        i, steps, projection, failures);
  }

  /**
   * Why connections (or the server's memory reading) failed, one entry per kind, with a count and
   * the first message of that kind. A kind is one of {@link #KINDS}.
   *
   * @param kind what went wrong, a stable name (see {@link #KINDS})
   * @param count how many times
   * @param message the first occurrence's message, e.g. "no response head within 10s"
   */
  public record Failure(String kind, long count, String message) {
    /** A stream's response head did not arrive in time ({@code --head-timeout}). */
    public static final String HEAD_TIMEOUT = "head-timeout";
    /** A stream's response head was larger than {@code --max-head}. */
    public static final String HEAD_TOO_LARGE = "head-too-large";
    /** The TLS handshake failed: certificate not trusted, wrong host name, protocol error. */
    public static final String TLS = "tls";
    /** Any other connect failure: refused, a status other than 200, not text/event-stream. */
    public static final String CONNECT_ERROR = "connect-error";
    /** An open stream sent a line longer than {@code --max-line}; the stream was closed. */
    public static final String LINE_TOO_LONG = "line-too-long";
    /** An open stream sent an event (its lines up to the blank line) larger than 8 × {@code --max-line}; the stream was closed. */
    public static final String EVENT_TOO_LARGE = "event-too-large";
    /** A chunked stream's trailers (after its last chunk) were larger than {@code --max-head}; the stream was closed. */
    public static final String TRAILERS_TOO_LARGE = "trailers-too-large";
    /** The metrics endpoint's answer was larger than {@code --max-metrics}, or slower than its time bound. */
    public static final String METRICS = "metrics";

    /** Every kind, in report order: connect failures first. */
    public static final List<String> KINDS = List.of(HEAD_TIMEOUT, HEAD_TOO_LARGE, TLS, CONNECT_ERROR, LINE_TOO_LONG, EVENT_TOO_LARGE,
        TRAILERS_TOO_LARGE, METRICS);

    /** Whether this kind fails a connect (and so is already in {@code connections.failed}). */
    public boolean connectFailure() {
      return kind.equals(HEAD_TIMEOUT) || kind.equals(HEAD_TOO_LARGE) || kind.equals(TLS) || kind.equals(CONNECT_ERROR);
    }
  }

  /**
   * What the run was aimed at.
   *
   * @param url the stream; with several instances the first (what readers before {@code urls} read)
   * @param publishUrl where the load tester published, or null
   * @param metricsUrl where the server's memory was read, or null
   * @param urls every stream URL, in the order the connections were spread over them (round robin
   *     by virtual user); {@code [url]} for one instance and for reports written before
   */
  public record Target(String url, String publishUrl, String metricsUrl, List<String> urls) {
    public Target {
      urls = urls == null || urls.isEmpty() ? (url == null ? List.of() : List.of(url)) : List.copyOf(urls);
      if (!urls.isEmpty() && !urls.get(0).equals(url)) {
        throw new IllegalArgumentException("target.url must be the first of target.urls");
      }
    }

    /** A target of one instance. */
    public Target(String url, String publishUrl, String metricsUrl) {
      this(url, publishUrl, metricsUrl, null);
    }

    /** How many server instances the connections were spread over (1 when the report does not say). */
    public int instances() {
      return Math.max(1, urls.size());
    }

    /** The stream URL, or every one as {@code [A, B]} when there are several. */
    public String describe() {
      return urls.size() > 1 ? urls.toString() : url;
    }
  }

  public record Connections(
      long requested, long opened, long failed, long peakOpen, Long reconnects, Long recoveryMs) {}

  public record ConnectMs(Double p50, Double p95, Double p99, Double max) {}

  public record DeliveryLatencyMs(
      long count, Double p50, Double p95, Double p99, Double p999, Double max) {}

  /**
   * Sequence accounting over all connections.
   *
   * <p>{@code expectedDeliveries = delivered + lost + notYetRead}.
   *
   * @param lost expected deliveries the server lost: missing below a later number the connection
   *     received (a gap), or after the connection's last arrival when its stream went quiet after
   *     the hold (before the drain's 10 s ran out)
   * @param notYetRead expected deliveries past the last one a connection had read when the drain
   *     after the hold ran out while its stream was still receiving: the injector had not read them
   *     yet, so they are not counted as lost; alone, they make the run exit 2 (it measured the
   *     injector, not the server), not 1
   * @param publishing the rate asked, the rate held and how long the server took to accept each
   *     event, or null when this run did not publish (or the report was written before)
   */
  public record Events(
      Long published,
      long expectedDeliveries,
      long delivered,
      long lost,
      long duplicated,
      long outOfOrder,
      long notYetRead,
      Publishing publishing) {
    public Events(Long published, long expectedDeliveries, long delivered, long lost, long duplicated, long outOfOrder) {
      this(published, expectedDeliveries, delivered, lost, duplicated, outOfOrder, 0, null);
    }

    public Events(Long published, long expectedDeliveries, long delivered, long lost, long duplicated, long outOfOrder,
        long notYetRead) {
      this(published, expectedDeliveries, delivered, lost, duplicated, outOfOrder, notYetRead, null);
    }
  }

  /**
   * The load tester's publishing, one request at a time: a publish is sent when the previous one
   * was answered, so a server slower to answer than the rate's period holds the rate down, and the
   * run then measured a lighter load than it asked for.
   *
   * @param ratePerSecond the rate asked ({@code --rate}; with several injectors, their sum)
   * @param publishedPerSecond events accepted per second from the first publish to the hold's end
   * @param roundTripP50Ms a publish's round trip (request sent to answer read), median
   * @param roundTripP99Ms the same, 99th percentile
   */
  public record Publishing(double ratePerSecond, Double publishedPerSecond, Double roundTripP50Ms, Double roundTripP99Ms) {
    /** The share of the rate asked below which the publisher counts as having fallen behind. */
    public static final double HELD = 0.9;

    /** Whether the rate held was under {@link #HELD} of the rate asked. */
    public boolean behind() {
      return publishedPerSecond != null && publishedPerSecond < HELD * ratePerSecond;
    }
  }

  public record Server(Long rssBytesBaseline, Long rssBytesPeak, Long bytesPerConnection) {}

  /**
   * The load tester's own cost.
   *
   * @param bottleneck why the injector itself may have limited the figures (CPU, heap, readers
   *     behind the stream), or null when nothing says so
   * @param rssBytesPeak the injector's largest resident memory (merged: the injectors' summed), or null
   * @param bytesPerConnection the injector's resident memory per stream held, fitted over the
   *     steps like the server's, or null with fewer than three steps measured
   * @param streamsPerMachine the streams one injector machine like this one could drive at this
   *     run's rate: the fewer of what its memory holds at {@code bytesPerConnection} and what its
   *     cores carry at the largest step's CPU per stream; null when neither is known
   * @param streamsPerMachineBasis how {@code streamsPerMachine} was found, in words, or null
   */
  public record Injector(long heapBytesPeak, double cpuSeconds, String bottleneck, Long rssBytesPeak, Long bytesPerConnection,
      Long streamsPerMachine, String streamsPerMachineBasis) {
    public Injector(long heapBytesPeak, double cpuSeconds) {
      this(heapBytesPeak, cpuSeconds, null);
    }

    public Injector(long heapBytesPeak, double cpuSeconds, String bottleneck) {
      this(heapBytesPeak, cpuSeconds, bottleneck, null, null, null, null);
    }

    /** The same figures with {@code why} as the bottleneck. */
    public Injector withBottleneck(String why) {
      return new Injector(heapBytesPeak, cpuSeconds, why, rssBytesPeak, bytesPerConnection, streamsPerMachine,
          streamsPerMachineBasis);
    }
  }

  /** {@link Injector#streamsPerMachine} and how it was found. */
  public record InjectorMachine(long streams, String basis) {}

  /**
   * One step of the run: the connections held while it was measured and what they cost.
   *
   * @param connections streams open during the step's measuring window (median of the samples)
   * @param rssBytes the server's RSS over the window (median), or null when not measured
   * @param deliveryP99Ms delivery latency p99 of the events received in the window
   * @param target the connections the step asked for
   * @param deliveryP50Ms delivery latency p50 of the events received in the window
   * @param windowMs how long the step was measured (its window), or null in reports written before
   * @param delivered deliveries timed in the window (the count behind the percentiles), or null
   * @param serverCpuSeconds the server's CPU time (user + system) spent in the window, or null when
   *     not measured (it needs {@code --server-pid})
   * @param connectionsMin the fewest streams open at any sample in the window, or null in reports
   *     written before (a step that lost connections late in its window shows it here, not in the
   *     median)
   * @param serverCpuWindowMs the time between the two CPU readings {@code serverCpuSeconds} is the
   *     difference of, or null (then the window is taken)
   * @param injector what the injector spent and published in the window, or null in reports
   *     written before
   */
  public record Step(
      long connections, Long rssBytes, Double deliveryP99Ms, long target, Double deliveryP50Ms,
      Long windowMs, Long delivered, Double serverCpuSeconds, Long connectionsMin, Long serverCpuWindowMs,
      StepInjector injector) {

    /** A step without the injector's figures. */
    public Step(long connections, Long rssBytes, Double deliveryP99Ms, long target, Double deliveryP50Ms,
        Long windowMs, Long delivered, Double serverCpuSeconds, Long connectionsMin, Long serverCpuWindowMs) {
      this(connections, rssBytes, deliveryP99Ms, target, deliveryP50Ms, windowMs, delivered, serverCpuSeconds,
          connectionsMin, serverCpuWindowMs, null);
    }

    /** A step without its window, delivery count or CPU time. */
    public Step(long connections, Long rssBytes, Double deliveryP99Ms, long target, Double deliveryP50Ms) {
      this(connections, rssBytes, deliveryP99Ms, target, deliveryP50Ms, null, null, null);
    }

    /** A step without its fewest open streams or its CPU readings' span. */
    public Step(long connections, Long rssBytes, Double deliveryP99Ms, long target, Double deliveryP50Ms,
        Long windowMs, Long delivered, Double serverCpuSeconds) {
      this(connections, rssBytes, deliveryP99Ms, target, deliveryP50Ms, windowMs, delivered, serverCpuSeconds, null, null);
    }

    /** The streams the step held at its fewest (the median when the fewest was not recorded). */
    public long held() {
      return connectionsMin != null ? connectionsMin : connections;
    }

    /** Events published per second over the window (over the readings' span when known), or null. */
    public Double publishedPerSecond() {
      if (injector == null || injector.published() == null) {
        return null;
      }
      Long span = injector.spanMs() != null ? injector.spanMs() : windowMs;
      return span == null || span <= 0 ? null : injector.published() / (span / 1000.0);
    }

    /** The server's CPU µs per delivery timed in the window, or null. */
    public Double serverCpuMicrosPerDelivery() {
      return perDelivery(serverCpuSeconds);
    }

    /** The injector's CPU µs per delivery timed in the window, or null. */
    public Double injectorCpuMicrosPerDelivery() {
      return perDelivery(injector == null ? null : injector.cpuSeconds());
    }

    private Double perDelivery(Double cpuSeconds) {
      return cpuSeconds == null || delivered == null || delivered <= 0 ? null : cpuSeconds * 1e6 / delivered;
    }
  }

  /**
   * What the injector spent and did in one step's window (merged: the injectors' sums).
   *
   * @param cpuSeconds its CPU time (user + system) over the window, or null
   * @param rssBytes its resident memory over the window (median of the samples with the most
   *     streams open), or null
   * @param published the events its publisher had accepted in the window, or null when it does not publish
   * @param spanMs the time between the two readings {@code cpuSeconds} and {@code published} are the
   *     differences of (the busy cores and the rate held divide by it), or null (then the window)
   */
  public record StepInjector(Double cpuSeconds, Long rssBytes, Long published, Long spanMs) {
    public StepInjector(Double cpuSeconds, Long rssBytes, Long published) {
      this(cpuSeconds, rssBytes, published, null);
    }
  }

  /**
   * What a target connection count needs, from a straight line fitted to server RSS against
   * connections (the baseline with no connection, then every step).
   *
   * @param connectionsPerGiB connections one GiB of server memory holds at the fitted slope
   * @param bytesPerConnection the fitted slope
   * @param baseRssBytes the fitted intercept: the server's memory with no connection
   * @param fitR2 how well the line fits the points (1 is a perfect line), null with two points
   * @param targetConnections the connection count the projection is for
   * @param instanceMemoryBytes the memory one server instance may use
   * @param connectionsPerInstance what one instance of that memory holds at the fitted line
   * @param instancesForTarget instances needed for the target count
   * @param assumptions how the figures were derived, to be read next to them
   */
  public record Projection(
      Long connectionsPerGiB,
      Long bytesPerConnection,
      Long baseRssBytes,
      Double fitR2,
      Long targetConnections,
      Long instanceMemoryBytes,
      Long connectionsPerInstance,
      Long instancesForTarget,
      String assumptions,
      Plan plan) {

    /** A projection from memory alone, as reports before the capacity plan wrote it. */
    public Projection(Long connectionsPerGiB, Long bytesPerConnection, Long baseRssBytes, Double fitR2,
        Long targetConnections, Long instanceMemoryBytes, Long connectionsPerInstance, Long instancesForTarget,
        String assumptions) {
      this(connectionsPerGiB, bytesPerConnection, baseRssBytes, fitR2, targetConnections, instanceMemoryBytes,
          connectionsPerInstance, instancesForTarget, assumptions, null);
    }

    /** No projection: server memory was not measured. */
    public static Projection none(String why) {
      return new Projection(null, null, null, null, null, null, null, null, why);
    }

    /** Whether the report has a number to act on: a plan that projected instances. */
    public boolean projected() {
      return plan != null && Plan.PROJECTED.equals(plan.status());
    }
  }

  /**
   * What one instance can hold by each limit, which limit binds, and the steps that met the
   * objective. Written flat into {@code capacity.json}'s {@code projection} (see docs/load.md).
   *
   * @param status {@link #PROJECTED}, {@link #NOT_ENOUGH_DATA} or {@link #NO_PASSING_STEP}
   * @param headline the one line to act on, e.g. "binding limit: file descriptors — 20,000 per
   *     process → 6 instances for 100,000 connections", or why there is no number
   * @param sloP99Ms the delivery p99 objective a step must meet (with nothing lost) to pass
   * @param largestPassingStep connections held by the largest step that passed, all smaller steps
   *     passing too; null when none did
   * @param bindingLimit the limit with the fewest connections per instance ({@link
   *     CapacityPlan#MEMORY}, {@link CapacityPlan#FILES}, {@link CapacityPlan#CPU} or {@link
   *     CapacityPlan#LATENCY}), or null when nothing is projected
   * @param latencyKneeConnections where the p99 objective breaks, interpolated between the last
   *     passing step and the first that missed it on latency; null when none missed it
   * @param serverMaxFiles the server's limit on open files ({@code /proc/PID/limits} or {@code
   *     --server-max-files}), or null
   * @param serverFilesAtStart files the server held before the run ({@code /proc/PID/fd}), or null
   * @param cpuSecondsPerEvent server CPU seconds per delivered event (the fitted slope), or null
   * @param cores the cores one instance may use up, or null when CPU was not measured
   * @param limits every limit, in the order memory, file descriptors, CPU, latency, connections held
   * @param eventsPerConnectionPerSecond the events each connection was sent per second (the run's
   *     publish rate), which the CPU limit is sized on; null when not known
   * @param coresShared whether the injector ran on the same machine and shared the server's cores
   */
  public record Plan(
      String status,
      String headline,
      Double sloP99Ms,
      Long largestPassingStep,
      String bindingLimit,
      Long latencyKneeConnections,
      Long serverMaxFiles,
      Long serverFilesAtStart,
      Double cpuSecondsPerEvent,
      Integer cores,
      List<Limit> limits,
      Double eventsPerConnectionPerSecond,
      Boolean coresShared) {
    public static final String PROJECTED = "projected";
    public static final String NOT_ENOUGH_DATA = "not-enough-data";
    public static final String NO_PASSING_STEP = "no-passing-step";

    public Plan {
      limits = limits == null ? List.of() : List.copyOf(limits);
    }

    /** A plan without its event rate or whether the injector shared the cores. */
    public Plan(String status, String headline, Double sloP99Ms, Long largestPassingStep, String bindingLimit,
        Long latencyKneeConnections, Long serverMaxFiles, Long serverFilesAtStart, Double cpuSecondsPerEvent,
        Integer cores, List<Limit> limits) {
      this(status, headline, sloP99Ms, largestPassingStep, bindingLimit, latencyKneeConnections, serverMaxFiles,
          serverFilesAtStart, cpuSecondsPerEvent, cores, limits, null, null);
    }

    /** The limit of that name, or null. */
    public Limit limit(String name) {
      return limits.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }
  }

  /**
   * One limit on the connections an instance holds.
   *
   * @param name {@link CapacityPlan#MEMORY}, {@link CapacityPlan#FILES}, {@link CapacityPlan#CPU},
   *     {@link CapacityPlan#LATENCY} or {@link CapacityPlan#HELD}
   * @param connectionsPerInstance the most connections one instance holds by this limit, or null
   *     when the state is not {@link #LIMIT}
   * @param state {@link #LIMIT} (a number), {@link #NOT_REACHED} (latency held up to the largest
   *     step: no number beyond it), {@link #NOT_MEASURED} or {@link #NOT_ENOUGH_DATA}
   * @param basis how the number was found, or why there is none, in words
   * @param reason the same in a few words, for the console's one line per limit; null in reports
   *     written before (then the basis stands in)
   */
  public record Limit(String name, Long connectionsPerInstance, String state, String basis, String reason) {
    public static final String LIMIT = "limit";
    public static final String NOT_REACHED = "not-reached";
    public static final String NOT_MEASURED = "not-measured";
    public static final String NOT_ENOUGH_DATA = "not-enough-data";

    /** A limit without a short reason. */
    public Limit(String name, Long connectionsPerInstance, String state, String basis) {
      this(name, connectionsPerInstance, state, basis, null);
    }
  }

  /**
   * What makes the run fail, each as a short phrase: no connection opened; events lost, delivered
   * twice or out of order on a connection (SSE runs over one ordered stream, so any of these is a
   * server fault); deliveries this injector had not read when its drain ran out while its streams
   * were still receiving (the run did not measure the server: alone, exit 2, see {@link
   * #onlyInjectorBehind}); connections that failed to open (with why, by kind), reconnects of open
   * streams that failed, connections that never finished opening, or that failed while open (a
   * bound passed); a metrics endpoint past its bounds; and (reconnect-storm) connections that did
   * not reconnect. Anything but the unread deliveries alone is exit 1. Empty when the run is clean.
   */
  public List<String> problems() {
    return Problems.of(this);
  }

  /**
   * Whether the only problem is deliveries this injector had not yet read when the drain ran out:
   * the run measured the injector, not the server (exit 2, not 1).
   */
  public boolean onlyInjectorBehind() {
    return events.notYetRead() > 0 && problems().size() == 1;
  }

  /**
   * Why this run measured a lighter load than it asked for, or null: its publisher, sending one
   * event at a time, held under {@link Publishing#HELD} of the rate asked over the run or in a
   * step's window, because the server answered each publish slower than the rate's period.
   */
  public String publisherBehind() {
    Publishing p = events.publishing();
    if (p == null) {
      return null;
    }
    Step worst = null;
    for (Step s : steps) {
      Double held = s.publishedPerSecond();
      if (held != null && held < Publishing.HELD * p.ratePerSecond()
          && (worst == null || held < worst.publishedPerSecond())) {
        worst = s;
      }
    }
    if (!p.behind() && worst == null) {
      return null;
    }
    String trips = p.roundTripP50Ms() == null ? ""
        : String.format(Locale.ROOT, "; the server took p50 %.0f ms (p99 %.0f ms) to answer a publish, against the rate's"
            + " period of %.0f ms", p.roundTripP50Ms(), p.roundTripP99Ms(), 1000 / p.ratePerSecond());
    return String.format(Locale.ROOT, "the publisher held %s of the %s events/s asked%s%s: it sends one event at a time,"
        + " each when the last was answered%s. The latency and CPU figures are for the load held, not the load asked;"
        + " compare servers at a rate each holds",
        p.publishedPerSecond() == null ? "less" : String.format(Locale.ROOT, "%.2f", p.publishedPerSecond()),
        CapacityPlan.num(p.ratePerSecond()), " over the run",
        worst == null ? "" : String.format(Locale.ROOT, " and %.2f in the %,d-connection step", worst.publishedPerSecond(), worst.target()),
        trips);
  }

  /** Whether the run failed: see {@link #problems()}. */
  public boolean deliveryFailed() {
    return !problems().isEmpty();
  }
}
