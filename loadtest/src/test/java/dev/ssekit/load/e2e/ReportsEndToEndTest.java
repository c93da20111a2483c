package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssekit.load.report.CapacityJson;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports of real runs (child JVMs, the real reference server): {@code capacity.html},
 * {@code --baseline} gating with exit 0 and 1, and {@code merge} of two injectors run at once.
 * Only counts and verdicts that cannot depend on the machine's speed are asserted.
 */
class ReportsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void aBaselineTheRunBeatsPassesAndOneItCannotMeetFailsTheRun() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "1s")) {
      String[] run = {"--url", server.base() + "/events", "--publish-url", server.base() + "/publish",
          "--metrics-url", server.base() + "/metrics", "--scenario", "fanout", "--connections", "150",
          "--ramp", "1s", "--hold", "3s", "--rate", "20"};

      Path easy = CapacityJson.write(easyBaseline(), tmp.resolve("easy"));
      Path first = tmp.resolve("first");
      CliProcess.Result r = CliProcess.run(tmp.resolve("w1"), 90, with(run, "--report-dir", first.toString(),
          "--baseline", easy.toString()));
      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = capacity(first);
      assertThat(c.at("/baseline/verdict").asText()).as(r.both()).isEqualTo("passed");
      assertThat(c.at("/baseline/file").asText()).isEqualTo(easy.toString());
      assertThat(c.at("/baseline/figures")).hasSize(6);
      assertThat(r.stdout()).contains("baseline     " + easy + ": PASSED").contains("delivery latency p99 (ms)");
      String html = Files.readString(first.resolve("capacity.html"));
      assertThat(html).contains("No regression against the baseline").contains("150 requested, 150 opened")
          .containsPattern("href=\"gatling/[^\"]+/index.html\"");
      String gatling = html.replaceAll("(?s).*href=\"(gatling/[^\"]+/index.html)\".*", "$1");
      assertThat(first.resolve(gatling)).as("the link leads to Gatling's report").isRegularFile();

      // The same run measured against itself with an impossible connect time: connecting takes more than 0 ms.
      ObjectNode doctored = (ObjectNode) JSON.readTree(Files.readString(first.resolve("capacity.json")));
      ((ObjectNode) doctored.get("connectMs")).put("p99", 0.0);
      doctored.remove("baseline");
      Path impossible = Files.writeString(tmp.resolve("impossible.json"), doctored.toPrettyString());
      Path second = tmp.resolve("second");
      r = CliProcess.run(tmp.resolve("w2"), 90, with(run, "--report-dir", second.toString(),
          "--baseline", impossible.toString(), "--tolerance", "connect-p99=0%"));
      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      c = capacity(second);
      assertThat(c.at("/baseline/verdict").asText()).isEqualTo("regressed");
      assertThat(c.at("/baseline/figures/1/figure").asText()).isEqualTo("connect time p99");
      assertThat(c.at("/baseline/figures/1/verdict").asText()).isEqualTo("regressed");
      assertThat(c.at("/baseline/figures/1/atMost").asDouble()).isZero();
      assertThat(c.at("/events/lost").asLong()).as("it fails on the comparison alone").isZero();
      assertThat(r.stdout()).contains("REGRESSED");
      assertThat(Files.readString(second.resolve("capacity.html"))).contains("REGRESSED against the baseline");
    }
  }

  @Test
  void twoInjectorsAtOnceMergeIntoOneReport() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "200ms")) {
      Path a = tmp.resolve("a");
      Path b = tmp.resolve("b");
      CompletableFuture<CliProcess.Result> ra = CompletableFuture.supplyAsync(() -> hold(server, a));
      CompletableFuture<CliProcess.Result> rb = CompletableFuture.supplyAsync(() -> hold(server, b));
      for (CliProcess.Result r : List.of(ra.get(150, TimeUnit.SECONDS), rb.get(150, TimeUnit.SECONDS))) {
        assertThat(r.exitStatus()).as(r.both()).isZero();
      }
      Path merged = tmp.resolve("merged");
      CliProcess.Result r = CliProcess.run(tmp.resolve("wm"), 60, "merge", a.toString(), b.toString(), "--report-dir", merged.toString());
      assertThat(r.exitStatus()).as(r.both()).isZero();
      assertThat(r.stdout()).contains("merged 2 runs").contains("200 opened");
      assertThat(r.stderr()).as("the runs overlapped").doesNotContain("did not all overlap");

      JsonNode c = capacity(merged);
      assertThat(c.at("/connections/requested").asLong()).isEqualTo(200);
      assertThat(c.at("/connections/opened").asLong()).isEqualTo(200);
      assertThat(c.at("/events/lost").asLong()).isZero();
      assertThat(c.at("/events/duplicated").asLong()).isZero();
      JsonNode ca = capacity(a);
      JsonNode cb = capacity(b);
      assertThat(c.at("/events/delivered").asLong()).isEqualTo(ca.at("/events/delivered").asLong() + cb.at("/events/delivered").asLong());
      long count = HistogramFile.read(merged.resolve("histograms.json")).histograms().get("deliveryLatency").getTotalCount();
      long ha = HistogramFile.read(a.resolve("histograms.json")).histograms().get("deliveryLatency").getTotalCount();
      long hb = HistogramFile.read(b.resolve("histograms.json")).histograms().get("deliveryLatency").getTotalCount();
      assertThat(count).isPositive().isEqualTo(ha + hb);
      assertThat(c.at("/deliveryLatencyMs/count").asLong()).isEqualTo(ha + hb);
      assertThat(c.at("/connections/peakOpen").asLong()).isBetween(100L, 200L);
      assertThat(c.at("/server/rssBytesPeak").asLong()).isPositive();
      assertThat(Files.readString(merged.resolve("capacity.html"))).contains("merged from 2 injectors").contains("<svg");
    }
  }

  private static CliProcess.Result hold(ReferenceServerProcess server, Path reports) {
    try {
      return CliProcess.run(reports.resolveSibling(reports.getFileName() + "-work"), 120,
          "--url", server.base() + "/events", "--metrics-url", server.base() + "/metrics",
          "--scenario", "hold", "--connections", "100", "--ramp", "1s", "--hold", "3s", "--report-dir", reports.toString());
    } catch (IOException e) {
      throw new IllegalStateException("could not start the load tester: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * A fanout run of 150 connections, slow enough for any machine, at about this test's event rate:
   * 100 events in 7 s (the test publishes 20/s from the start to the end of the hold, and then
   * drains for 2 s: between about 11 and 20 events/s over its run, within a factor of 2).
   */
  private static CapacityReport easyBaseline() {
    return new CapacityReport("fanout", new CapacityReport.Target("http://127.0.0.1:1/events", "http://127.0.0.1:1/publish", null),
        7_000, new CapacityReport.Connections(150, 150, 0, 150, null, null),
        new CapacityReport.ConnectMs(1_000.0, 5_000.0, 10_000.0, 10_000.0),
        new CapacityReport.DeliveryLatencyMs(9_000, 1_000.0, 5_000.0, 10_000.0, 10_000.0, 10_000.0),
        new CapacityReport.Events(100L, 9_000, 9_000, 0, 0, 0),
        new CapacityReport.Server(50L << 20, 60L << 20, 10L << 20),
        new CapacityReport.Injector(1L << 28, 10.0), List.of(), CapacityReport.Projection.none("hand-made"));
  }

  private static String[] with(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  private static JsonNode capacity(Path reports) throws IOException {
    return JSON.readTree(Files.readString(reports.resolve("capacity.json")));
  }
}
