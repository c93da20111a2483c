package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports of a run spread over several server instances ({@code --urls}): every target named
 * ({@code target.urls}, the first still {@code target.url}), no per-instance projection, merge and
 * the baseline only with the same instances.
 */
class SeveralInstancesReportTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final String A = "http://127.0.0.1:8081/events";
  private static final String B = "http://127.0.0.1:8082/events";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A run of {@code open} streams over the instances {@code urls}, server memory not read (--urls refuses it). */
  private static RunRecord over(List<String> urls, long open, long startMs) {
    RunRecord r = Runs.run("fanout", urls.get(0), startMs, open, 2_000, 12);
    CapacityReport c = r.capacity();
    return Runs.withReport(r, new CapacityReport(c.scenario(),
        new CapacityReport.Target(urls.get(0), c.target().publishUrl(), null, urls), c.durationMs(), c.connections(),
        c.connectMs(), c.deliveryLatencyMs(), c.events(), new CapacityReport.Server(null, null, null), c.injector(),
        c.steps(), Projections.project(new CapacityReport.Target(urls.get(0), null, null, urls), null, c.steps(), true,
            Projections.basis(c.projection(), 100_000, 1L << 30))));
  }

  /** The same run with the instances' memory read (one --server-pid each) and this projection. */
  private static RunRecord withProjection(RunRecord r, CapacityReport.Projection p, long rssBaseline) {
    CapacityReport c = r.capacity();
    return Runs.withReport(r, new CapacityReport(c.scenario(), c.target(), c.durationMs(), c.connections(), c.connectMs(),
        c.deliveryLatencyMs(), c.events(), new CapacityReport.Server(rssBaseline, rssBaseline + 40 * 10_240L,
            p.bytesPerConnection()), c.injector(), c.steps(), p, c.failures()));
  }

  @Test
  void capacityJsonNamesEveryTargetAndKeepsTheFirstAsUrl() throws Exception {
    CapacityReport r = over(List.of(A, B), 40, T0).capacity();
    ObjectNode root = CapacityJson.toTree(r);
    assertThat(root.at("/target/url").asText()).as("old readers and merge read url").isEqualTo(A);
    assertThat(root.at("/target/urls")).hasSize(2);
    assertThat(root.at("/target/urls/1").asText()).isEqualTo(B);
    assertThat(CapacityJson.fromTree(root)).isEqualTo(r);

    // A report written before urls reads as one instance; one whose url is not the first of urls is not ours.
    ((ObjectNode) root.get("target")).remove("urls");
    assertThat(CapacityJson.fromTree(root).target().urls()).containsExactly(A);
    assertThat(CapacityJson.fromTree(root).target().instances()).isEqualTo(1);
    ((ObjectNode) root.get("target")).putArray("urls").add(B).add(A);
    assertThatThrownBy(() -> CapacityJson.fromTree(root)).hasMessage("target.url must be the first of target.urls");
  }

  @Test
  void noPerInstanceProjectionIsMadeFromInstancesMeasuredTogether() {
    CapacityReport r = over(List.of(A, B), 40, T0).capacity();
    assertThat(r.projection().plan()).as("no limit claims a figure per instance").isNull();
    assertThat(r.projection().connectionsPerInstance()).isNull();
    assertThat(r.projection().instancesForTarget()).isNull();
    assertThat(r.projection().assumptions()).contains("spread over 2 instances").contains("Give one --server-pid per instance");
    CapacityReport one = Runs.run("fanout", A, T0, 40, 2_000, 12).capacity();
    CapacityReport.Projection same = Projections.project(one.target(), 100 * Runs.MIB, one.steps(), true,
        Projections.basis(one.projection(), 100_000, 1L << 30));
    assertThat(same.plan()).as("one instance is projected as before").isNotNull();
  }

  @Test
  void oneInstanceIsSizedFromInstancesMeasuredTogetherWithOnePidEach() {
    // Two instances of 100 MiB, 10 KiB per connection, the connections in turn: each holds half of a step.
    List<CapacityReport.Step> together = new java.util.ArrayList<>();
    for (long c : new long[] {2_000, 4_000, 6_000}) {
      together.add(new CapacityReport.Step(c, 2 * 100 * Runs.MIB + c * 10_240, 50.0, c, 20.0, 10_000L, c * 100, c * 1e-4, c,
          10_000L));
    }
    CapacityPlan.Basis basis = new CapacityPlan.Basis(1_000_000, 1L << 30, 250, 20_000L, 100L, 2, 10.0, true);
    CapacityReport.Projection p = Projections.project(new CapacityReport.Target(A, null, null, List.of(A, B)),
        2 * 100 * Runs.MIB, together, true, basis);
    CapacityReport.Projection alone = Projections.project(100 * Runs.MIB,
        together.stream().map(s -> Projections.perInstance(s, 2)).toList(), true, basis);

    assertThat(p.bytesPerConnection()).isEqualTo(10_240);
    assertThat(p.baseRssBytes()).isEqualTo(100 * Runs.MIB);
    assertThat(p.plan().largestPassingStep()).as("one instance's share of the largest step").isEqualTo(3_000);
    assertThat(p.plan().bindingLimit()).isEqualTo(CapacityPlan.FILES);
    assertThat(p.connectionsPerInstance()).isEqualTo(19_900).isEqualTo(alone.connectionsPerInstance());
    assertThat(p.instancesForTarget()).isEqualTo(51);
    assertThat(p.plan().cpuSecondsPerEvent()).isEqualTo(alone.plan().cpuSecondsPerEvent());
    assertThat(p.assumptions()).startsWith("One instance sized from the 2 measured together: each step's connections,"
        + " server memory (summed over the 2 processes) and CPU time divided by 2");
    assertThat(Summary.text(withProjection(over(List.of(A, B), 40, T0), p, 2 * 100 * Runs.MIB).capacity(), "r")
        .replaceAll("\\s+", " ")).contains("(2 instances summed)").contains("→ 51 instances for 1,000,000 connections");
  }

  @Test
  void theSummaryAndThePageSayAgainstWhatAndWhyMemoryIsNotMeasured() {
    RunRecord run = over(List.of(A, B), 40, T0);
    String summary = Summary.text(run.capacity(), "r");
    assertThat(summary).startsWith("ssekit load: fanout against " + A + " and 1 more (")
        .contains("\n  instances    2, the connections in turn: ").doesNotContain("give --metrics-url");
    assertThat(summary.replaceAll("\\s+", " ")).contains("instances 2, the connections in turn: " + A + ", " + B + " ")
        .contains("server RSS not measured: the connections were spread over 2 instances");
    String html = CapacityHtml.render(run, null, null);
    assertThat(html).contains("Against <code>" + A + "</code>, <code>" + B + "</code> (2 instances, the connections in turn)")
        .contains("not measured: the connections were spread over 2 instances");
    assertThat(Summary.text(Runs.run("fanout", A, T0, 40, 2_000, 12).capacity(), "r"))
        .startsWith("ssekit load: fanout against " + A + " (").doesNotContain("instances    ");
  }

  @Test
  void mergeTakesRunsAgainstTheSameInstancesAndRefusesOthers(@TempDir Path dir) throws Exception {
    RunRecord merged = Merge.merge(List.of(over(List.of(A, B), 40, T0), over(List.of(A, B), 20, T0 + 100))).run();
    assertThat(merged.capacity().target().urls()).containsExactly(A, B);
    assertThat(merged.capacity().connections().opened()).isEqualTo(60);
    assertThat(merged.capacity().projection().plan()).as("recomputed the same way: none").isNull();
    assertThat(HistogramFile.read(HistogramFile.write(dir, merged)).capacity()).isEqualTo(merged.capacity());

    assertThatThrownBy(() -> Merge.merge(List.of(over(List.of(A, B), 40, T0), Runs.run("fanout", A, T0, 40, 2_000, 12))))
        .hasMessage("run 2 targeted " + A + " and run 1 [" + A + ", " + B + "]");
    String c = "http://127.0.0.1:8083/events";
    assertThatThrownBy(() -> Merge.merge(List.of(over(List.of(A, B), 40, T0), over(List.of(A, c), 40, T0))))
        .hasMessage("run 2 targeted [" + A + ", " + c + "] and run 1 [" + A + ", " + B + "]");
  }

  @Test
  void aBaselineAgainstAnotherNumberOfInstancesIsNotComparable(@TempDir Path dir) throws Exception {
    CapacityReport two = over(List.of(A, B), 40, T0).capacity();
    CapacityReport one = Runs.run("fanout", A, T0, 40, 2_000, 12).capacity();
    assertThat(BaselineComparison.notComparable(one, "fanout", 40, 2))
        .isEqualTo("the baseline ran against 1 instance and this run against 2");
    assertThat(BaselineComparison.notComparable(two, "fanout", 40, 1))
        .isEqualTo("the baseline ran against 2 instances and this run against 1");
    assertThat(BaselineComparison.notComparable(two, "fanout", 40, 2)).isNull();
    BaselineComparison b = BaselineComparison.compare("base.json", one, two, Tolerances.defaults());
    assertThat(b.verdict()).isEqualTo(BaselineComparison.Verdict.NOT_COMPARABLE);
    Path file = CapacityJson.write(two, dir);
    assertThat(JSON.readTree(Files.readString(file)).at("/target/urls").size()).isEqualTo(2);
  }
}
