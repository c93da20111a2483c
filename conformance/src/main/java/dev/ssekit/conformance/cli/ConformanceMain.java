package dev.ssekit.conformance.cli;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ssekit.conformance.browser.BrowserView;
import dev.ssekit.conformance.browser.EngineAgreement;
import dev.ssekit.conformance.browser.HeadlessBrowser;
import dev.ssekit.protocol.Engine;
import dev.ssekit.conformance.checks.CheckClasses;
import dev.ssekit.conformance.checks.PassiveStream;
import dev.ssekit.conformance.report.ConsoleReporter;
import dev.ssekit.conformance.report.ReportWriter;
import dev.ssekit.conformance.report.ResultCollector;
import dev.ssekit.conformance.report.RunReport;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar sse-conformance.jar --url URL [options]} runs the checks against a server;
 * {@code parse FILE|-} prints what a browser dispatches. Exit status: 0 no check failed; 1 at least
 * one check failed; 2 bad usage or an internal error.
 */
@Command(name = "sse-conformance", mixinStandardHelpOptions = true, versionProvider = ConformanceMain.Version.class,
    sortOptions = false, subcommands = {ParseCommand.class},
    description = {"Checks a Server-Sent Events server against the WHATWG rules and what browsers do.",
        "Exit status: 0 no check failed; 1 at least one check failed; 2 bad usage or an internal error."})
public final class ConformanceMain implements Callable<Integer> {

  @Option(names = "--url", paramLabel = "URL", description = "The stream URL to check (http or https).")
  String url;

  @Option(names = "--publish-url", paramLabel = "URL",
      description = "A URL that takes POST {\"data\", \"event\"?, \"id\"?} (the publish contract): enables the delivery checks.")
  String publishUrl;

  @Option(names = "--header", paramLabel = "'K: V'", description = "A request header for the stream (repeatable), e.g. auth.")
  List<String> headers = new ArrayList<>();

  @Option(names = "--publish-header", paramLabel = "'K: V'", description = "A request header for publishing (repeatable).")
  List<String> publishHeaders = new ArrayList<>();

  @Option(names = "--profile", paramLabel = "P", description = "quick | standard | full (default: ${DEFAULT-VALUE}).")
  String profile = "standard";

  @Option(names = "--strict", description = "SHOULD violations fail instead of warning.")
  boolean strict;

  @Option(names = "--insecure", description = "Accept any TLS certificate (self-signed test servers).")
  boolean insecure;

  @Option(names = "--window", paramLabel = "D", description = "How long to record the stream (default by profile: 3s, 5s, 40s).")
  String window;

  @Option(names = "--server-pid", paramLabel = "PID",
      description = "The server's process id, when it runs on this machine: the lifecycle checks count its sockets.")
  String serverPid;

  @Option(names = "--metrics-url", paramLabel = "URL",
      description = "The server's metrics in Prometheus text format: the lifecycle checks read its open-stream gauge.")
  String metricsUrl;

  @Option(names = "--connection-gauge", paramLabel = "NAME",
      description = "The metric at --metrics-url that counts open streams, summed over its labels"
          + " (default: " + Target.DEFAULT_CONNECTION_GAUGE + ", the reference server's).")
  String connectionGauge;

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Where to write conformance.json, junit.xml and conformance.html (default: reports/check-<time>).")
  Path reportDir;

  @Option(names = "--no-color", description = "No ANSI colours on the console.")
  boolean noColor;

  @Option(names = "--browser", arity = "0..1", fallbackValue = "chromium", paramLabel = "ENGINE",
      description = "Also read the stream with a headless browser's EventSource on a page of its own origin:"
          + " chromium (the default; Debian's chromium and chromium-driver), firefox (Debian's firefox-esr) or all."
          + " Each browser is held to ssekit's model of its engine (check lifecycle.browser-view.ENGINE), and"
          + " lifecycle.browser-engines-agree fails when the engines read the stream's bytes into different events.")
  String browser;

  @Option(names = "--browser-page", paramLabel = "URL",
      description = "With --browser: the page the browser runs its EventSource in (default: the root of the stream's"
          + " origin). Choose one whose Content-Security-Policy allows connect-src to the stream.")
  String browserPage;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new ConformanceMain());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("error: internal error: " + e);
      return 2;
    });
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Try --help for the options.");
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (url == null) {
      err.println("error: name a server with --url URL (or use 'parse FILE|-'); ./ssekit check without --url checks"
          + " the embedded reference server");
      return 2;
    }
    Target target;
    java.net.URI page;
    try {
      target = target();
      page = browserPage();
      for (Engine e : engines()) HeadlessBrowser.requireInstalled(e);
    } catch (IllegalArgumentException | HeadlessBrowser.Unavailable e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    // The checks get this very target (validated once, here), not strings to parse again.
    String handedOver = Target.handOver(target);
    try {
      return check(target, page, handedOver, out, err);
    } finally {
      Target.release(handedOver);
    }
  }

  /** The target the options name, validated; throws with a readable reason. */
  private Target target() {
    // An empty value is no value, as on the JUnit route.
    return new Target(Target.uri(url), given(publishUrl) ? Target.uri(publishUrl) : null,
        headers.stream().map(Target.Header::parse).toList(), publishHeaders.stream().map(Target.Header::parse).toList(),
        profile(profile), strict, insecure, given(window) ? Durations.parse(window) : null,
        given(serverPid) ? Target.pid(serverPid) : null, given(metricsUrl) ? Target.uri(metricsUrl) : null,
        given(connectionGauge) ? connectionGauge.trim() : Target.DEFAULT_CONNECTION_GAUGE);
  }

  private static boolean given(String option) {
    return option != null && !option.isBlank();
  }

  private static Target.Profile profile(String name) {
    try {
      return Target.Profile.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--profile must be quick, standard or full");
    }
  }

  /** The engines of {@code --browser}: none without it; throws with a readable reason for an unknown one. */
  List<Engine> engines() {
    if (browser == null) return List.of();
    if (browser.equalsIgnoreCase("all")) return Engine.browsers();
    Engine e = Engine.byId(browser);
    if (e == null || e == Engine.SPEC) {
      throw new IllegalArgumentException("--browser takes chromium, firefox or all, not '" + browser + "'");
    }
    return List.of(e);
  }

  /** {@code --browser-page}, validated, or null when not given; throws with a readable reason. */
  private java.net.URI browserPage() {
    if (browserPage == null) return null;
    if (browser == null) {
      throw new IllegalArgumentException("--browser-page names the page of the browser view: give --browser too");
    }
    java.net.URI page;
    try {
      page = java.net.URI.create(browserPage);
    } catch (IllegalArgumentException e) {
      page = null;
    }
    String scheme = page == null || page.getScheme() == null ? "" : page.getScheme().toLowerCase(Locale.ROOT);
    if (page == null || !(scheme.equals("http") || scheme.equals("https")) || page.getHost() == null) {
      throw new IllegalArgumentException("--browser-page must be an absolute http or https URL: " + browserPage);
    }
    return page;
  }

  /** The launcher's configuration: the handed-over target, quiet warnings, one thread per check. */
  private static Map<String, String> launcherParameters(String handedOver) {
    Map<String, String> params = new HashMap<>();
    params.put(Target.HANDED_OVER, handedOver);
    // This command reports warnings itself: the listener that prints them inside users' builds stays quiet.
    params.put(dev.ssekit.conformance.junit.WarningLog.PRINT, "false");
    // Independent checks run in parallel; the shared recording is made once.
    params.put("junit.jupiter.execution.parallel.enabled", "true");
    params.put("junit.jupiter.execution.parallel.mode.default", "concurrent");
    params.put("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
    params.put("junit.jupiter.execution.parallel.config.strategy", "fixed");
    // One thread per check: most checks block on the shared passive recording for its whole window, and with fewer
    // threads than they are, the checks that make their own connections waited for that window to end first (a
    // server that holds events 2 s took 4 s longer). Checks wait on sockets, not the CPU.
    params.put("junit.jupiter.execution.parallel.config.fixed.parallelism", "64");
    params.put("junit.jupiter.execution.parallel.config.fixed.max-pool-size", "64");
    params.put("junit.jupiter.execution.parallel.config.executor-service", "WORKER_THREAD_POOL");
    return params;
  }

  private int check(Target target, java.net.URI page, String handedOver, PrintWriter out, PrintWriter err) {
    Path dir = reportDir != null ? reportDir : Path.of("reports",
        "check-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
    List<DiscoverySelector> selectors = new ArrayList<>();
    for (Class<?> c : CheckClasses.all()) selectors.add(selectClass(c));
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectors).configurationParameters(launcherParameters(handedOver)).build();

    RunReport.Run run = new RunReport.Run(target.profile().name().toLowerCase(Locale.ROOT), target.strict(),
        PassiveStream.window(target).toMillis(), target.window() != null,
        browser != null ? new RunReport.Browser(String.join(", ", engines().stream().map(Engine::id).toList()), String.valueOf(page != null ? page : BrowserView.defaultPage(target.url())),
            page != null, BrowserView.window(target).toMillis()) : null,
        commandLine(spec.commandLine().getParseResult().originalArgs()));
    out.println("ssekit conformance: " + target.url() + " (profile " + run.profile() + ", " + run.window() + " window"
        + (target.publishUrl() != null ? ", publish " + target.publishUrl() : ", no publish URL: delivery checks skipped")
        + (strict ? ", strict" : "") + (run.browser() != null ? ", browser view on " + run.browser().page() : "") + ")");
    out.flush();
    ConsoleReporter console = new ConsoleReporter(out, !noColor && System.console() != null);
    ResultCollector collector = new ResultCollector(console);
    Instant started = Instant.now();
    LauncherFactory.create().execute(request, collector);
    List<BrowserView.Result> views = new ArrayList<>();
    try {
      for (Engine engine : engines()) {
        BrowserView.Result view = browserView(target, page, engine, out);
        views.add(view);
        collector.checkEnded(view.check());
      }
    } catch (HeadlessBrowser.Unavailable e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted during the browser view");
      return 2;
    }
    List<String> agreement = views.isEmpty() ? List.of() : engineAgreement(views, collector);
    RunReport report = collector.report(Version.version(), target.url().toString(),
        target.publishUrl() == null ? null : target.publishUrl().toString(), started,
        java.time.Duration.between(started, Instant.now()).toMillis()).withRun(run);
    try {
      writeReports(report, dir);
    } catch (IOException e) {
      err.println("error: cannot write the reports to " + dir + ": " + e.getMessage());
      return 2;
    }
    for (BrowserView.Result view : views) {
      out.println();
      for (String line : view.console()) out.println(line);
    }
    for (String line : agreement) out.println(line);
    console.printSummary(report, dir);
    out.flush();
    return exitStatus(collector, err);
  }

  /** A browser view, after the checks, so its connections never disturb theirs (socket counts). */
  private static BrowserView.Result browserView(Target target, java.net.URI page, Engine engine, PrintWriter out)
      throws HeadlessBrowser.Unavailable, InterruptedException {
    out.println("browser view: headless " + engine.title() + " and the oracle read the stream for "
        + BrowserView.window(target).toMillis() + " ms …");
    out.flush();
    return BrowserView.run(target, BrowserView.window(target), page, engine);
  }

  /**
   * {@code lifecycle.browser-engines-agree} on the first view's recordings that hold a response, and
   * its console lines.
   */
  private List<String> engineAgreement(List<BrowserView.Result> views, ResultCollector collector) {
    long began = System.currentTimeMillis();
    List<Engine> live = new ArrayList<>();
    BrowserView.Result recorded = null;
    for (BrowserView.Result v : views) {
      if (v.check().status() != dev.ssekit.conformance.report.CheckResult.Status.SKIPPED) live.add(v.engine());
      if (recorded == null && v.first() != null && v.first().responded()) recorded = v;
    }
    // No response anywhere: still a recording, so the check says that rather than that none was made.
    for (BrowserView.Result v : views) if (recorded == null && v.first() != null) recorded = v;
    dev.ssekit.conformance.report.CheckResult check = recorded == null
        ? EngineAgreement.judge(null, null, engines(), live, strict, began)
        : EngineAgreement.judge(recorded.first(), recorded.second(), engines(), live, strict, began);
    collector.checkEnded(check);
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add("Engines: " + switch (check.status()) {
      case PASSED -> String.join(", ", engines().stream().map(Engine::title).toList())
          + " and the standard read the recorded bytes alike";
      case FAILED -> (check.severity() == dev.ssekit.conformance.checks.Severity.SHOULD ? "WARNING (--strict): "
          : "DIFFERENCE: ") + check.message();
      case WARNED -> "WARNING: " + check.message();
      default -> "not compared: " + check.message();
    });
    return lines.stream().map(dev.ssekit.conformance.browser.BrowserView::printable).toList();
  }

  private static void writeReports(RunReport report, Path dir) throws IOException {
    for (ReportWriter w : ReportWriter.standard()) w.writeTo(report, dir);
  }

  /** 2 when nothing ran or the suite itself failed; 1 when a check failed (the browser view included); else 0. */
  private static int exitStatus(ResultCollector collector, PrintWriter err) {
    if (!collector.anyCheckRan()) {
      err.println("error: no check ran");
      return 2;
    }
    if (collector.anyContainerFailed()) {
      for (RunReport.Problem p : collector.problems()) err.println("error: internal problem in " + p.source() + ": " + p.message());
      return 2;
    }
    return collector.exitStatus();
  }

  /**
   * The command line as given, for the reports: the values of {@code --header} and
   * {@code --publish-header} (credentials, often) are replaced by {@code …}, their names kept.
   */
  static List<String> commandLine(List<String> args) {
    List<String> shown = new ArrayList<>();
    boolean headerValue = false;
    for (String a : args) {
      if (headerValue) {
        shown.add(redactHeader(a));
        headerValue = false;
      } else if (a.equals("--header") || a.equals("--publish-header")) {
        shown.add(a);
        headerValue = true;
      } else if (a.startsWith("--header=") || a.startsWith("--publish-header=")) {
        int eq = a.indexOf('=');
        shown.add(a.substring(0, eq + 1) + redactHeader(a.substring(eq + 1)));
      } else {
        shown.add(a);
      }
    }
    return shown;
  }

  private static String redactHeader(String header) {
    int colon = header.indexOf(':');
    return colon < 0 ? "…" : header.substring(0, colon + 1) + " …";
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    static String version() {
      String v = ConformanceMain.class.getPackage().getImplementationVersion();
      return v == null ? "development build" : v;
    }

    @Override
    public String[] getVersion() {
      return new String[] {"ssekit conformance " + version()};
    }
  }
}
