package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish flood one injector cannot read: the reference server's ticks (accounted) queue behind
 * 128 KiB events (counted, not accounted) on every stream, so when the run stops each reader is
 * seconds behind. The reference server loses nothing (it would disconnect a reader too far behind;
 * here its queue is made large enough not to), so what was not read must not be called lost, and
 * the injector must be named as the bottleneck. Before, that backlog was reported as lost and the
 * injector warning stayed silent.
 */
class FloodAccountingEndToEndTest {
  private static final Pattern OPEN = Pattern.compile("(?m)^sse_connections_open(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;

  /** The reference server's open streams, from its metrics; -1 when they cannot be read. */
  private static double openStreams(ReferenceServer server) {
    try {
      String text = HTTP.send(HttpRequest.newBuilder(URI.create(server.base() + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = OPEN.matcher(text);
      return m.find() ? Double.parseDouble(m.group(1)) : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void aReaderBehindAFloodReportsItsBacklogAsNotYetReadAndFlagsTheInjector() throws Exception {
    try (ReferenceServer server = ReferenceServer.start("--tick", "100ms", "--max-queue-bytes", Long.toString(256L << 20));
         // From the moment all 20 streams are open until the run has ended (the test closes it), 30 s at most.
         Flooder flood = new Flooder(server.base() + "/publish", 2, 128 * 1024, Duration.ofSeconds(30), 20_000,
             () -> openStreams(server) >= 20)) {
      Path reports = tmp.resolve("flood");
      CliProcess.Result r = CliProcess.run(tmp, 90, "--url", server.base() + "/events", "--scenario", "hold",
          "--connections", "20", "--ramp", "0s", "--hold", "5s", "--report-dir", reports.toString());

      assertThat(flood.published()).as("the flood ran").isPositive();
      JsonNode c = LoadRunEndToEndTest.capacity(reports);
      assertThat(c.at("/connections/opened").asLong()).as(r.both()).isEqualTo(20);
      assertThat(c.at("/events/notYetRead").asLong()).as(r.both()).isPositive();
      assertThat(c.at("/events/lost").asLong()).as("the reference server loses nothing: " + r.both()).isZero();
      assertThat(c.at("/events/delivered").asLong() + c.at("/events/notYetRead").asLong())
          .isEqualTo(c.at("/events/expectedDeliveries").asLong());
      assertThat(c.at("/injector/bottleneck").asText()).contains("its readers fell behind the stream");
      assertThat(r.stdout()).contains("not yet read by this injector")
          .contains("warning: the injector may be the bottleneck: its readers fell behind the stream")
          .doesNotContain("expected deliveries lost");
      assertThat(r.exitStatus()).as("the run did not measure the server: " + r.both()).isEqualTo(1);
    }
  }
}
