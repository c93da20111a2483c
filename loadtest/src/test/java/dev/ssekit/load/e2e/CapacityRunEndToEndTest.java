package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real capacity run (child JVM, Gatling) against the real reference server: three short steps.
 * Only counts and consistency are asserted, never timing.
 */
class CapacityRunEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void eachStepHoldsItsConnectionsAndTheMemoryLineIsFitted() throws Exception {
    try (ReferenceServer server = ReferenceServer.start("--tick", "1s")) {
      Path reports = tmp.resolve("capacity");
      CliProcess.Result r = CliProcess.run(tmp, 150,
          "--url", server.base() + "/events", "--publish-url", server.base() + "/publish",
          "--metrics-url", server.base() + "/metrics",
          "--scenario", "capacity", "--steps", "50,100,200", "--ramp", "1s", "--hold", "3s", "--rate", "10",
          "--target-connections", "50000", "--instance-memory", "2g",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = JSON.readTree(Files.readString(reports.resolve("capacity.json")));
      assertThat(c.path("scenario").asText()).isEqualTo("capacity");
      assertThat(c.at("/connections/requested").asLong()).isEqualTo(200);
      assertThat(c.at("/connections/opened").asLong()).as(r.both()).isEqualTo(200);
      assertThat(c.at("/connections/failed").asLong()).isZero();
      assertThat(c.at("/events/lost").asLong()).isZero();
      assertThat(c.at("/events/duplicated").asLong()).isZero();
      assertThat(c.at("/events/delivered").asLong()).isPositive();

      JsonNode steps = c.path("steps");
      assertThat(steps).hasSize(3);
      long[] targets = {50, 100, 200};
      for (int i = 0; i < 3; i++) {
        JsonNode s = steps.get(i);
        assertThat(s.path("target").asLong()).isEqualTo(targets[i]);
        assertThat(s.path("connections").asLong()).as("step %d held its connections", i).isEqualTo(targets[i]);
        assertThat(s.path("rssBytes").asLong()).isPositive();
        assertThat(s.path("deliveryP50Ms").isNumber()).as("events were delivered in step %d", i).isTrue();
        assertThat(s.path("deliveryP99Ms").asDouble()).isGreaterThanOrEqualTo(s.path("deliveryP50Ms").asDouble());
      }
      JsonNode p = c.path("projection");
      assertThat(p.path("targetConnections").asLong()).isEqualTo(50_000);
      assertThat(p.path("instanceMemoryBytes").asLong()).isEqualTo(2L << 30);
      assertThat(p.path("assumptions").asText()).contains("4 points");
      if (p.path("bytesPerConnection").asLong() > 0) {
        long perGiB = (1L << 30) / p.path("bytesPerConnection").asLong();
        assertThat(p.path("connectionsPerGiB").asLong()).as("GiB over the (rounded) slope").isBetween(perGiB - 1, perGiB + 1);
        assertThat(c.at("/server/bytesPerConnection").asLong()).isEqualTo(p.path("bytesPerConnection").asLong());
      }

      RunRecord run = HistogramFile.read(reports.resolve("histograms.json"));
      assertThat(run.steps()).hasSize(3);
      assertThat(run.timeline()).isNotEmpty();
      long peak = run.timeline().stream().mapToLong(RunRecord.TimelinePoint::open).max().orElseThrow();
      assertThat(peak).isEqualTo(200);
      // The periods' latency histograms together hold every delivery the run timed.
      long periods = run.timeline().stream().mapToLong(t -> t.latency().getTotalCount()).sum();
      assertThat(periods).isEqualTo(c.at("/deliveryLatencyMs/count").asLong());
      // Steps' windows are in order and do not overlap.
      for (int i = 1; i < 3; i++) {
        assertThat(run.steps().get(i).fromMs()).isGreaterThanOrEqualTo(run.steps().get(i - 1).toMs());
      }
      assertThat(r.stdout()).contains("step    200").contains("OK: nothing lost or duplicated");
    }
  }
}
