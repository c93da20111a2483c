package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Prometheus text reader behind the connection gauge: one metric, summed over its label sets. */
class PrometheusTextTest {

  private static final String EXPOSITION = String.join("\n",
      "# HELP sse_connections_open Event streams open now",
      "# TYPE sse_connections_open gauge",
      "sse_connections_open{topic=\"a\"} 3.0",
      "sse_connections_open{topic=\"b}, sse_connections_open 100\",note=\"say \\\"hi\\\"\\n\"} 4",
      "sse_connections_open_total 99",
      "sse_connections_opened_total{topic=\"a\"} 1e3 1712345678000",
      "other_metric{le=\"+Inf\"} +Inf",
      "",
      "# EOF");

  @Test
  void addsUpEveryLabelSetOfTheMetricAndNothingElse() {
    PrometheusText.Reading r = PrometheusText.read(EXPOSITION, "sse_connections_open");
    assertThat(r.series()).isEqualTo(2);
    assertThat(r.sum()).isEqualTo(7.0);
  }

  @Test
  void readsTimestampsExponentsAndInfinity() {
    assertThat(PrometheusText.read(EXPOSITION, "sse_connections_opened_total").sum()).isEqualTo(1000.0);
    assertThat(PrometheusText.read(EXPOSITION, "other_metric").sum()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(PrometheusText.read("g NaN\ng 1\n", "g").sum()).isNaN();
    assertThat(PrometheusText.read("g -Inf\r\n", "g").sum()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void anEndlessNumberIsRefusedWithoutBacktracking() {
    // A hostile page: a 1 MB run of digits ending in a bad character. A backtracking number
    // pattern takes hours on this; the read must simply not count it.
    String hostile = "sse_connections_open " + "1".repeat(1 << 20) + "x\nsse_connections_open 3\n";
    PrometheusText.Reading r = PrometheusText.read(hostile, "sse_connections_open");
    assertThat(r.sum()).isEqualTo(3.0);
    String digits = "sse_connections_open " + "9".repeat(70) + "\n";
    assertThat(PrometheusText.read(digits, "sse_connections_open").present()).isFalse();
    assertThat(PrometheusText.read("g 1.\ng .5\ng 2e3\ng -1.5E-1\n", "g").sum()).isEqualTo(1 + 0.5 + 2000 - 0.15);
  }

  @Test
  void anAbsentMetricHasNoSeries() {
    PrometheusText.Reading r = PrometheusText.read(EXPOSITION, "sse_connections");
    assertThat(r.present()).isFalse();
    assertThat(PrometheusText.names(EXPOSITION)).containsKeys("sse_connections_open", "other_metric")
        .containsEntry("sse_connections_open", 2);
  }

  @Test
  void malformedLinesAreSkipped() {
    String text = String.join("\n",
        "g{topic=\"unterminated} 5",
        "g 12 34 56",
        "g 0x10",
        "g Infinity",
        "9g 1",
        "g",
        "g 2");
    assertThat(PrometheusText.read(text, "g")).isEqualTo(new PrometheusText.Reading(1, 2.0));
  }
}
