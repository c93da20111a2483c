package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What was not read when the run stopped: lost by the server, or not yet read by this injector.
 * The rule reads each stream after the hold until it goes quiet or the drain cap (10 s after the
 * grace) runs out; no timestamps are interpreted. Both servers here are deterministic relays of
 * the run's publishes ({@link BrokenSseServer}, 20 a second for 3 s): one that relays every event
 * 3 s late and drops what it holds 1.8 s after the last publish (its streams then go quiet), and
 * one that relays one event per stream every 400 ms, still delivering its backlog when the drain
 * cap runs out.
 *
 * <p>Before, the rule inferred "behind" from end-to-end latency (1 s or more) and a message within
 * 1 s of the close: the server that drops the newest events while draining its backlog was
 * reported "lost 0, not yet read N", blaming the injector; and a backlog the injector had not read
 * failed the run with exit 1 like a server fault.
 */
class FloodAccountingEndToEndTest {
  @TempDir Path tmp;

  private CliProcess.Result run(BrokenSseServer server, Path reports) throws Exception {
    return CliProcess.run(tmp, 90, "--url", server.url(), "--publish-url", server.base() + "/publish",
        "--publish-format", "raw", "--rate", "20", "--scenario", "fanout", "--connections", "2", "--ramp", "0s",
        "--hold", "3s", "--report-dir", reports.toString());
  }

  @Test
  void aServerThatDropsTheNewestEventsWhileDrainingItsBacklogLosesThem() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.SLOW_RELAY_DROPS_TAIL)) {
      Path reports = tmp.resolve("drops");
      CliProcess.Result r = run(server, reports);

      JsonNode c = LoadRunEndToEndTest.capacity(reports);
      assertThat(c.at("/connections/opened").asLong()).as(r.both()).isEqualTo(2);
      assertThat(c.at("/events/notYetRead").asLong()).as("its streams went quiet: nothing is on its way: " + r.both()).isZero();
      assertThat(c.at("/events/delivered").asLong()).as(r.both()).isPositive();
      assertThat(c.at("/events/lost").asLong()).as(r.both()).isPositive()
          .isEqualTo(c.at("/events/expectedDeliveries").asLong() - c.at("/events/delivered").asLong());
      assertThat(c.at("/injector/bottleneck").asText()).doesNotContain("readers fell behind");
      assertThat(r.stdout()).contains("expected deliveries lost").doesNotContain("not yet read");
      assertThat(r.exitStatus()).as("a server fault: " + r.both()).isEqualTo(1);
    }
  }

  @Test
  void aStreamStillDeliveringItsBacklogWhenTheDrainRunsOutIsNotYetReadAndExits2() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.SLOW_RELAY)) {
      Path reports = tmp.resolve("behind");
      CliProcess.Result r = run(server, reports);

      JsonNode c = LoadRunEndToEndTest.capacity(reports);
      assertThat(c.at("/connections/opened").asLong()).as(r.both()).isEqualTo(2);
      assertThat(c.at("/events/lost").asLong()).as("the relay loses nothing: " + r.both()).isZero();
      assertThat(c.at("/events/notYetRead").asLong()).as(r.both()).isPositive();
      assertThat(c.at("/events/delivered").asLong() + c.at("/events/notYetRead").asLong())
          .isEqualTo(c.at("/events/expectedDeliveries").asLong());
      assertThat(c.at("/injector/bottleneck").asText()).contains("its readers fell behind the stream");
      assertThat(r.stdout()).contains("not yet read by this injector")
          .contains("warning: the injector may be the bottleneck: its readers fell behind the stream")
          .contains("this run measured the injector, not the server")
          .doesNotContain("expected deliveries lost");
      assertThat(r.exitStatus()).as("the run measured the injector, not the server: " + r.both()).isEqualTo(2);
    }
  }
}
