package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed 18,000-connection capacity run (reports/baseline/capacity/reference-server),
 * re-projected from its recorded steps. Its own projection said one 1 GiB instance holds 398,923
 * connections and 100,000 need one instance: memory alone. The machine it ran on lets a process
 * open 20,000 files (recorded as openFileLimit in reports/baseline/hold-connections.json), and its
 * delivery p99 passed 250 ms between the 5,000 and 10,000 steps.
 */
class CommittedBaselineProjectionTest {
  private static final Path BASELINE = Path.of("../reports/baseline");

  private static CapacityReport committed() throws Exception {
    return CapacityJson.read(BASELINE.resolve("capacity/reference-server/capacity.json"));
  }

  private static long machineFileLimit() throws Exception {
    var hold = new ObjectMapper().readTree(Files.readString(BASELINE.resolve("hold-connections.json")));
    return Long.parseLong(hold.at("/machine/openFileLimit").asText());
  }

  private static CapacityReport.Projection reproject(CapacityReport r, double sloMs, Long maxFiles) {
    return Projections.project(r.server().rssBytesBaseline(), r.steps(), Projections.lossFree(r.events()),
        new CapacityPlan.Basis(100_000, 1L << 30, sloMs, maxFiles, null, null));
  }

  @Test
  void theCommittedRunIsBoundByLatencyNotMemory() throws Exception {
    CapacityReport r = committed();
    assertThat(r.projection().instancesForTarget()).as("what it said before issue 11").isEqualTo(1);

    CapacityReport.Projection p = reproject(r, CapacityPlan.DEFAULT_SLO_P99_MS, machineFileLimit());
    CapacityReport.Plan plan = p.plan();
    assertThat(plan.status()).isEqualTo(CapacityReport.Plan.PROJECTED);
    assertThat(plan.bindingLimit()).isEqualTo(CapacityPlan.LATENCY).isNotEqualTo(CapacityPlan.MEMORY);
    // p99 16.6, 26.2, 120.8 ms up to 5,000 connections; 411.7 ms at 10,000.
    assertThat(plan.largestPassingStep()).isEqualTo(5_000);
    assertThat(plan.latencyKneeConnections()).isEqualTo(7_221);
    assertThat(p.connectionsPerInstance()).isEqualTo(5_000);
    assertThat(p.instancesForTarget()).isEqualTo(20);
    // Memory still says what it said; it no longer decides.
    assertThat(plan.limit(CapacityPlan.MEMORY).connectionsPerInstance()).isEqualTo(398_923);
    assertThat(plan.limit(CapacityPlan.FILES).connectionsPerInstance()).isEqualTo(19_900);
    assertThat(plan.headline())
        .isEqualTo("binding limit: latency — p99 ≤ 250 ms up to 5,000 connections → 20 instances for 100,000 connections"
            + "; not measured: CPU");
  }

  @Test
  void withALooserObjectiveTheFileLimitBinds() throws Exception {
    // p99 803 ms at 18,000 meets a 1 s objective: every step passes, and 20,000 files cap a process.
    CapacityReport.Projection p = reproject(committed(), 1_000, machineFileLimit());
    assertThat(p.plan().largestPassingStep()).isEqualTo(18_000);
    assertThat(p.plan().bindingLimit()).isEqualTo(CapacityPlan.FILES);
    assertThat(p.instancesForTarget()).isEqualTo(6); // 100,000 / 19,900 = 5.03
    assertThat(p.plan().headline()).isEqualTo(
        "binding limit: file descriptors — 20,000 per process (19,900 connections) → 6 instances for 100,000 connections"
            + "; not measured: CPU");
  }

  @Test
  void theReprojectionSurvivesCapacityJson() throws Exception {
    CapacityReport r = committed();
    CapacityReport again = new CapacityReport(r.scenario(), r.target(), r.durationMs(), r.connections(), r.connectMs(),
        r.deliveryLatencyMs(), r.events(), r.server(), r.injector(), r.steps(),
        reproject(r, CapacityPlan.DEFAULT_SLO_P99_MS, machineFileLimit()));
    var tree = CapacityJson.toTree(again);
    assertThat(tree.at("/projection/bindingLimit").asText()).isEqualTo("latency");
    assertThat(tree.at("/projection/limits").size()).isEqualTo(5);
    CapacityReport back = CapacityJson.fromTree(tree);
    assertThat(back.projection().plan()).isEqualTo(again.projection().plan());
    assertThat(Summary.text(again, "reports/x").replaceAll("\\s+", " ")).contains(
        " capacity binding limit: latency — p99 ≤ 250 ms up to 5,000 connections → 20 instances for 100,000 connections")
        .contains("largest passing step 5,000 connections (p99 ≤ 250 ms, nothing lost); the objective breaks at about 7,221");
  }

  /** docs/load.md shows the console's capacity lines for this re-projection as they are printed. */
  @Test
  void theDocsShowTheConsolesCapacityLines() throws Exception {
    CapacityReport r = committed();
    CapacityReport again = new CapacityReport(r.scenario(), r.target(), r.durationMs(), r.connections(), r.connectMs(),
        r.deliveryLatencyMs(), r.events(), r.server(), r.injector(), r.steps(),
        reproject(r, CapacityPlan.DEFAULT_SLO_P99_MS, machineFileLimit()));
    String text = Summary.text(again, "reports/x");
    String block = text.substring(text.indexOf("  capacity     "), text.indexOf("  injector     "));
    assertThat(block.lines()).hasSize(9).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
    assertThat(Files.readString(Path.of("../docs/load.md"))).as("docs/load.md, the capacity sample:\n" + block)
        .contains("```\n" + block + "```\n");
  }

  @Test
  void theChartDrawsEachLimitWithANumber() throws Exception {
    CapacityReport r = committed();
    CapacityReport again = new CapacityReport(r.scenario(), r.target(), r.durationMs(), r.connections(), r.connectMs(),
        r.deliveryLatencyMs(), r.events(), r.server(), r.injector(), r.steps(),
        reproject(r, CapacityPlan.DEFAULT_SLO_P99_MS, machineFileLimit()));
    String svg = ReportCharts.limitsChart(again);
    var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new org.xml.sax.InputSource(new java.io.StringReader(svg.substring(0, svg.indexOf("</svg>") + 6))));
    // The objective and two limits (file descriptors at 19,900, latency at 5,000) are lines; memory
    // at 398,923 is past the axis (a quarter past 19,900) and named instead; CPU was not measured.
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(3);
    assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(5);
    assertThat(svg).contains("file descriptors 19,900, latency 5,000").contains("beyond the chart: memory 398,923");
  }
}
