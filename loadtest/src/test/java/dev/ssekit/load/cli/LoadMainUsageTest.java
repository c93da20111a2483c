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
        + " over 2 instances, so it cannot be attributed to one: measure an instance alone with --url");
    assertThat(run("--urls", two, "--metrics-url", "http://127.0.0.1:1/metrics")).isEqualTo(2);
    assertThat(err.toString()).contains("sse-loadtest: --metrics-url describes one server process");
    assertThat(err.toString().lines().filter(l -> l.startsWith("sse-loadtest: ")).count()).as("one line each").isEqualTo(4);
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void everyOptionIsInTheLoadGuidesSynopsis() throws Exception {
    String guide = Files.readString(Path.of("..", "docs", "load.md"));
    String synopsis = guide.substring(guide.indexOf("```\n./ssekit load"), guide.indexOf("```", guide.indexOf("```") + 3));
    for (var option : new picocli.CommandLine(new LoadMain(null, null)).getCommandSpec().options()) {
      if (!option.usageHelp() && !option.versionHelp()) {
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
