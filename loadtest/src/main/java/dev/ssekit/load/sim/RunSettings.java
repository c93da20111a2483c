package dev.ssekit.load.sim;

import dev.ssekit.load.measure.LoopbackTargets;
import dev.ssekit.load.measure.Publisher;
import dev.ssekit.load.measure.Sizes;
import dev.ssekit.protocol.Durations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One run's knobs. The CLI validates its options into these and hands them to the simulation as
 * system properties ({@code ssekit.load.*}), which is also how {@code mvn gatling:test -D…} sets
 * them; every knob has a loopback default.
 *
 * @param scenario {@code hold}, {@code fanout}, {@code capacity} or {@code reconnect-storm}
 * @param urls the SSE stream, or the same stream on several server instances (e.g. reference
 *     servers sharing one {@code --broker}): the virtual users are spread over them round robin
 *     ({@link #url(int)}); {@link #url()} is the first
 * @param publishUrl the publish-contract endpoint, or {@code null} (fanout then reads the server's
 *     own sequenced events, e.g. the reference server's ticks)
 * @param publishFormat how published events are put in the request: the publish contract's JSON
 *     or the raw data (nchan and other brokers)
 * @param metricsUrl Prometheus text with {@code process_resident_memory_bytes}, or {@code null}
 * @param serverPids the server's process id (its {@code /proc/PID/status} is read), or with
 *     several {@code urls} one per instance in their order (their memory and CPU time are summed,
 *     and the projection sizes one instance from them); empty when not read
 * @param connections virtual users, one stream each
 * @param ramp time over which the connections open
 * @param hold how long all connections stay open together after the ramp
 * @param rate events per second the load tester publishes (fanout with a publish URL)
 * @param steps the connection counts the run holds one after the other, increasing, the last
 *     being {@code connections}; {@code capacity} has several, the others one
 * @param targetConnections the connection count the projection sizes instances for
 * @param instanceMemoryBytes the memory one server instance may use, for the projection
 * @param sloP99 the delivery p99 a step must meet (with nothing lost) to pass, for the projection
 * @param serverMaxFiles the server's open-file limit, for the projection, or {@code null} to read
 *     it from {@code /proc/PID/limits} (with a server pid) or leave it unknown
 * @param instanceCores the cores one server instance may keep busy, for the projection's CPU
 *     limit, or {@code null} to read the server's allowed CPUs from {@code /proc/PID/status}
 * @param localAddresses source addresses (127.0.0.0/8) the connections are spread over, round
 *     robin; empty for the system's choice
 * @param reportDir where capacity.json, histograms.json and Gatling's report go
 * @param drain how often each virtual user drains Gatling's buffer of received messages
 * @param grace how long connections stay open after publishing stops, for the last deliveries
 * @param runId marks this run's published events
 * @param role this injector's place among several that run one test together ({@link
 *     InjectorRole#ALONE} when it runs alone): {@code connections}, {@code steps} and {@code rate}
 *     are then its share
 * @param fromCli whether the CLI writes the reports and prints the summary (else the simulation does)
 */
public record RunSettings(
    String scenario,
    List<URI> urls,
    URI publishUrl,
    Publisher.Format publishFormat,
    URI metricsUrl,
    List<Long> serverPids,
    int connections,
    Duration ramp,
    Duration hold,
    double rate,
    List<Integer> steps,
    long targetConnections,
    long instanceMemoryBytes,
    Duration sloP99,
    Long serverMaxFiles,
    Integer instanceCores,
    List<String> localAddresses,
    Path reportDir,
    Duration drain,
    Duration grace,
    String runId,
    InjectorRole role,
    boolean fromCli) {

  static final String PREFIX = "ssekit.load.";

  /** The most connections one run may ask for (one injector process holds about 19,000 here). */
  public static final int MAX_CONNECTIONS = 50_000;

  /** The longest run, bound included: 43,200 half-second timeline points (about 130 MB of histograms.json at most). */
  public static final Duration MAX_RUN = Duration.ofHours(6);

  /**
   * The most deliveries a run may have to account for: each connection keeps one bit per
   * sequence number, so this bounds that memory at 512 MiB (and the settling loop with it).
   */
  public static final long MAX_DELIVERIES = 1L << 32;

  /** The most steps a capacity run may have. */
  public static final int MAX_STEPS = 20;

  /** Projection defaults: a target of 100,000 connections on instances of 1 GiB. */
  public static final long DEFAULT_TARGET_CONNECTIONS = 100_000;

  public static final long DEFAULT_INSTANCE_MEMORY = 1L << 30;

  /** The default delivery p99 objective a step must meet to pass. */
  public static final Duration DEFAULT_SLO_P99 = Duration.ofMillis(250);

  /** Settings for one stream URL with the default objective and the server's file limit left to be read. */
  public RunSettings(String scenario, URI url, URI publishUrl, Publisher.Format publishFormat, URI metricsUrl, Long serverPid,
      int connections, Duration ramp, Duration hold, double rate, List<Integer> steps, long targetConnections,
      long instanceMemoryBytes, List<String> localAddresses, Path reportDir, Duration drain, Duration grace, String runId,
      boolean fromCli) {
    this(scenario, List.of(url), publishUrl, publishFormat, metricsUrl, serverPid == null ? List.of() : List.of(serverPid),
        connections, ramp, hold, rate, steps,
        targetConnections, instanceMemoryBytes, DEFAULT_SLO_P99, null, null, localAddresses, reportDir, drain, grace, runId,
        InjectorRole.ALONE, fromCli);
  }

  /**
   * The capacity scenario's default steps for {@code connections}: the 1-2-5 ladder below it
   * (at most four rungs, the largest ones) and then the count itself — 18,000 gives 1,000,
   * 2,000, 5,000, 10,000, 18,000.
   */
  public static List<Integer> defaultSteps(int connections) {
    List<Integer> ladder = new ArrayList<>();
    for (long decade = 1; decade < connections; decade *= 10) {
      for (int m : new int[] {1, 2, 5}) {
        if (decade * m < connections) {
          ladder.add((int) (decade * m));
        }
      }
    }
    List<Integer> steps = new ArrayList<>(ladder.subList(Math.max(0, ladder.size() - 4), ladder.size()));
    steps.add(connections);
    return steps;
  }

  /** Parses {@code 1000,2000,5000}. */
  public static List<Integer> parseSteps(String text) {
    List<Integer> steps = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      try {
        steps.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--steps takes connection counts separated by commas, like 1000,2000,5000; got '" + text + "'");
      }
    }
    return steps;
  }

  /**
   * Parses {@code --urls}: stream URLs separated by commas, each a loopback URL.
   *
   * @throws IllegalArgumentException naming {@code --urls} and what is wrong
   */
  public static List<URI> parseUrls(String text) {
    List<URI> urls = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      if (part.isBlank()) {
        throw new IllegalArgumentException("--urls takes stream URLs separated by commas, like"
            + " http://127.0.0.1:8081/events,http://127.0.0.1:8082/events; got '" + text + "'");
      }
      urls.add(LoopbackTargets.require("--urls", part.trim()));
    }
    return urls;
  }

  /** The scenarios this tester runs. */
  public static final List<String> SCENARIOS = List.of("hold", "fanout", "reconnect-storm", "capacity");

  public RunSettings {
    urls = List.copyOf(urls);
    serverPids = List.copyOf(serverPids);
    role = role == null ? InjectorRole.ALONE : role;
    RunSettingsChecks.targets(scenario, urls, publishUrl, metricsUrl, serverPids);
    RunSettingsChecks.load(scenario, connections, ramp, hold, rate, drain, grace);
    RunSettingsChecks.oneInstanceFigures(urls, connections, metricsUrl, serverPids, serverMaxFiles, instanceCores);
    steps = List.copyOf(steps);
    localAddresses = List.copyOf(localAddresses);
    RunSettingsChecks.sourceAddresses(localAddresses, urls);
    RunSettingsChecks.steps(scenario, steps, connections);
    // Each connection also tracks its peers' events (one tracker each): the whole test's rate.
    RunSettingsChecks.runBounds(connections, ramp, hold, rate * role.count(), steps.size(), drain, grace);
    RunSettingsChecks.projection(targetConnections, instanceMemoryBytes, sloP99, serverMaxFiles, instanceCores);
    if (!runId.matches("[a-z0-9-]{1,64}")) {
      throw new IllegalArgumentException("run id must be 1-64 of a-z 0-9 -");
    }
    if (role.shared() && !runId.equals(role.runId(runId))) {
      throw new IllegalArgumentException("injector " + role.index() + " of " + role.count() + " publishes as "
          + role.runId(runId) + ", not " + runId);
    }
  }

  /** The (first) server's process id, or null when none was given. */
  public Long serverPid() {
    return serverPids.isEmpty() ? null : serverPids.get(0);
  }

  /** The (first) stream URL: the one a report names as {@code target.url}. */
  public URI url() {
    return urls.get(0);
  }

  /**
   * The stream the virtual user with this connect-order index opens (and reopens, in a storm):
   * {@code urls[user % urls.size()]}, so the instances get the users in turn.
   */
  public URI url(int user) {
    return urls.get(user % urls.size());
  }

  /**
   * The ramp Gatling actually performs: its ramps count whole seconds ({@code RampOpenInjection}
   * uses {@code duration.toSeconds}, so a 500 ms ramp would inject nobody). Under a second means
   * all at once; fractions of a second are dropped.
   */
  public Duration effectiveRamp() {
    return Duration.ofSeconds(ramp.toSeconds());
  }

  /** Whether the load tester publishes (every scenario but hold, given a publish URL). */
  public boolean publishes() {
    return !scenario.equals("hold") && publishUrl != null;
  }

  /** Upper bound on the simulation's length: Gatling stops it there whatever happens. */
  public Duration bound() {
    return bound(ramp, hold, steps.size(), grace, drain);
  }

  static Duration bound(Duration ramp, Duration hold, int steps, Duration grace, Duration drain) {
    Duration body = Duration.ofSeconds(ramp.toSeconds()).plus(LoadRun.CONNECT_BOUND).plus(hold).multipliedBy(steps);
    return body.plus(grace).plus(drain).plus(Duration.ofSeconds(60));
  }

  /** A fresh run id. */
  public static String newRunId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** The default report directory, {@code reports/load-<time>}. */
  public static Path defaultReportDir() {
    return Path.of("reports", "load-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
  }

  /** These settings as system properties. */
  public Map<String, String> toProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(PREFIX + "scenario", scenario);
    // One of the two: a single stream as before (-Dssekit.load.url), several as a comma list.
    p.put(PREFIX + "url", urls.size() == 1 ? url().toString() : "");
    p.put(PREFIX + "urls", urls.size() == 1 ? "" : urls.stream().map(URI::toString).collect(Collectors.joining(",")));
    p.put(PREFIX + "publishUrl", publishUrl == null ? "" : publishUrl.toString());
    p.put(PREFIX + "publishFormat", publishFormat.name().toLowerCase(Locale.ROOT));
    p.put(PREFIX + "metricsUrl", metricsUrl == null ? "" : metricsUrl.toString());
    p.put(PREFIX + "serverPid", serverPids.stream().map(String::valueOf).collect(Collectors.joining(",")));
    p.put(PREFIX + "connections", Integer.toString(connections));
    p.put(PREFIX + "ramp", Durations.format(ramp));
    p.put(PREFIX + "hold", Durations.format(hold));
    p.put(PREFIX + "rate", Double.toString(rate));
    p.put(PREFIX + "steps", steps.stream().map(String::valueOf).collect(Collectors.joining(",")));
    p.put(PREFIX + "targetConnections", Long.toString(targetConnections));
    p.put(PREFIX + "instanceMemory", Sizes.format(instanceMemoryBytes));
    p.put(PREFIX + "sloP99", Durations.format(sloP99));
    p.put(PREFIX + "serverMaxFiles", serverMaxFiles == null ? "" : serverMaxFiles.toString());
    p.put(PREFIX + "instanceCores", instanceCores == null ? "" : instanceCores.toString());
    p.put(PREFIX + "localAddresses", String.join(",", localAddresses));
    p.put(PREFIX + "reportDir", reportDir.toString());
    p.put(PREFIX + "drain", Durations.format(drain));
    p.put(PREFIX + "grace", Durations.format(grace));
    p.put(PREFIX + "runId", runId);
    p.put(PREFIX + "injector", role.index() + "/" + role.count());
    p.put(PREFIX + "team", role.team() == null ? "" : role.team());
    p.put(PREFIX + "startAt", role.startAtMillis() == null ? "" : role.startAtMillis().toString());
    p.put(PREFIX + "startGate", role.startGate() == null ? "" : role.startGate().toString());
    p.put(PREFIX + "cli", Boolean.toString(fromCli));
    return p;
  }

  /**
   * Settings from system properties, with loopback defaults, for the given scenario.
   *
   * @throws IllegalArgumentException naming the property that is not a number, duration or size
   */
  public static RunSettings fromSystemProperties(String scenario) {
    try {
      return fromProperties(scenario);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a " + PREFIX + "* property is not a number: " + e.getMessage(), e);
    }
  }

  private static RunSettings fromProperties(String scenario) {
    String steps = prop("steps", "");
    // As on the command line: steps without a connection count end at their last step.
    int connections = !prop("connections", "").isEmpty() || steps.isEmpty() ? Integer.parseInt(prop("connections", "100"))
        : parseSteps(steps).get(parseSteps(steps).size() - 1);
    return new RunSettings(
        scenario,
        streamUrls(prop("url", ""), prop("urls", "")),
        uriOrNull(prop("publishUrl", "")),
        Publisher.Format.valueOf(prop("publishFormat", "json").toUpperCase(Locale.ROOT)),
        uriOrNull(prop("metricsUrl", "")),
        prop("serverPid", "").isEmpty() ? List.of()
            : java.util.Arrays.stream(prop("serverPid", "").split(",")).map(String::trim).map(Long::valueOf).toList(),
        connections,
        Durations.parse(prop("ramp", "5s")),
        Durations.parse(prop("hold", "30s")),
        Double.parseDouble(prop("rate", "10")),
        !steps.isEmpty() ? parseSteps(steps)
            : scenario.equals("capacity") ? defaultSteps(connections) : List.of(connections),
        Long.parseLong(prop("targetConnections", Long.toString(DEFAULT_TARGET_CONNECTIONS))),
        Sizes.parse(prop("instanceMemory", Sizes.format(DEFAULT_INSTANCE_MEMORY))),
        Durations.parse(prop("sloP99", Durations.format(DEFAULT_SLO_P99))),
        prop("serverMaxFiles", "").isEmpty() ? null : Long.valueOf(prop("serverMaxFiles", "")),
        prop("instanceCores", "").isEmpty() ? null : Integer.valueOf(prop("instanceCores", "")),
        prop("localAddresses", "").isEmpty() ? List.of() : LoopbackTargets.sourceAddresses(prop("localAddresses", "")),
        prop("reportDir", "").isEmpty() ? defaultReportDir() : Path.of(prop("reportDir", "")),
        Durations.parse(prop("drain", "500ms")),
        Durations.parse(prop("grace", "2s")),
        prop("runId", "").isEmpty() ? newRunId() : prop("runId", ""),
        InjectorRole.parse(prop("injector", "1/1"), prop("team", "").isEmpty() ? null : prop("team", ""),
            prop("startAt", "").isEmpty() ? null : Long.valueOf(prop("startAt", "")),
            prop("startGate", "").isEmpty() ? null : Path.of(prop("startGate", ""))),
        Boolean.parseBoolean(prop("cli", "false")));
  }

  /** {@code ssekit.load.url} or {@code ssekit.load.urls} (not both), else the loopback default. */
  private static List<URI> streamUrls(String url, String urls) {
    if (!url.isEmpty() && !urls.isEmpty()) {
      throw new IllegalArgumentException("give " + PREFIX + "url or " + PREFIX + "urls, not both");
    }
    return !urls.isEmpty() ? parseUrls(urls) : List.of(URI.create(url.isEmpty() ? "http://127.0.0.1:8080/events" : url));
  }

  private static String prop(String name, String fallback) {
    return System.getProperty(PREFIX + name, fallback).trim();
  }

  private static URI uriOrNull(String s) {
    return s.isEmpty() ? null : URI.create(s);
  }
}
