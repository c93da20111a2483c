package dev.ssekit.load.e2e;

import static dev.ssekit.load.e2e.LoadRunEndToEndTest.capacity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconnect storm through the CLI (child JVMs, real Gatling): every stream is dropped at once
 * in the middle of the hold and reconnects with {@code Last-Event-ID}. Against the reference
 * server nothing is lost or repeated across the drop; against servers that resume wrongly the
 * run says so and exits 1. Counts only, no timing bounds.
 */
class ReconnectStormEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void theReferenceServerReplaysEveryEventMissedDuringTheDrop() throws Exception {
    // 500 ms away from the stream while the tool publishes 20 events/s and the server ticks
    // 10/s: each new stream must be sent about 15 events from the history.
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "100ms", "--retry", "500ms")) {
      Path reports = tmp.resolve("storm");
      CliProcess.Result r = CliProcess.run(tmp, 120,
          "--url", server.base() + "/events", "--publish-url", server.base() + "/publish",
          "--scenario", "reconnect-storm", "--connections", "200", "--ramp", "1s", "--hold", "4s", "--rate", "20",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = capacity(reports);
      assertThat(c.path("scenario").asText()).isEqualTo("reconnect-storm");
      JsonNode conns = c.path("connections");
      assertThat(conns.path("opened").asLong()).as(r.both()).isEqualTo(200);
      assertThat(conns.path("reconnects").asLong()).as(r.both()).isEqualTo(conns.path("opened").asLong());
      assertThat(conns.path("recoveryMs").isNumber()).as("every stream recovered").isTrue();
      assertThat(conns.path("recoveryMs").asLong()).isPositive();
      JsonNode events = c.path("events");
      assertThat(events.path("expectedDeliveries").asLong()).isPositive();
      assertThat(events.path("delivered").asLong()).isEqualTo(events.path("expectedDeliveries").asLong());
      assertThat(events.path("lost").asLong()).isZero();
      assertThat(events.path("duplicated").asLong()).isZero();
      assertThat(events.path("outOfOrder").asLong()).isZero();

      JsonNode file = JSON.readTree(Files.readString(reports.resolve("histograms.json")));
      JsonNode diag = file.path("diagnostics");
      assertThat(diag.path("stormDropped").asLong()).isEqualTo(200);
      assertThat(diag.path("stormReconnectsFailed").asLong()).isZero();
      assertThat(diag.path("stormWithoutLastEventId").asLong()).isZero();
      assertThat(diag.path("stormReconnectDelayMs").asLong()).as("the server's retry hint is honoured").isEqualTo(500);
      assertThat(diag.path("stormReplayedEvents").asLong()).as("the resume was exercised").isGreaterThanOrEqualTo(200);
      var histograms = HistogramFile.read(reports.resolve("histograms.json")).histograms();
      assertThat(histograms.get("recovery").getTotalCount()).isEqualTo(200);
      assertThat(histograms.get("reconnect").getTotalCount()).isEqualTo(200);
      assertThat(histograms.get("recovery").getMaxValue() / 1000).isLessThanOrEqualTo(conns.path("recoveryMs").asLong() + 1);
      assertThat(r.stdout()).contains("200 reconnected, 0 failed").contains("recovery     drop to first event")
          .contains("OK: nothing lost or duplicated");
    }
  }

  @Test
  void aServerThatIgnoresLastEventIdLosesWhatWasSentDuringTheDrop() throws Exception {
    JsonNode c = stormAgainst(BrokenSseServer.Fault.IGNORES_LAST_EVENT_ID);
    // 300 ms away at 20 ticks/s: every stream misses several.
    assertThat(c.path("events").path("lost").asLong()).isGreaterThanOrEqualTo(2L * 50);
    assertThat(c.path("events").path("duplicated").asLong()).isZero();
  }

  @Test
  void aServerThatReplaysFromTheStartRepeatsWhatWasDeliveredBeforeTheDrop() throws Exception {
    JsonNode c = stormAgainst(BrokenSseServer.Fault.REPLAYS_FROM_START);
    // Each stream had at least a second of ticks before the drop; all come again.
    assertThat(c.path("events").path("duplicated").asLong()).isGreaterThanOrEqualTo(10L * 50);
    assertThat(c.path("events").path("lost").asLong()).isZero();
  }

  /** A storm of 50 streams against the broken server: it must exit 1 and say why; every stream did reconnect. */
  private JsonNode stormAgainst(BrokenSseServer.Fault fault) throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(fault)) {
      Path reports = tmp.resolve(fault.name());
      CliProcess.Result r = CliProcess.run(tmp, 120,
          "--url", server.url(), "--scenario", "reconnect-storm", "--connections", "50", "--ramp", "0s", "--hold", "3s",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isEqualTo(1);
      assertThat(r.stdout()).contains("FAILED: ");
      JsonNode c = capacity(reports);
      assertThat(c.path("connections").path("opened").asLong()).as(r.both()).isEqualTo(50);
      assertThat(c.path("connections").path("reconnects").asLong()).as(r.both()).isEqualTo(50);
      return c;
    }
  }
}
