package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.testkit.RedisProcess;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --injectors N} for real (issue 11): the CLI starts N injector JVMs, each with its share
 * and its own source addresses, starts them together and merges their reports. Only counts,
 * addresses and files are asserted.
 */
class InjectorsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void twoInjectorsSplitTheConnectionsOverTheirOwnSourceAddressesAndMergeIntoOneRun() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.NONE)) {
      Path reports = tmp.resolve("hold");
      CliProcess.Result r = CliProcess.run(tmp, 120, "--url", server.url(), "--scenario", "hold", "--connections", "41",
          "--ramp", "1s", "--hold", "2s", "--injectors", "2", "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      // Injector 1 had 127.0.0.2-5, injector 2 127.0.0.6-9, and each spread its streams over its own.
      assertThat(server.clientAddresses()).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5",
          "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9");
      JsonNode one = capacity(reports.resolve("injector-1"));
      JsonNode two = capacity(reports.resolve("injector-2"));
      assertThat(one.at("/connections/requested").asLong()).isEqualTo(21);
      assertThat(two.at("/connections/requested").asLong()).isEqualTo(20);
      JsonNode merged = capacity(reports);
      assertThat(merged.at("/connections/requested").asLong()).isEqualTo(41);
      assertThat(merged.at("/connections/opened").asLong()).as(r.both()).isEqualTo(41);
      assertThat(merged.at("/connections/peakOpen").asLong()).isEqualTo(41);
      assertThat(merged.at("/steps/0/connectionsMin").asLong()).isEqualTo(41);
      // The server's ticks are the same events for both: counted once, and every one delivered.
      assertThat(merged.at("/events/published").asLong()).isEqualTo(Math.max(one.at("/events/published").asLong(),
          two.at("/events/published").asLong()));
      assertThat(merged.at("/events/delivered").asLong()).isPositive()
          .isEqualTo(merged.at("/events/expectedDeliveries").asLong());
      assertThat(merged.at("/events/lost").asLong()).isZero();
      assertThat(r.stdout()).contains("all 2 injectors ready; they start together at")
          .contains("injector 1 of 2 ended (exit 0)").contains("injector 2 of 2 ended (exit 0)")
          .contains("41 requested, 41 opened").contains("OK: nothing lost");
      assertThat(reports.resolve("capacity.html")).exists();
      assertThat(Files.readString(reports.resolve("injector-2").resolve("console.log"))).contains("OK: nothing lost");
    }
  }

  @Test
  void twoInjectorsPublishingOverTwoBrokerInstancesCheckEveryEventOnEveryStream() throws Exception {
    try (RedisProcess redis = RedisProcess.start(false);
        ReferenceServerProcess a = ReferenceServerProcess.start("--broker", redis.uri(), "--tick", "0");
        ReferenceServerProcess b = ReferenceServerProcess.start("--broker", redis.uri(), "--tick", "0")) {
      Path reports = tmp.resolve("fanout");
      CliProcess.Result r = CliProcess.run(tmp, 150,
          "--urls", a.url("/events") + "," + b.url("/events"), "--publish-url", a.url("/publish"),
          "--server-pid", a.pid() + "," + b.pid(),
          "--scenario", "fanout", "--connections", "40", "--ramp", "1s", "--hold", "3s", "--rate", "10",
          "--injectors", "2", "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode one = capacity(reports.resolve("injector-1"));
      JsonNode two = capacity(reports.resolve("injector-2"));
      JsonNode merged = capacity(reports);
      assertThat(merged.at("/connections/opened").asLong()).as(r.both()).isEqualTo(40);
      assertThat(merged.at("/target/urls")).hasSize(2);
      // Each published half the rate under its own run id; the counts sum.
      assertThat(one.at("/events/published").asLong()).isPositive();
      assertThat(two.at("/events/published").asLong()).isPositive();
      assertThat(merged.at("/events/published").asLong())
          .isEqualTo(one.at("/events/published").asLong() + two.at("/events/published").asLong());
      // Each stream got both injectors' events: 3 s at 10 events/s in all, 5/s of them its own.
      JsonNode events = merged.path("events");
      assertThat(events.path("expectedDeliveries").asLong()).isGreaterThanOrEqualTo(40L * 3 * 5 * 8 / 10);
      assertThat(events.path("delivered").asLong()).isEqualTo(events.path("expectedDeliveries").asLong());
      assertThat(events.path("lost").asLong()).isZero();
      assertThat(events.path("duplicated").asLong()).isZero();
      assertThat(events.path("outOfOrder").asLong()).isZero();
      JsonNode diagnostics = JSON.readTree(Files.readString(reports.resolve("histograms.json"))).path("diagnostics");
      // The other injector's events were checked for repeats and order on every stream: as many as its own.
      assertThat(diagnostics.path("peerEvents").asLong()).isGreaterThanOrEqualTo(40L * 3 * 5 * 8 / 10);
      // Every delivery is timed, the other injector's too (and its own sent before a stream opened).
      assertThat(merged.at("/deliveryLatencyMs/count").asLong())
          .isGreaterThanOrEqualTo(events.path("delivered").asLong() + diagnostics.path("peerEvents").asLong());
      assertThat(r.stdout()).contains("its own injector's events for loss");

      // One pid per instance: their memory is read together, and one instance is sized from it.
      long rssA = rss(a.pid());
      long rssB = rss(b.pid());
      assertThat(merged.at("/server/rssBytesPeak").asLong()).as("both instances' memory").isGreaterThan(Math.max(rssA, rssB))
          .isLessThan(2 * (rssA + rssB));
      assertThat(merged.at("/projection/assumptions").asText()).startsWith("One instance sized from the 2 measured together");
      assertThat(merged.at("/projection/serverMaxFiles").asLong()).isPositive();
      // The per-instance line starts from half the two instances' baseline (each step's figures halved).
      assertThat(merged.at("/projection/baseRssBytes").asLong())
          .isCloseTo(merged.at("/server/rssBytesBaseline").asLong() / 2, org.assertj.core.data.Offset.offset(1L));
      assertThat(r.stdout()).contains("(2 instances summed)");
    }
  }

  @Test
  void anInjectorKilledMidRunStopsTheOthersAndTheRunSaysWhich() throws Exception {
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.NONE)) {
      Path reports = tmp.resolve("killed");
      Process cli = CliProcess.start(tmp, java.util.List.of(), "--url", server.url(), "--scenario", "hold",
          "--connections", "4", "--ramp", "0s", "--hold", "60s", "--injectors", "2", "--report-dir", reports.toString());
      Path ready1 = reports.resolve("injector-1").resolve("ready");
      Path ready2 = reports.resolve("injector-2").resolve("ready");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!(Files.exists(ready1) && Files.exists(ready2)) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(ready2).as("injector 2 got ready").exists();
      long first = Long.parseLong(Files.readString(ready1).trim());
      ProcessHandle.of(Long.parseLong(Files.readString(ready2).trim())).orElseThrow().destroyForcibly();

      CliProcess.Result r = CliProcess.await(cli, tmp, 60);
      assertThat(r.exitStatus()).as(r.both()).isEqualTo(2);
      assertThat(r.stderr()).contains("injector 2 ended while the others ran, without a report; stopped them all (exit 137)");
      long gone = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < gone) {
        Thread.sleep(50);
      }
      assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).as("injector 1 stopped").isFalse();
      assertThat(reports.resolve("capacity.json")).doesNotExist();
    }
  }

  /** VmRSS of a process now, in bytes. */
  private static long rss(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new AssertionError("no VmRSS for " + pid);
  }

  private static JsonNode capacity(Path dir) throws Exception {
    return JSON.readTree(Files.readString(dir.resolve("capacity.json")));
  }
}
