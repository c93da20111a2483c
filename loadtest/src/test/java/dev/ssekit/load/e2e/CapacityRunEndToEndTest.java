package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.testkit.ReferenceServerProcess;
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
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "1s")) {
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
      // Connections per GiB only from a fitted memory line: three short steps on a shared machine
      // may be too noisy to fit (R² below 0.8), and then there is no figure, whatever the slope.
      if (!p.path("limits").get(0).path("state").asText().equals("limit")) {
        assertThat(p.path("connectionsPerGiB").isNull()).isTrue();
      } else {
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

  /**
   * With the server's pid: its open-file limit and CPU time are read from /proc, each step records
   * the server CPU it spent, and the plan names a binding limit or says it has not enough data
   * (three short steps on a shared machine may be too noisy to fit; either is an honest answer).
   */
  @Test
  void withTheServersPidThePlanWeighsFilesAndCpu() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "1s")) {
      Path reports = tmp.resolve("plan");
      CliProcess.Result r = CliProcess.run(tmp, 150,
          "--url", server.base() + "/events", "--publish-url", server.base() + "/publish",
          "--server-pid", Long.toString(server.pid()),
          "--scenario", "capacity", "--steps", "50,100,200", "--ramp", "1s", "--hold", "3s", "--rate", "10",
          "--slo-p99", "2s", "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = JSON.readTree(Files.readString(reports.resolve("capacity.json")));
      JsonNode p = c.path("projection");
      assertThat(p.path("sloP99Ms").asDouble()).isEqualTo(2000.0);
      long maxFiles = p.path("serverMaxFiles").asLong();
      long atStart = p.path("serverFilesAtStart").asLong();
      assertThat(maxFiles).as("read from /proc/PID/limits").isPositive();
      assertThat(atStart).as("read from /proc/PID/fd").isPositive().isLessThan(maxFiles);
      JsonNode limits = p.path("limits");
      assertThat(limits).hasSize(5);
      assertThat(limits.get(1).path("name").asText()).isEqualTo("file-descriptors");
      assertThat(limits.get(1).path("connectionsPerInstance").asLong()).isEqualTo(maxFiles - atStart);
      assertThat(limits.get(4).path("name").asText()).isEqualTo("connections-held");
      assertThat(p.path("cores").asInt()).as("the server's allowed CPUs, /proc/PID/status").isPositive();
      assertThat(p.path("coresShared").asBoolean()).as("loopback: the injector shares the machine").isTrue();
      assertThat(p.path("eventsPerConnectionPerSecond").asDouble()).as("the publish rate").isEqualTo(10.0);
      for (JsonNode s : c.path("steps")) {
        assertThat(s.path("windowMs").asLong()).isPositive();
        assertThat(s.path("delivered").asLong()).isPositive();
        assertThat(s.path("serverCpuSeconds").isNumber()).as("the server's CPU read in each step: " + s).isTrue();
        assertThat(s.path("serverCpuSeconds").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(s.path("serverCpuWindowMs").asLong()).as("the span of the CPU readings").isPositive();
        assertThat(s.path("connectionsMin").asLong()).isPositive();
        // What the injector spent and published in the step: 10 events/s over a 3 s hold.
        assertThat(s.path("serverCpuMicrosPerDelivery").isNumber()).as(s.toString()).isTrue();
        assertThat(s.path("injectorCpuSeconds").asDouble()).as(s.toString()).isPositive();
        assertThat(s.path("injectorCpuMicrosPerDelivery").asDouble()).isPositive();
        assertThat(s.path("injectorRssBytes").asLong()).isPositive();
        assertThat(s.path("injectorSpanMs").asLong()).isPositive();
        assertThat(s.path("published").asLong()).as(s.toString()).isBetween(15L, 45L);
        assertThat(s.path("publishedPerSecond").asDouble()).isBetween(7.0, 12.0);
      }
      JsonNode pub = c.at("/events/publishing");
      assertThat(pub.path("ratePerSecond").asDouble()).isEqualTo(10.0);
      assertThat(pub.path("publishedPerSecond").asDouble()).as(pub.toString()).isBetween(7.0, 11.0);
      assertThat(pub.path("roundTripP50Ms").asDouble()).isPositive();
      assertThat(pub.path("behind").asBoolean()).isFalse();
      assertThat(c.at("/injector/rssBytesPeak").asLong()).isPositive();
      assertThat(r.stdout()).containsPattern("publishing   10 events/s asked, [0-9.]+ held; a publish took p50 ")
          .doesNotContain("warning: the publisher held");
      JsonNode cpu = limits.get(2);
      assertThat(cpu.path("name").asText()).isEqualTo("cpu");
      assertThat(cpu.path("state").asText()).as(cpu.toString()).isNotEqualTo("not-measured");
      String status = p.path("status").asText();
      assertThat(status).isIn("projected", "not-enough-data");
      if (status.equals("projected")) {
        assertThat(p.path("bindingLimit").asText()).isIn("memory", "file-descriptors", "cpu", "latency", "connections-held");
        assertThat(p.path("instancesForTarget").asLong()).isPositive();
        assertThat(r.stdout()).contains("binding limit: ");
      } else {
        assertThat(p.path("instancesForTarget").isNull()).isTrue();
        assertThat(r.stdout()).contains("not enough data to project");
      }
      // One console line per limit; the full reasons are in capacity.json.
      assertThat(r.stdout()).containsPattern("\\n {15}file descriptors +[0-9,]+ per instance +may open [0-9,]+, [0-9,]+ held before the run\\n");
      assertThat(Files.readString(reports.resolve("capacity.html"))).contains("Capacity limits against connections");
    }
  }

  /** The default run's shape (one fanout step of 100 connections) has not enough data to project. */
  @Test
  void theDefaultShapeSaysItHasNotEnoughData() throws Exception {
    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "1s")) {
      Path reports = tmp.resolve("default");
      CliProcess.Result r = CliProcess.run(tmp, 120,
          "--url", server.base() + "/events", "--publish-url", server.base() + "/publish",
          "--server-pid", Long.toString(server.pid()), "--connections", "100", "--ramp", "1s", "--hold", "3s",
          "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode p = JSON.readTree(Files.readString(reports.resolve("capacity.json"))).path("projection");
      assertThat(p.path("status").asText()).isEqualTo("not-enough-data");
      assertThat(p.path("instancesForTarget").isNull()).isTrue();
      assertThat(p.path("connectionsPerGiB").isNull()).isTrue();
      assertThat(p.path("headline").asText()).startsWith("not enough data to project: 1 step with server memory measured");
      assertThat(r.stdout()).contains("capacity     not enough data to project").doesNotContain("instances for");
    }
  }
}
