package dev.ssekit.load.cli;

import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.LoopbackTargets;
import dev.ssekit.load.measure.Publisher;
import dev.ssekit.load.measure.Sizes;
import dev.ssekit.load.report.BaselineComparison;
import dev.ssekit.load.sim.InjectorRole;
import dev.ssekit.load.sim.RunSettings;
import dev.ssekit.protocol.Durations;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar sse-loadtest.jar --url URL [options]} (or {@code --urls URL,URL}: several instances):
 * runs one Gatling simulation in this JVM
 * and turns it into {@code capacity.json} and {@code capacity.html}; {@code merge DIR…} ({@link
 * MergeCommand}) makes one report of several injectors' runs.
 *
 * <p>Exit status: 0 a clean run (and no regression against {@code --baseline}); 1 an event was
 * lost, duplicated or out of order, or not read because the injector fell behind; no connection
 * opened, a connection failed to open (or to reconnect) or passed a bound ({@link Limits}); the
 * metrics endpoint passed its bounds; or a figure regressed past its tolerance; 2 bad usage, a baseline that cannot be read or compared, or an
 * internal error (a one-line reason on standard error).
 */
@Command(
    name = "sse-loadtest",
    mixinStandardHelpOptions = true,
    versionProvider = LoadMain.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Holds SSE connections with Gatling and reports capacity: connect time, delivery latency,",
      "lost and duplicated events, server memory per connection. Loopback targets only.",
      "Also: sse-loadtest merge DIR... [--report-dir DIR] [--baseline FILE] (see merge --help).",
      "Exit status: 0 clean run; 1 events lost, duplicated, out of order or not read (injector behind),",
      "connections failed or passed a bound (head, line, TLS), metrics past their bound, or a figure",
      "regressed past its tolerance; 2 bad usage, an unusable baseline or an error."
    })
public final class LoadMain implements Callable<Integer> {
  static final int OK = 0;
  /** Events lost or duplicated, or a figure regressed against the baseline. */
  static final int FAILED = 1;
  static final int USAGE = 2;
  /** The run measured the injector, not the server: deliveries not yet read, nothing lost (see RunReports). */
  static final int INJECTOR_BEHIND = 2;

  /** The flags Gatling needs on Java 17+ (also in the jar's manifest, for {@code java -jar}). */
  public static final List<String> JVM_FLAGS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");

  // Not required: ./ssekit load without --url starts the embedded reference server and passes its URLs.
  @Option(names = "--url", paramLabel = "URL", description = "the SSE stream (loopback); ./ssekit load without --url"
      + " starts the embedded reference server and passes its URLs and pid")
  URI url;

  @Option(names = "--urls", paramLabel = "URL,URL[,…]", description = "instead of --url: the same stream on several"
      + " server instances (e.g. reference servers sharing one --broker), each loopback; the connections go to them in"
      + " turn (user i to URL i mod n); not with --metrics-url; --server-pid gives one pid per instance")
  String urls;

  @Option(names = "--publish-url", paramLabel = "URL", description = "publish-contract endpoint: the load tester publishes numbered events (fanout, reconnect-storm)")
  URI publishUrl;

  @Option(names = "--publish-format", defaultValue = "json", paramLabel = "F", description = "json (the publish contract) or raw (the body is the event's data, as nchan takes it) (default: ${DEFAULT-VALUE})")
  String publishFormat;

  @Option(names = "--metrics-url", paramLabel = "URL", description = "Prometheus text with process_resident_memory_bytes (server memory)")
  URI metricsUrl;

  @Option(names = "--server-pid", split = ",", paramLabel = "PID[,PID…]", description = "read the server's memory from"
      + " /proc/PID/status instead; with --urls, one per instance in the same order (the projection then sizes one"
      + " instance from them)")
  List<Long> serverPids = new ArrayList<>();

  @Option(names = "--scenario", defaultValue = "fanout", paramLabel = "NAME", description = "hold | fanout | reconnect-storm | capacity (default: ${DEFAULT-VALUE})")
  String scenario;

  @Option(names = "--connections", defaultValue = "100", paramLabel = "N", description = "streams to open (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--ramp", defaultValue = "5s", paramLabel = "D", converter = DurationConverter.class, description = "open them over D, in whole seconds: under 1s opens all at once (default: ${DEFAULT-VALUE})")
  Duration ramp;

  @Option(names = "--hold", defaultValue = "30s", paramLabel = "D", converter = DurationConverter.class, description = "then hold them all for D (default: ${DEFAULT-VALUE})")
  Duration hold;

  @Option(names = "--rate", defaultValue = "10", paramLabel = "EVENTS_PER_S", description = "events per second to publish (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--steps", paramLabel = "N,N,…", description = "capacity: the connection counts to hold in turn, each for --hold (default: the 1-2-5 ladder below --connections, then --connections)")
  String steps;

  @Option(names = "--target-connections", defaultValue = "100000", paramLabel = "N", description = "the projection sizes instances for this many connections (default: ${DEFAULT-VALUE})")
  long targetConnections;

  @Option(names = "--instance-memory", defaultValue = "1g", paramLabel = "SIZE", description = "memory of one server instance, for the projection (default: ${DEFAULT-VALUE})")
  String instanceMemory;

  @Option(names = "--slo-p99", defaultValue = "250ms", paramLabel = "D", converter = DurationConverter.class, description = "a step passes when its delivery p99 is at most D and nothing was lost; the projection sizes on passing steps (default: ${DEFAULT-VALUE})")
  Duration sloP99;

  @Option(names = "--server-max-files", paramLabel = "N", description = "the server's open-file limit, for the projection (default: read from /proc/PID/limits with --server-pid)")
  Long serverMaxFiles;

  @Option(names = "--instance-cores", paramLabel = "N", description = "cores one server instance may keep busy, for the projection's CPU limit (default: the server's allowed CPUs, read from /proc/PID/status with --server-pid)")
  Integer instanceCores;

  @Option(names = "--local-addresses", paramLabel = "LIST", description = "spread the connections over these source addresses, e.g. 127.0.0.2-127.0.0.9 (each has about 28,000 ephemeral ports)")
  String localAddresses;

  @Option(names = "--injectors", defaultValue = "1", paramLabel = "N", description = "run the test from N injector JVMs on"
      + " this machine, each with its share of the connections, steps and --rate and its own source addresses,"
      + " started together; one merged report (default: ${DEFAULT-VALUE})")
  int injectors;

  @Option(names = "--injector", paramLabel = "K/N", description = "this process is injector K of N of one test run from"
      + " several machines (same options and --run-id on each, --start-at): it takes its share; then merge the reports")
  String injector;

  @Option(names = "--run-id", paramLabel = "ID", description = "with --injector: the name every injector of the test"
      + " shares (1-48 of a-z 0-9 -); it marks their events")
  String runId;

  @Option(names = "--start-at", paramLabel = "TIME", description = "start the run at this instant, e.g."
      + " 2026-12-07T18:30:00Z (injectors on several machines start together; their clocks must agree)")
  String startAt;

  /** Set by {@link LocalInjectors} for the JVMs it starts: the file that names their common start. */
  @Option(names = "--start-gate", hidden = true, paramLabel = "FILE")
  Path startGate;

  @Option(names = "--head-timeout", defaultValue = "10s", paramLabel = "D", converter = DurationConverter.class, description = "a stream's response head must arrive within D of the request, else that connection fails (default: ${DEFAULT-VALUE})")
  Duration headTimeout;

  @Option(names = "--max-head", defaultValue = "64k", paramLabel = "SIZE", description = "a larger response head fails that connection, larger trailers close that stream as failed (default: ${DEFAULT-VALUE})")
  String maxHead;

  @Option(names = "--max-line", defaultValue = "1m", paramLabel = "SIZE", description = "a longer line (bytes between line breaks), or an event over 8 times this, closes that stream as failed (default: ${DEFAULT-VALUE})")
  String maxLine;

  @Option(names = "--max-metrics", defaultValue = "16m", paramLabel = "SIZE", description = "a larger --metrics-url answer (or one slower than 5s) fails the memory reading (default: ${DEFAULT-VALUE})")
  String maxMetrics;

  @Option(names = "--insecure", description = "https: accept any certificate and host name (default: the JDK's trust store, e.g."
      + " -Djavax.net.ssl.trustStore=FILE, and the certificate must name the host)")
  boolean insecure;

  @Option(names = "--report-dir", paramLabel = "DIR", description = "where reports go (default: reports/load-<time>)")
  Path reportDir;

  @Option(names = "--baseline", paramLabel = "FILE", description = "compare with an earlier run's capacity.json; exit 1 on a regression")
  Path baseline;

  @Option(names = "--tolerance", paramLabel = "NAME=P%[+Nms]", description = "with --baseline: replace a default tolerance"
      + " (delivery-p99=25%%+5ms, connect-p99=25%%+5ms, bytes-per-connection=15%%); repeatable")
  List<String> tolerances = new ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final PrintWriter out;
  private final PrintWriter err;
  /** The arguments as given, which {@link LocalInjectors} hands on to the JVMs it starts. */
  private final String[] args;

  LoadMain(PrintWriter out, PrintWriter err, String[] args) {
    this.out = out;
    this.err = err;
    this.args = args.clone();
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Parses, runs and returns the exit status. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length > 0 && args[0].equals("merge")) {
      return MergeCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    return execute(new LoadMain(out, err, args), args, out, err);
  }

  /** Runs a picocli command with our usage and error handling (bad input: one line, exit 2). */
  static int execute(Object command, String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("sse-loadtest: " + ex.getMessage());
          err.println("run with --help for the options");
          return USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, p) -> {
          err.println("sse-loadtest: internal error: " + ex);
          ex.printStackTrace(err);
          return USAGE;
        });
    return cl.execute(args);
  }

  /** A usage error found before the run: printed as {@code sse-loadtest: MESSAGE}, exit {@link #USAGE}. */
  private static final class Usage extends RuntimeException {
    Usage(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public Integer call() {
    if (url == null && urls == null) {
      err.println("sse-loadtest: name the stream with --url URL, or several instances' with --urls URL,URL"
          + " (./ssekit load without --url runs against the embedded reference server)");
      err.println("run with --help for the options");
      return USAGE;
    }
    if (url != null && urls != null) {
      err.println("sse-loadtest: give --url URL (one instance) or --urls URL,URL (several), not both");
      return USAGE;
    }
    Path dir;
    RunReports.Baseline base;
    try {
      base = RunReports.Baseline.fromOptions(baseline, tolerances);
      Limits limits = limits();
      if (injectors != 1) {
        return localInjectors(base);
      }
      RunSettings settings = settings(role(), sourceAddresses());
      refuseBeforeTheRun(base, settings, true);
      dir = reportDir(settings);
      settings.toProperties().forEach(System::setProperty);
      limits.toProperties().forEach(System::setProperty);
    } catch (Usage | IllegalArgumentException e) {
      err.println("sse-loadtest: " + e.getMessage());
      return USAGE;
    }
    System.setProperty("ssekit.load.reportDir", dir.toString());
    if (insecure) { // gatling.conf checks certificates and host names; these override it for this run
      System.setProperty("gatling.ssl.useInsecureTrustManager", "true");
      System.setProperty("gatling.http.enableHostnameVerification", "false");
    }
    return GatlingRun.runAndReport(scenario, dir, base, out, err);
  }

  /**
   * {@code --injectors N}: checks every injector's share before any starts, then has {@link
   * LocalInjectors} run them and merge their reports.
   */
  private int localInjectors(RunReports.Baseline base) {
    if (injectors < 2 || injectors > InjectorRole.MAX_INJECTORS) {
      throw new Usage("--injectors must be between 1 and " + InjectorRole.MAX_INJECTORS + ", not " + injectors);
    }
    if (injector != null || startGate != null) {
      throw new Usage("--injectors N starts its own injectors; --injector K/N is for one of several started by hand");
    }
    String team = runId != null ? runId : RunSettings.newRunId();
    Long at = startAt == null ? null : InjectorRole.parseStartAt(startAt);
    RunSettings first = settings(new InjectorRole(1, injectors, team, at, null), sourceAddresses());
    refuseBeforeTheRun(base, first, false); // the injectors' JVMs get Gatling's flags from LocalInjectors
    List<List<String>> addresses = LocalInjectors.sourceAddresses(first.localAddresses(), first.urls(), injectors);
    for (int k = 1; k <= injectors; k++) { // every share must be a valid run before any JVM starts
      settings(new InjectorRole(k, injectors, team, at, null), addresses.get(k - 1));
    }
    Path dir = reportDir(first);
    return new LocalInjectors(injectors, team, at, addresses, out, err).run(args, first.bound(), dir, base);
  }

  /** This process's place: one of several injectors ({@code --injector K/N}), or alone. */
  private InjectorRole role() {
    Long at = startAt == null ? null : InjectorRole.parseStartAt(startAt);
    if (injector == null) {
      if (runId != null) {
        throw new Usage("--run-id names the injectors of one test: give it with --injector K/N (or --injectors N)");
      }
      return at == null && startGate == null ? InjectorRole.ALONE : new InjectorRole(1, 1, null, at, startGate);
    }
    return InjectorRole.parse(injector, runId, at, startGate);
  }

  private List<String> sourceAddresses() {
    return localAddresses == null ? List.of() : LoopbackTargets.sourceAddresses(localAddresses);
  }

  private Limits limits() {
    return new Limits(Sizes.parse(maxHead), headTimeout, Sizes.parse(maxLine), Sizes.parse(maxMetrics), insecure);
  }

  /**
   * The run's settings from the options; the last step is the connection count unless --connections
   * says. One of several injectors takes its {@code role}'s share of the connections, the steps and
   * the rate.
   */
  private RunSettings settings(InjectorRole role, List<String> sourceAddresses) {
    List<Integer> stepList;
    if (steps != null) {
      stepList = RunSettings.parseSteps(steps);
      if (!connectionsGiven()) connections = stepList.get(stepList.size() - 1);
    } else {
      stepList = scenario.equals("capacity") ? RunSettings.defaultSteps(connections) : List.of(connections);
    }
    int total = connections;
    if (role.shared() && total < role.count()) {
      throw new Usage(role.count() + " injectors need at least " + role.count() + " connections, one each");
    }
    return new RunSettings(scenario, url != null ? List.of(url) : RunSettings.parseUrls(urls), publishUrl, parseFormat(publishFormat), metricsUrl, serverPids,
        role.share(total), ramp, hold, rate / role.count(), role.shared() ? role.shareSteps(stepList) : stepList,
        targetConnections, Sizes.parse(instanceMemory), sloP99, serverMaxFiles,
        instanceCores, sourceAddresses,
        reportDir != null ? reportDir : RunSettings.defaultReportDir(),
        Durations.parse(System.getProperty("ssekit.load.drain", "500ms")),
        Durations.parse(System.getProperty("ssekit.load.grace", "2s")), role.runId(RunSettings.newRunId()), role, true);
  }

  /** What is known to be wrong before a long run: an incomparable baseline (the rate is checked after), JVM flags. */
  private void refuseBeforeTheRun(RunReports.Baseline base, RunSettings settings, boolean gatlingHere) {
    if (base != null) {
      String why = BaselineComparison.notComparable(base.report(), scenario, connections, settings.urls().size());
      if (why != null) throw new Usage("not comparable with the baseline " + baseline + ": " + why);
    }
    if (scenario.equals("hold") && publishUrl != null) {
      err.println("sse-loadtest: note: hold does not publish; --publish-url is used by fanout and reconnect-storm");
    }
    if (gatlingHere && !Object.class.getModule().isOpen("java.lang", LoadMain.class.getModule())) {
      throw new Usage("Gatling needs these JVM flags (java -jar sets them from the manifest): "
          + String.join(" ", JVM_FLAGS));
    }
  }

  private static Path reportDir(RunSettings settings) {
    Path dir = settings.reportDir().toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (Exception e) {
      throw new Usage("cannot create the report directory " + dir + ": " + e.getMessage());
    }
    return dir;
  }

  private static Publisher.Format parseFormat(String text) {
    return switch (text) {
      case "json" -> Publisher.Format.JSON;
      case "raw" -> Publisher.Format.RAW;
      default -> throw new IllegalArgumentException("--publish-format must be json or raw, not '" + text + "'");
    };
  }

  private boolean connectionsGiven() {
    return spec != null && spec.commandLine().getParseResult().hasMatchedOption("--connections");
  }

  /** Picocli converter for {@code 500ms}, {@code 15s}, {@code 2m}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LoadMain.class.getPackage().getImplementationVersion();
      return new String[] {"sse-loadtest " + (v == null ? "dev" : v) + " (Gatling 3.15)"};
    }
  }
}
