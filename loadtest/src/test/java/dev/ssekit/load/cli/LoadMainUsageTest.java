package dev.ssekit.load.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.load.report.CapacityJson;
import dev.ssekit.load.report.CapacityReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors end with exit status 2 and a one-line reason, before Gatling starts. */
class LoadMainUsageTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LoadMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void aNonLoopbackTargetIsRefused() {
    assertThat(run("--url", "http://example.com/events")).isEqualTo(2);
    assertThat(err.toString()).contains("not a loopback address");
  }

  @Test
  void aNonLoopbackPublishOrMetricsUrlIsRefused() {
    assertThat(run("--url", "http://127.0.0.1:1/events", "--publish-url", "http://10.1.1.1/publish")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/events", "--metrics-url", "http://192.168.0.1/metrics")).isEqualTo(2);
    assertThat(err.toString()).contains("--publish-url: ").contains("--metrics-url: ");
  }

  @Test
  void severalInstancesAreNamedWithUrlsAloneEachOnLoopbackAndNotMeasuredAsOneProcess() {
    String two = "http://127.0.0.1:1/events,http://127.0.0.1:2/events";
    assertThat(run("--url", "http://127.0.0.1:1/events", "--urls", two)).isEqualTo(2);
    assertThat(err.toString()).contains("give --url URL (one instance) or --urls URL,URL (several), not both");
    assertThat(run("--urls", "http://127.0.0.1:1/events,http://example.com/events")).isEqualTo(2);
    assertThat(err.toString()).contains("--urls: 'http://example.com/events' is not a loopback address");
    assertThat(run("--urls", two, "--server-pid", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("--server-pid describes one server process, and --urls spreads the connections"
        + " over 2 instances, so it cannot be attributed to one: give one --server-pid per instance");
    assertThat(run("--urls", two, "--metrics-url", "http://127.0.0.1:1/metrics")).isEqualTo(2);
    assertThat(err.toString()).contains("sse-loadtest: --metrics-url describes one server process");
    assertThat(err.toString().lines().filter(l -> l.startsWith("sse-loadtest: ")).count()).as("one line each").isEqualTo(4);
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void severalInjectorsAreRefusedUnlessEachShareIsARunOfItsOwn() {
    String url = "http://127.0.0.1:1/events";
    assertThat(run("--url", url, "--injectors", "17")).isEqualTo(2);
    assertThat(err.toString()).contains("sse-loadtest: --injectors must be between 1 and 16, not 17");
    assertThat(run("--url", url, "--injectors", "3", "--connections", "2")).isEqualTo(2);
    assertThat(err.toString()).contains("sse-loadtest: 3 injectors need at least 3 connections, one each");
    assertThat(run("--url", url, "--injectors", "2", "--scenario", "capacity", "--steps", "2,3")).isEqualTo(2);
    assertThat(err.toString()).contains("with 2 injectors every step must be at least 2 more connections");
    assertThat(run("--url", url, "--injectors", "3", "--local-addresses", "127.0.0.2-127.0.0.3")).isEqualTo(2);
    assertThat(err.toString()).contains("--local-addresses names 2 addresses for 3 injectors; give at least one each");
    assertThat(run("--url", url, "--injectors", "2", "--injector", "1/2", "--run-id", "x")).isEqualTo(2);
    assertThat(err.toString()).contains("--injectors N starts its own injectors");
    assertThat(run("--url", url, "--run-id", "x")).isEqualTo(2);
    assertThat(err.toString()).contains("--run-id names the injectors of one test");
    assertThat(run("--url", url, "--injector", "1/2")).isEqualTo(2);
    assertThat(err.toString()).contains("injectors of one test share a --run-id");
    assertThat(run("--url", url, "--start-at", "tomorrow")).isEqualTo(2);
    assertThat(err.toString()).contains("--start-at takes an instant like 2026-12-07T18:30:00Z");
    assertThat(err.toString().lines().filter(l -> l.startsWith("sse-loadtest: ")).count()).as("one line each").isEqualTo(8);
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void eachInjectorIsHandedTheOptionsButNotThoseTheLauncherKeeps() {
    assertThat(LocalInjectors.handedOn(new String[] {"--url", "http://127.0.0.1:1/events", "--injectors", "2",
        "--report-dir=r", "--local-addresses", "127.0.0.2-127.0.0.9", "--baseline", "b.json", "--tolerance",
        "delivery-p99=50%", "--rate", "20", "--run-id=x", "--start-at", "2026-12-07T18:30:00Z", "--hold", "5s"}))
        .containsExactly("--url", "http://127.0.0.1:1/events", "--rate", "20", "--hold", "5s");
  }

  @Test
  void eachInjectorGetsItsOwnSourceAddresses() {
    List<java.net.URI> v4 = List.of(java.net.URI.create("http://127.0.0.1:1/events"));
    assertThat(LocalInjectors.sourceAddresses(List.of(), v4, 2)).containsExactly(
        List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"), List.of("127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9"));
    assertThat(LocalInjectors.sourceAddresses(List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"), v4, 2))
        .containsExactly(List.of("127.0.0.2"), List.of("127.0.0.3", "127.0.0.4"));
    // IPv4 sources cannot reach an IPv6 target: the system chooses.
    assertThat(LocalInjectors.sourceAddresses(List.of(), List.of(java.net.URI.create("http://[::1]:1/events")), 2))
        .containsExactly(List.of(), List.of());
  }

  @Test
  void injectorsOnThisMachineAreHeldToItsCoresNotTheSumOfWhatEachSaw() {
    var a = dev.ssekit.load.report.Runs.run("fanout", "http://127.0.0.1:1/events", 0, 10, 1_000, 12);
    var merged = dev.ssekit.load.report.Merge.merge(List.of(a, a)).run();
    assertThat(merged.diagnostics().get(dev.ssekit.load.report.InjectorBottleneck.CORES)).as("separate machines").isEqualTo(4L);
    assertThat(LocalInjectors.onThisMachine(merged).diagnostics().get(dev.ssekit.load.report.InjectorBottleneck.CORES))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void everyOptionIsInTheLoadGuidesSynopsis() throws Exception {
    String guide = Files.readString(Path.of("..", "docs", "load.md"));
    String synopsis = guide.substring(guide.indexOf("```\n./ssekit load"), guide.indexOf("```", guide.indexOf("```") + 3));
    for (var option : new picocli.CommandLine(new LoadMain(null, null, new String[0])).getCommandSpec().options()) {
      if (!option.usageHelp() && !option.versionHelp() && !option.hidden()) {
        assertThat(synopsis).as("docs/load.md's synopsis names %s", option.longestName())
            .containsPattern("(\\[|\\| )" + java.util.regex.Pattern.quote(option.longestName()) + "(?![\\w-])");
      }
    }
  }

  @Test
  void withoutAUrlTheJarSaysHowToNameOneOrUseTheLauncher() {
    // The jar needs a URL; ./ssekit load passes the embedded server's when none is given.
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("name the stream with --url URL")
        .contains("./ssekit load without --url runs against the embedded reference server")
        .doesNotContain("Missing required option");
  }

  @Test
  void helpShowsTheUrlAsOptionalAndPrintsEveryToleranceWithoutPicocliWarnings() {
    java.io.PrintStream stdErr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(run("--help")).isZero();
      assertThat(run("merge", "--help")).isZero();
    } finally {
      System.setErr(stdErr);
    }
    String help = out.toString();
    assertThat(help).contains("[--url=URL]");
    assertThat(help.replaceAll("\\s+", " ")).contains("without --url starts the embedded reference server").contains("delivery-p99=25%+5ms, connect-p99=25%+5ms, bytes-per-connection=15%");
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8) + err).doesNotContain("picocli WARN")
        .doesNotContain("Could not format");
  }

  @Test
  void badValuesAreRefused() {
    assertThat(run("--url", "http://127.0.0.1:1/e", "--hold", "10")).isEqualTo(2);
    assertThat(err.toString()).contains("not a duration");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--connections", "0")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--rate", "0")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "soak")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "reconnect-storm", "--hold", "1s")).isEqualTo(2);
    assertThat(err.toString()).contains("--hold must be between 2s");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--metrics-url", "http://127.0.0.1:1/m", "--server-pid", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("not both");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--max-line", "10")).isEqualTo(2);
    assertThat(err.toString()).contains("--max-line must be between 1k and 1g");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--max-head", "lots")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--head-timeout", "20m")).isEqualTo(2);
    assertThat(err.toString()).contains("--head-timeout must be between 100ms and 10m");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--max-metrics", "2g")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--instance-cores", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--instance-cores must be between 1 and 4096");
  }

  @Test
  void scenariosStillToComeSaySo() {
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "capacity")).isEqualTo(2);
  }

  @Test
  void anUnusableBaselineIsRefusedBeforeTheRun(@TempDir Path dir) throws Exception {
    assertThat(run("--url", "http://127.0.0.1:1/e", "--baseline", dir.resolve("x.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read the baseline").contains("no such file");
    Path notOurs = Files.writeString(dir.resolve("y.json"), "{\"scenario\": 3}");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--baseline", notOurs.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("is not a capacity.json: steps must be an array");
    Path hold = CapacityJson.write(holdOf(100), dir);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "fanout", "--baseline", hold.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("not comparable").contains("the baseline is a hold run and this is fanout");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "hold", "--connections", "1000", "--baseline", hold.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("requested 100 connections and this run 1,000");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "hold", "--baseline", hold.toString(), "--tolerance", "p99=3"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--tolerance p99=3: expected NAME=P%");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--tolerance", "delivery-p99=30%")).isEqualTo(2);
    assertThat(err.toString()).contains("give --baseline FILE");
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void mergeRefusesWhatIsNotARunOfOurs(@TempDir Path dir) throws Exception {
    assertThat(run("merge")).isEqualTo(2);
    assertThat(err.toString()).contains("DIR");
    assertThat(run("merge", dir.resolve("nothing").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("does not exist");
    Files.writeString(dir.resolve("histograms.json"), "{\"format\": \"other\"}");
    assertThat(run("merge", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("is not an ssekit histograms file");
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static CapacityReport holdOf(long connections) {
    return new CapacityReport("hold", new CapacityReport.Target("http://127.0.0.1:1/e", null, null), 5_000,
        new CapacityReport.Connections(connections, connections, 0, connections, null, null),
        new CapacityReport.ConnectMs(1.0, 2.0, 3.0, 4.0), new CapacityReport.DeliveryLatencyMs(10, 1.0, 2.0, 3.0, 4.0, 5.0),
        new CapacityReport.Events(10L, 1000, 1000, 0, 0, 0), new CapacityReport.Server(null, null, null),
        new CapacityReport.Injector(1, 1.0), List.of(), CapacityReport.Projection.none("not measured"));
  }

  @Test
  void helpIsNotAnError() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--connections").contains("--publish-url").contains("--baseline").contains("--tolerance");
    assertThat(run("merge", "--help")).isZero();
    assertThat(out.toString()).contains("--report-dir").contains("DIR");
  }
}
