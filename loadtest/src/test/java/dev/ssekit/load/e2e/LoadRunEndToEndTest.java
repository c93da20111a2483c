package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Gatling runs of the CLI (child JVMs) against the real reference server and against a
 * deliberately broken one. Short (a few seconds each) and with no timing bounds: only counts and
 * consistency are asserted.
 */
class LoadRunEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void fanoutThroughThePublishContractDeliversEveryEventToEveryConnection() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "1s")) {
      Path reports = tmp.resolve("fanout");
      CliProcess.Result r = CliProcess.run(tmp, 90,
          "--url", server.base() + "/events", "--publish-url", server.base() + "/publish",
          "--metrics-url", server.base() + "/metrics",
          "--scenario", "fanout", "--connections", "150", "--ramp", "1s", "--hold", "3s", "--rate", "20",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = capacity(reports);
      assertThat(c.path("scenario").asText()).isEqualTo("fanout");
      assertThat(c.path("connections").path("requested").asLong()).isEqualTo(150);
      assertThat(c.path("connections").path("opened").asLong()).as(r.both()).isEqualTo(150);
      assertThat(c.path("connections").path("failed").asLong()).isZero();
      assertThat(c.path("connections").path("peakOpen").asLong()).isEqualTo(150);
      JsonNode events = c.path("events");
      assertThat(events.path("published").asLong()).isPositive();
      assertThat(events.path("expectedDeliveries").asLong()).isPositive();
      assertThat(events.path("delivered").asLong()).isEqualTo(events.path("expectedDeliveries").asLong());
      assertThat(events.path("lost").asLong()).isZero();
      assertThat(events.path("duplicated").asLong()).isZero();
      assertThat(events.path("outOfOrder").asLong()).isZero();
      // Every connection was open for the whole of publishing after the ramp: at least that many each.
      assertThat(events.path("expectedDeliveries").asLong()).isGreaterThanOrEqualTo(150L * 3 * 20 * 8 / 10);
      assertThat(c.path("deliveryLatencyMs").path("count").asLong())
          .isGreaterThanOrEqualTo(events.path("delivered").asLong());
      assertThat(c.path("deliveryLatencyMs").path("p99").isNumber()).isTrue();
      assertThat(c.path("connectMs").path("p50").isNumber()).isTrue();
      assertServerMemoryMeasured(c);
      assertThat(c.path("injector").path("heapBytesPeak").asLong()).isPositive();
      assertThat(c.path("injector").path("cpuSeconds").asDouble()).isPositive();
      assertThat(c.path("target").path("metricsUrl").asText()).isEqualTo(server.base() + "/metrics");
      assertThat(c.path("steps")).hasSize(1);

      var histograms = HistogramFile.read(reports.resolve("histograms.json")).histograms();
      assertThat(histograms.get("deliveryLatency").getTotalCount())
          .isEqualTo(c.path("deliveryLatencyMs").path("count").asLong());
      assertThat(histograms.get("connect").getTotalCount()).isEqualTo(150);
      assertThat(gatlingReport(reports)).as("Gatling's HTML report is kept").isTrue();
      assertThat(r.stdout()).contains("OK: nothing lost or duplicated").contains("first event  p50 ").contains("(150 streams)");
      assertThat(Files.readString(reports.resolve("capacity.html"))).contains("Time to first event (ms)");
    }
  }

  @Test
  void holdCountsTheReferenceServersTicksAndReadsItsMemoryFromProc() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "200ms")) {
      Path reports = tmp.resolve("hold");
      CliProcess.Result r = CliProcess.run(tmp, 90,
          "--url", server.base() + "/events", "--server-pid", Long.toString(server.pid()),
          "--scenario", "hold", "--connections", "100", "--ramp", "1s", "--hold", "2s",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = capacity(reports);
      assertThat(c.path("connections").path("opened").asLong()).as(r.both()).isEqualTo(100);
      JsonNode events = c.path("events");
      // Ticks: 2 s of hold at 5 per second reach every connection.
      assertThat(events.path("expectedDeliveries").asLong()).isGreaterThanOrEqualTo(100L * 2 * 5 * 8 / 10);
      assertThat(events.path("delivered").asLong()).isEqualTo(events.path("expectedDeliveries").asLong());
      assertThat(events.path("lost").asLong()).isZero();
      assertThat(events.path("duplicated").asLong()).isZero();
      assertThat(events.path("published").asLong()).isPositive();
      assertThat(c.path("deliveryLatencyMs").path("count").asLong()).isPositive();
      assertThat(c.path("target").path("publishUrl").isNull()).isTrue();
      assertThat(c.path("target").path("metricsUrl").isNull()).isTrue();
      assertServerMemoryMeasured(c);
    }
  }

  @Test
  void aServerThatDropsAndRepeatsEventsFailsTheRun() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer()) {
      Path reports = tmp.resolve("broken");
      CliProcess.Result r = CliProcess.run(tmp, 90,
          "--url", server.url(), "--scenario", "hold", "--connections", "20", "--ramp", "0s", "--hold", "2s",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      JsonNode c = capacity(reports);
      assertThat(c.path("connections").path("opened").asLong()).isEqualTo(20);
      // Every 7th tick is never sent and every 5th is sent twice: both show, on every connection.
      assertThat(c.path("events").path("lost").asLong()).isGreaterThanOrEqualTo(20);
      assertThat(c.path("events").path("duplicated").asLong()).isGreaterThanOrEqualTo(20);
      assertThat(c.path("server").path("rssBytesBaseline").isNull()).as("no memory source given").isTrue();
      assertThat(r.stdout()).contains("FAILED: ").contains("expected deliveries lost").contains("duplicated");
    }
  }

  @Test
  void theReferenceServersLossyTicksScenarioFailsTheRunNamingEachFault() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "1s")) {
      Path reports = tmp.resolve("lossy");
      CliProcess.Result r = CliProcess.run(tmp, 90,
          "--url", server.base() + "/scenarios/lossy-ticks", "--server-pid", Long.toString(server.pid()),
          "--scenario", "hold", "--connections", "20", "--ramp", "0s", "--hold", "3s",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      JsonNode c = capacity(reports);
      assertThat(c.path("connections").path("opened").asLong()).isEqualTo(20);
      // 100 ms ticks for 3 s and more: every 7th lost, every 5th twice, every 11th late, on every connection.
      assertThat(c.at("/events/lost").asLong()).isGreaterThanOrEqualTo(20L * 3);
      assertThat(c.at("/events/duplicated").asLong()).isGreaterThanOrEqualTo(20L * 4);
      assertThat(c.at("/events/outOfOrder").asLong()).isGreaterThanOrEqualTo(20L);
      assertThat(r.stdout()).contains("FAILED: ").contains("lost").contains("duplicated").contains("out of order");
    }
  }

  private static void assertServerMemoryMeasured(JsonNode c) {
    JsonNode s = c.path("server");
    assertThat(s.path("rssBytesBaseline").asLong()).isPositive();
    assertThat(s.path("rssBytesPeak").asLong()).isGreaterThanOrEqualTo(s.path("rssBytesBaseline").asLong());
    assertThat(s.path("bytesPerConnection").isNumber()).isTrue();
  }

  static JsonNode capacity(Path reports) throws IOException {
    return JSON.readTree(Files.readString(reports.resolve("capacity.json")));
  }

  private static boolean gatlingReport(Path reports) throws IOException {
    try (Stream<Path> s = Files.walk(reports.resolve("gatling"), 2)) {
      return s.anyMatch(p -> p.getFileName().toString().equals("index.html"));
    }
  }
}
