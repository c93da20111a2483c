package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.load.report.BaselineComparison.RowVerdict;
import dev.ssekit.load.report.BaselineComparison.Verdict;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BaselineComparisonTest {
  /** A fanout run of 1,000 connections over 20 s with 200 events published. */
  private static CapacityReport run(long requested, long opened, Double deliveryP99, Double connectP99, Long bytesPerConnection,
      long expected, long lost, long duplicated) {
    return new CapacityReport("fanout", new CapacityReport.Target("http://127.0.0.1:8080/events", "http://127.0.0.1:8080/publish", null),
        20_000, new CapacityReport.Connections(requested, opened, requested - opened, opened, null, null),
        new CapacityReport.ConnectMs(1.0, 2.0, connectP99, 20.0),
        new CapacityReport.DeliveryLatencyMs(1000, 1.0, 2.0, deliveryP99, 30.0, 40.0),
        new CapacityReport.Events(200L, expected, expected - lost, lost, duplicated, 0),
        new CapacityReport.Server(100L << 20, 110L << 20, bytesPerConnection),
        new CapacityReport.Injector(1L << 28, 5.0), List.of(), CapacityReport.Projection.none("n/a"));
  }

  private static CapacityReport base() {
    return run(1000, 1000, 20.0, 10.0, 4000L, 200_000, 0, 0);
  }

  private static Map<String, BaselineComparison.Row> rows(BaselineComparison c) {
    return c.rows().stream().collect(Collectors.toMap(BaselineComparison.Row::figure, Function.identity()));
  }

  @Test
  void aRunWithinEveryToleranceOrBetterPasses() {
    // p99 20 → 29.9 (limit 20 × 1.25 + 5 = 30), connect 10 → 17.5 (limit 17.5), 4000 → 4600 B (limit 4600).
    var c = BaselineComparison.compare("b.json", base(), run(1000, 1000, 29.9, 17.5, 4600L, 200_000, 0, 0), Tolerances.defaults());
    assertThat(c.verdict()).isEqualTo(Verdict.PASSED);
    assertThat(c.rows()).extracting(BaselineComparison.Row::verdict).containsOnly(RowVerdict.OK);
    var r = rows(c);
    assertThat(r.get("delivery latency p99").limit()).isEqualTo(30.0);
    assertThat(r.get("delivery latency p99").changePercent()).isEqualTo(49.5);
    assertThat(r.get("connect time p99").limit()).isEqualTo(17.5);
    assertThat(r.get("server bytes per connection").limit()).isEqualTo(4600.0);
    assertThat(r.get("connections opened").limit()).isEqualTo(1000.0);
    assertThat(r.get("connections opened").atLeast()).isTrue();
    assertThat(BaselineComparison.compare("b.json", base(), run(1000, 1000, 2.0, 1.0, 3000L, 210_000, 0, 0), Tolerances.defaults())
        .verdict()).as("better everywhere").isEqualTo(Verdict.PASSED);
  }

  @Test
  void eachFigurePastItsLimitRegresses() {
    var c = BaselineComparison.compare("b.json", base(), run(1000, 990, 30.1, 17.6, 4601L, 200_000, 2, 1), Tolerances.defaults());
    assertThat(c.verdict()).isEqualTo(Verdict.REGRESSED);
    assertThat(c.regressed()).isTrue();
    assertThat(c.rows()).extracting(BaselineComparison.Row::figure).containsExactly("delivery latency p99", "connect time p99",
        "server bytes per connection", "connections opened", "events lost", "events duplicated");
    assertThat(c.rows()).extracting(BaselineComparison.Row::verdict).containsOnly(RowVerdict.REGRESSED);
    assertThat(c.text()).contains("REGRESSED").contains("delivery latency p99 (ms)").contains("<= 30").contains("regressed");
  }

  @Test
  void tolerancesCanBeReplaced() {
    Tolerances t = Tolerances.defaults().with("delivery-p99=50%+10ms").with("bytes-per-connection=20%").with("CONNECT-P99=0%");
    var c = BaselineComparison.compare("b.json", base(), run(1000, 1000, 40.0, 10.5, 4800L, 200_000, 0, 0), t);
    var r = rows(c);
    assertThat(r.get("delivery latency p99").limit()).isEqualTo(40.0);
    assertThat(r.get("delivery latency p99").verdict()).isEqualTo(RowVerdict.OK);
    assertThat(r.get("delivery latency p99").rule()).isEqualTo("at most baseline +50% +10 ms");
    assertThat(r.get("server bytes per connection").verdict()).isEqualTo(RowVerdict.OK);
    assertThat(r.get("connect time p99").verdict()).isEqualTo(RowVerdict.REGRESSED);
    assertThatThrownBy(() -> Tolerances.defaults().with("p99=30%")).hasMessageContaining("unknown figure p99");
    assertThatThrownBy(() -> Tolerances.defaults().with("delivery-p99=30")).hasMessageContaining("expected NAME=P%");
    assertThatThrownBy(() -> Tolerances.defaults().with("delivery-p99=30%+5b")).hasMessageContaining("slack is in ms");
  }

  @Test
  void onlyLikeIsComparedWithLike() {
    CapacityReport hold = new CapacityReport("hold", base().target(), base().durationMs(), base().connections(), base().connectMs(),
        base().deliveryLatencyMs(), base().events(), base().server(), base().injector(), base().steps(), base().projection());
    var c = BaselineComparison.compare("b.json", hold, base(), Tolerances.defaults());
    assertThat(c.verdict()).isEqualTo(Verdict.NOT_COMPARABLE);
    assertThat(c.reason()).isEqualTo("the baseline is a hold run and this is fanout");
    assertThat(c.rows()).isEmpty();
    assertThat(c.text()).contains("NOT COMPARABLE (the baseline is a hold run");

    assertThat(BaselineComparison.compare("b.json", base(), run(1111, 1111, 1.0, 1.0, 1L, 1, 0, 0), Tolerances.defaults()).reason())
        .contains("requested 1,000 connections and this run 1,111");
    assertThat(BaselineComparison.notComparable(base(), "fanout", 1100)).as("10 % apart is still comparable").isNull();

    CapacityReport busier = new CapacityReport("fanout", base().target(), 20_000, base().connections(), base().connectMs(),
        base().deliveryLatencyMs(), new CapacityReport.Events(2000L, 1, 1, 0, 0, 0), base().server(), base().injector(),
        List.of(), base().projection());
    assertThat(BaselineComparison.compare("b.json", base(), busier, Tolerances.defaults()).reason())
        .contains("published 10.0 events/s over its run and this run 100.0");
  }

  @Test
  void aSlightlyDifferentConnectionCountScalesTheOpenedLimit() {
    var c = BaselineComparison.compare("b.json", run(1000, 950, 20.0, 10.0, 4000L, 200_000, 0, 0),
        run(1050, 997, 20.0, 10.0, 4000L, 200_000, 0, 0), Tolerances.defaults());
    var opened = rows(c).get("connections opened");
    assertThat(opened.limit()).isEqualTo(998.0); // ceil(950 × 1050 / 1000) = ceil(997.5)
    assertThat(opened.verdict()).isEqualTo(RowVerdict.REGRESSED);
    assertThat(opened.rule()).contains("scaled");
  }

  @Test
  void unmeasuredFiguresAreNotComparedAndSayWhy() {
    CapacityReport now = run(1000, 1000, null, 10.0, null, 0, 0, 0);
    var c = BaselineComparison.compare("b.json", base(), now, Tolerances.defaults());
    var r = rows(c);
    assertThat(r.get("delivery latency p99").verdict()).isEqualTo(RowVerdict.NOT_COMPARED);
    assertThat(r.get("delivery latency p99").rule()).isEqualTo("not compared: not measured in this run");
    assertThat(r.get("server bytes per connection").rule()).isEqualTo("not compared: not measured in this run");
    assertThat(r.get("events lost").rule()).isEqualTo("not compared: no sequenced events in this run");
    assertThat(c.verdict()).isEqualTo(Verdict.PASSED);

    var fromUnmeasured = BaselineComparison.compare("b.json", run(1000, 1000, null, null, -12L, 200_000, 3, 0), base(), Tolerances.defaults());
    var u = rows(fromUnmeasured);
    assertThat(u.get("connect time p99").rule()).isEqualTo("not compared: not measured in the baseline");
    assertThat(u.get("server bytes per connection").rule()).contains("the baseline's memory did not grow");
    assertThat(u.get("events lost").rule()).contains("the baseline already had some");
    assertThat(u.get("events duplicated").verdict()).isEqualTo(RowVerdict.OK);
    assertThat(u.get("connect time p99").changePercent()).isNull();
  }

  @Test
  void theComparisonGoesIntoCapacityJsonAsABaselineSection() throws Exception {
    var c = BaselineComparison.compare("reports/baseline/capacity.json", base(), run(1000, 1000, 31.0, 10.0, 4000L, 200_000, 0, 0),
        Tolerances.defaults());
    JsonNode root = new ObjectMapper().readTree(CapacityJson.toJson(base(), c));
    JsonNode b = root.get("baseline");
    assertThat(b.get("file").asText()).isEqualTo("reports/baseline/capacity.json");
    assertThat(b.get("verdict").asText()).isEqualTo("regressed");
    JsonNode first = b.get("figures").get(0);
    assertThat(first.get("figure").asText()).isEqualTo("delivery latency p99");
    assertThat(first.get("baseline").asDouble()).isEqualTo(20.0);
    assertThat(first.get("now").asDouble()).isEqualTo(31.0);
    assertThat(first.get("atMost").asDouble()).isEqualTo(30.0);
    assertThat(first.get("changePercent").asDouble()).isEqualTo(55.0);
    assertThat(first.get("verdict").asText()).isEqualTo("regressed");
    assertThat(b.get("figures").get(3).get("atLeast").asDouble()).isEqualTo(1000);
    // The section does not stop the file from being read back as a report (or used as a baseline).
    assertThat(CapacityJson.fromTree(root)).isEqualTo(base());
  }
}
