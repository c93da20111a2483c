package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import com.sun.net.httpserver.HttpServer;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * lifecycle.abandoned-streams-released with a connection gauge (--metrics-url, rule L-03): the
 * real reference server's {@code sse_connections_open} returns to its baseline; a server whose
 * gauge never comes down fails, naming the leak; a missing metric skips with the reason.
 */
class ConnectionGaugeTest {

  private static ReferenceServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    server = ReferenceServerProcess.start("--tick", "500ms");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** The check alone, strict (its SHOULD fails), standard profile (50 streams). */
  private static EngineExecutionResults run(String url, String metricsUrl, String gauge) {
    EngineTestKit.Builder b = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Target.URL, url)
        .configurationParameter(Target.METRICS_URL, metricsUrl)
        .configurationParameter(Target.PROFILE, "standard")
        .configurationParameter(Target.STRICT, "true")
        .selectors(selectMethod(ReleaseChecks.class, "abandonedStreams", String.join(",", Target.class.getName(),
            dev.ssekit.conformance.record.Recorder.class.getName(), Findings.class.getName())));
    if (gauge != null) b.configurationParameter(Target.CONNECTION_GAUGE, gauge);
    return b.execute();
  }

  private static String notes(EngineExecutionResults r) {
    StringBuilder sb = new StringBuilder();
    r.allEvents().reportingEntryPublished().stream().map(e -> e.getPayload(ReportEntry.class).orElseThrow())
        .forEach(e -> sb.append(e.getKeyValuePairs().getOrDefault(Findings.KEY_NOTE, "")).append('\n'));
    return sb.toString();
  }

  private static TestExecutionResult result(EngineExecutionResults r) {
    List<Event> finished = r.testEvents().finished().list();
    assertThat(finished).hasSize(1);
    return finished.get(0).getPayload(TestExecutionResult.class).orElseThrow();
  }

  @Test
  void theReferenceServersGaugeReturnsToItsBaseline() {
    EngineExecutionResults r = run(server.url("/events"), server.url("/metrics"), null);
    TestExecutionResult result = result(r);
    assertThat(result.getStatus()).as("%s\n%s", result, notes(r)).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    // The gauge rose with the held streams (so it was judged), then came back down.
    assertThat(notes(r)).containsPattern("sse_connections_open \\(at [^)]+\\): \\d+ before, \\d+ with 50 streams held,"
        + " \\d+ after they were dropped");
  }

  @Test
  void aServerWhoseGaugeNeverComesDownFailsNamingTheLeak() throws Exception {
    try (LeakyServer leaky = new LeakyServer()) {
      EngineExecutionResults r = run(leaky.url("/events"), leaky.url("/metrics"), "app_streams_open");
      TestExecutionResult result = result(r);
      assertThat(result.getStatus()).as("%s\n%s", result, notes(r)).isEqualTo(TestExecutionResult.Status.FAILED);
      assertThat(result.getThrowable().orElseThrow().getMessage())
          .startsWith("[SHOULD lifecycle.abandoned-streams-released] app_streams_open (at " + leaky.url("/metrics"))
          .contains("shows 50 of the 50 dropped streams still open").contains("not released")
          .contains("after 50 clients dropped their streams");
    }
  }

  @Test
  void aMissingMetricSkipsTheCheckSayingWhichMetricsThereAre() {
    EngineExecutionResults r = run(server.url("/events"), server.url("/metrics"), "no_such_gauge");
    TestExecutionResult result = result(r);
    assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.ABORTED);
    assertThat(result.getThrowable().orElseThrow().getMessage())
        .contains("no sample named no_such_gauge").contains("sse_connections_open").contains("--connection-gauge");
  }

  /**
   * A server that forgets to unsubscribe: its gauge counts every stream ever opened, over two label
   * sets, with comments and label values that contain braces and escaped quotes.
   */
  static final class LeakyServer implements AutoCloseable {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final HttpServer http;
    private final AtomicInteger opened = new AtomicInteger();

    LeakyServer() throws Exception {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
      http.setExecutor(pool);
      http.createContext("/events", exchange -> {
        opened.incrementAndGet(); // and never decremented: the leak
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
          for (int i = 0; i < 300; i++) { // at most 30 s per stream
            out.write((": tick " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(100);
          }
        } catch (Exception gone) {
          // the client dropped the stream
        }
      });
      http.createContext("/metrics", exchange -> {
        int n = opened.get();
        byte[] body = ("# HELP app_streams_open Streams open now\n# TYPE app_streams_open gauge\n"
            + "app_streams_open{route=\"/events\"} " + (n - n / 2) + ".0\n"
            + "app_streams_open{route=\"/events}{\\\"x\\\"\"} " + (n / 2) + "\n"
            + "app_streams_opened_total 1e9\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      http.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Override
    public void close() throws InterruptedException {
      http.stop(0);
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
