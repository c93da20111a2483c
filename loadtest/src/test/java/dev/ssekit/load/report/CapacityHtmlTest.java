package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class CapacityHtmlTest {
  private static final String HOSTILE = "http://127.0.0.1:1/events?x=<script>alert(1)</script>&y=\"'";

  private static RunRecord hostileRun() {
    RunRecord r = Runs.run("fanout", HOSTILE, 1_700_000_000_000L, 200, 2_000, 12);
    CapacityReport c = r.capacity();
    var p = c.projection();
    var projection = new CapacityReport.Projection(p.connectionsPerGiB(), p.bytesPerConnection(), p.baseRssBytes(), p.fitR2(),
        p.targetConnections(), p.instanceMemoryBytes(), p.connectionsPerInstance(), p.instancesForTarget(),
        "assumed <img src=x onerror=alert(1)> linear");
    return Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(), c.connections(), c.connectMs(),
        c.deliveryLatencyMs(), c.events(), c.server(), c.injector(), c.steps(), projection));
  }

  @Test
  void thePageIsWrittenWithTheRunsFiguresSummaryFirst(@TempDir Path dir) throws Exception {
    RunRecord run = hostileRun();
    Path file = CapacityHtml.write(run, dir);
    assertThat(file).isEqualTo(dir.resolve("capacity.html"));
    String html = Files.readString(file);
    CapacityReport c = run.capacity();
    assertThat(html).contains("<title>ssekit capacity report: fanout</title>")
        .contains("200 requested, 200 opened, 0 failed, peak 200 open")
        .contains(String.format(java.util.Locale.ROOT, "p99 %.1f", c.deliveryLatencyMs().p99()))
        .contains("OK: nothing lost or duplicated (2,400 of 2,400 deliveries)")
        .contains(Summary.bytes(c.server().bytesPerConnection()) + " per connection")
        .contains("Open connections over time").contains("Delivery latency over time")
        .contains("Server memory against open connections").contains("Each step's measuring window")
        .contains("Connections per GiB of server RSS");
    assertThat(html.indexOf("Summary")).isLessThan(html.indexOf("<svg"));
    assertThat(html).doesNotContain("gatling/").as("no Gatling report here, so no link");
  }

  @Test
  void theMavenRouteLinksGatlingsRunDirectoryInItsResultsFolder(@TempDir Path root) throws Exception {
    Path results = Files.createDirectories(root.resolve("reports/gatling-maven"));
    Path mine = Files.createDirectories(results.resolve("capacitysimulation-20261207024312962"));
    Files.writeString(mine.resolve("simulation.log"), "");
    Files.writeString(Files.createDirectories(results.resolve("capacitysimulation-20261207010000000")).resolve("simulation.log"), "");
    Files.writeString(Files.createDirectories(results.resolve("holdsimulation-20261207030000000")).resolve("simulation.log"), "");
    Path dir = root.resolve("reports/load-maven");
    String html = Files.readString(CapacityHtml.write(hostileRun(), dir, results, "dev.ssekit.load.sim.CapacitySimulation"));
    assertThat(html).contains("Gatling's own report").contains(
        "<a href=\"../gatling-maven/capacitysimulation-20261207024312962/index.html\">");
    assertThat(html).contains("Connect time (ms)").contains("Gatling&#39;s report times the request alone");
    // No run directory (yet): the folder.
    assertThat(CapacityHtml.gatlingReportIn(dir, root.resolve("elsewhere"), "dev.ssekit.load.sim.FanoutSimulation"))
        .isEqualTo("../../elsewhere/");
  }

  @Test
  void aFailedRunNamesWhatFailed() {
    RunRecord run = hostileRun();
    CapacityReport c = run.capacity();
    var k = c.connections();
    CapacityReport failed = new CapacityReport(c.scenario(), c.target(), c.durationMs(),
        new CapacityReport.Connections(k.requested(), k.opened(), 3, k.peakOpen(), null, null), c.connectMs(),
        c.deliveryLatencyMs(), new CapacityReport.Events(c.events().published(), 10, 10, 0, 0, 2), c.server(), c.injector(),
        c.steps(), c.projection());
    String html = CapacityHtml.render(new RunRecord(failed, run.histograms(), run.diagnostics(), run.timeline(), run.steps()), null, null);
    assertThat(html).contains("FAILED: 2 out of order; 3 connections failed to open.");
  }

  @Test
  void textFromTheRunIsEscaped() {
    String html = CapacityHtml.render(hostileRun(), null, null);
    assertThat(html).doesNotContain("<script").doesNotContain("<img")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=&quot;&#39;")
        .contains("assumed &lt;img src=x onerror=alert(1)&gt; linear");
  }

  @Test
  void thePageIsSelfContained() {
    String html = CapacityHtml.render(hostileRun(), null, "gatling/fanoutsimulation-1/index.html");
    // Text from the run is escaped, so a raw '<' starts a tag of ours: no tag loads anything.
    assertThat(html).doesNotContainPattern("(?i)<script").doesNotContainPattern("(?i)<link")
        .doesNotContainPattern("(?i)<[^>]*\\bsrc\\s*=").doesNotContainPattern("(?i)url\\(").doesNotContainPattern("(?i)@import");
    Matcher m = Pattern.compile("(?i)<[^>]*\\bhref\\s*=\\s*\"([^\"]*)\"").matcher(html);
    List<String> hrefs = new ArrayList<>();
    while (m.find()) {
      hrefs.add(m.group(1));
    }
    assertThat(hrefs).containsExactly("gatling/fanoutsimulation-1/index.html");
    // The only http:// is the target URL, shown as (escaped) text.
    assertThat(html.split("http://", -1)).hasSize(2);
  }

  @Test
  void everyChartIsWellFormedSvgWithATitleDescriptionAndAxisLabels() throws Exception {
    String html = CapacityHtml.render(hostileRun(), null, null);
    Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
    List<Document> svgs = new ArrayList<>();
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    while (m.find()) {
      svgs.add(factory.newDocumentBuilder().parse(new InputSource(new StringReader(m.group()))));
    }
    assertThat(svgs).hasSize(3);
    for (Document d : svgs) {
      assertThat(d.getDocumentElement().getAttribute("role")).isEqualTo("img");
      assertThat(d.getElementsByTagName("title").item(0).getTextContent()).isNotBlank();
      assertThat(d.getElementsByTagName("desc").item(0).getTextContent()).isNotBlank();
      assertThat(d.getElementsByTagName("polyline").getLength() + d.getElementsByTagName("circle").getLength()).isPositive();
    }
    assertThat(html).contains("open connections</text>").contains("seconds since the first sample</text>")
        .contains("server RSS (MiB)</text>").containsPattern("delivery latency \\(ms(, log scale)?\\)</text>");
  }

  @Test
  void withoutServerMemoryOrTimelineThePageSaysSoInsteadOfDrawing() {
    RunRecord r = Runs.run("hold", "http://127.0.0.1:1/events", 0, 10, 1_000, 6);
    CapacityReport c = r.capacity();
    RunRecord bare = new RunRecord(new CapacityReport(c.scenario(), c.target(), c.durationMs(), c.connections(), c.connectMs(),
        c.deliveryLatencyMs(), c.events(), new CapacityReport.Server(null, null, null), c.injector(),
        c.steps().stream().map(s -> new CapacityReport.Step(s.connections(), null, s.deliveryP99Ms(), s.target(), s.deliveryP50Ms())).toList(),
        CapacityReport.Projection.none("server memory was not measured")), r.histograms(), java.util.Map.of(), List.of(), r.steps());
    String html = CapacityHtml.render(bare, null, null);
    assertThat(html).doesNotContain("<svg").contains("No timeline was recorded")
        .contains("Server memory was not measured").contains("server memory was not measured")
        .contains("did not record its cores");
  }

  @Test
  void theInjectorIsFlaggedByTheStatedRule() {
    RunRecord r = Runs.run("fanout", "http://127.0.0.1:1/events", 0, 10, 1_000, 6); // 3.5 s, 2 cores, 1.5 s CPU
    assertThat(InjectorBottleneck.why(r)).isNull();
    CapacityReport c = r.capacity();
    RunRecord busy = Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(), c.connections(), c.connectMs(),
        c.deliveryLatencyMs(), c.events(), c.server(), new CapacityReport.Injector(500 * Runs.MIB, 6.0), c.steps(), c.projection()));
    assertThat(InjectorBottleneck.why(busy)).contains("CPU time (6.0 s) is 86 %").contains("heap peak (500.0 MiB) is 98 %");
    assertThat(CapacityHtml.render(busy, null, null)).contains("The injector may be the bottleneck");
  }

  @Test
  void theBaselineComparisonIsShown() {
    RunRecord r = hostileRun();
    var cmp = BaselineComparison.compare("base/<capacity>.json", r.capacity(), r.capacity(), Tolerances.defaults());
    String html = CapacityHtml.render(r, cmp, null);
    assertThat(html).contains("No regression against the baseline <code>base/&lt;capacity&gt;.json</code>")
        .contains("Against the baseline").contains("delivery latency p99 (ms)").contains("at most baseline +25% +5 ms");
  }

  @Test
  void aPlanWithoutAnInstanceCountIsNotGreen() {
    // 900 MiB at rest, 1 KiB a connection, instances of 512 MiB: memory binds at 0 per instance,
    // "projected" but with no instance count.
    long mib = 1L << 20;
    List<RunRecord.StepRecord> big = List.of(
        new RunRecord.StepRecord(1_000, 0, 1, 1_000, 901 * mib, new org.HdrHistogram.Histogram(3)),
        new RunRecord.StepRecord(2_000, 0, 1, 2_000, 902 * mib, new org.HdrHistogram.Histogram(3)),
        new RunRecord.StepRecord(3_000, 0, 1, 3_000, 903 * mib, new org.HdrHistogram.Histogram(3)));
    RunRecord r = Runs.run("capacity", "http://127.0.0.1:1/events", 1_700_000_000_000L, 200, 2_000, 12);
    CapacityReport c = r.capacity();
    CapacityReport.Projection none = Projections.project(900 * mib, big, 100_000, 512 * mib);
    assertThat(none.projected()).isTrue();
    assertThat(none.instancesForTarget()).isNull();
    String html = CapacityHtml.render(Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(),
        c.connections(), c.connectMs(), c.deliveryLatencyMs(), c.events(), c.server(), c.injector(), c.steps(), none)), null, null);
    assertThat(html).contains("<div class=\"verdict warn\">binding limit: memory — 0 connections")
        .doesNotContain("<div class=\"verdict ok\">binding limit");

    CapacityReport.Projection sized = Projections.project(900 * mib, big, 100_000, 2L << 30);
    assertThat(sized.instancesForTarget()).isNotNull();
    String ok = CapacityHtml.render(Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(),
        c.connections(), c.connectMs(), c.deliveryLatencyMs(), c.events(), c.server(), c.injector(), c.steps(), sized)), null, null);
    assertThat(ok).contains("<div class=\"verdict ok\">binding limit: memory");
  }
}
