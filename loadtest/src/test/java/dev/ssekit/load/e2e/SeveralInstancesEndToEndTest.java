package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.testkit.RedisProcess;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --urls} for real (issue 11): a real Redis, two reference servers sharing it ({@code
 * --broker}, no ticks), and a Gatling fan-out (a child JVM) spread over both while it publishes on
 * one of them. Every connection must get every event, whichever instance it is on; the instances'
 * own counters say the connections went to them in turn. Only counts are asserted.
 */
class SeveralInstancesEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONNECTIONS = 40;

  @TempDir Path tmp;

  @Test
  void aFanoutOverTwoInstancesSharingRedisDeliversEveryEventToEveryConnectionOnBoth() throws Exception {
    try (RedisProcess redis = RedisProcess.start(false);
        ReferenceServerProcess a = ReferenceServerProcess.start("--broker", redis.uri(), "--tick", "0");
        ReferenceServerProcess b = ReferenceServerProcess.start("--broker", redis.uri(), "--tick", "0")) {
      Path reports = tmp.resolve("fanout");
      CliProcess.Result r = CliProcess.run(tmp, 120,
          "--urls", a.url("/events") + "," + b.url("/events"), "--publish-url", a.url("/publish"),
          "--scenario", "fanout", "--connections", Integer.toString(CONNECTIONS), "--ramp", "1s", "--hold", "3s",
          "--rate", "10", "--report-dir", reports.toString());

      assertThat(r.exitStatus()).as(r.both()).isZero();
      JsonNode c = JSON.readTree(Files.readString(reports.resolve("capacity.json")));
      assertThat(c.at("/target/url").asText()).isEqualTo(a.url("/events"));
      assertThat(c.at("/target/urls/0").asText()).isEqualTo(a.url("/events"));
      assertThat(c.at("/target/urls/1").asText()).isEqualTo(b.url("/events"));
      assertThat(c.at("/target/urls")).hasSize(2);
      assertThat(c.at("/connections/opened").asLong()).as(r.both()).isEqualTo(CONNECTIONS);
      assertThat(c.at("/connections/failed").asLong()).isZero();

      JsonNode events = c.path("events");
      assertThat(events.path("published").asLong()).isPositive();
      // Every connection was open for the whole hold (3 s at 10 events/s): at least that many each.
      assertThat(events.path("expectedDeliveries").asLong()).as(r.both()).isGreaterThanOrEqualTo(CONNECTIONS * 3L * 10 * 8 / 10);
      assertThat(events.path("delivered").asLong()).isEqualTo(events.path("expectedDeliveries").asLong());
      assertThat(events.path("lost").asLong()).isZero();
      assertThat(events.path("duplicated").asLong()).isZero();
      assertThat(events.path("outOfOrder").asLong()).isZero();
      assertThat(events.path("notYetRead").asLong()).isZero();

      // Round robin by virtual user: each instance opened half the streams, and sent events to them.
      for (ReferenceServerProcess instance : new ReferenceServerProcess[] {a, b}) {
        String metrics = metrics(instance);
        assertThat(counter(metrics, "sse_connections_opened_total")).as(instance.base()).isEqualTo(CONNECTIONS / 2.0);
        assertThat(counter(metrics, "sse_events_delivered_total")).as(instance.base())
            .isGreaterThanOrEqualTo(CONNECTIONS / 2 * 3 * 10 * 0.8);
      }

      assertThat(c.at("/server/rssBytesBaseline").isNull()).as("no instance's memory was read").isTrue();
      assertThat(c.at("/projection/instancesForTarget").isNull()).isTrue();
      assertThat(c.at("/projection/assumptions").asText()).contains("spread over 2 instances");
      assertThat(r.stdout()).contains("against " + a.url("/events") + " and 1 more").contains("OK: nothing lost");
      assertThat(Files.readString(reports.resolve("capacity.html"))).contains("(2 instances, the connections in turn)");
    }
  }

  private static String metrics(ReferenceServerProcess server) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url("/metrics")))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(server.url("/metrics")).isEqualTo(200);
    return r.body();
  }

  /** The value of an unlabelled (or labelled) Prometheus counter, failing with the text when absent. */
  private static double counter(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(metrics);
    assertThat(m.find()).as(name + " in\n" + metrics).isTrue();
    return Double.parseDouble(m.group(2));
  }
}
