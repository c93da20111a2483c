package dev.ssekit.conformance.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ssekit.conformance.testing.CliRun;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --browser} on an origin whose root page refuses the stream (issue 14): like Express
 * 5's 404 page, {@code /} answers with {@code Content-Security-Policy: default-src 'none'}, so an
 * EventSource started there is blocked before it reaches the server. The browser view is skipped
 * naming the policy, not failed as if the stream were at fault; {@code --browser-page} pointing at
 * a permissive page of the same origin makes the same good stream pass.
 */
class BrowserPageCommandTest {

  private static HttpServer server;
  private static ExecutorService pool;
  private static String origin;

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "csp-origin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool); // the stream holds its thread while the page and the oracle connect
    server.createContext("/", BrowserPageCommandTest::page);
    server.createContext("/stream", BrowserPageCommandTest::stream);
    server.start();
    origin = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    pool.shutdownNow();
  }

  /** {@code /page}: a plain page with no policy; anything else: Express 5's 404 page and its policy. */
  private static void page(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    boolean permissive = exchange.getRequestURI().getPath().equals("/page");
    byte[] body = (permissive ? "<!DOCTYPE html><title>stream page</title><p>ok</p>"
        : "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n"
            + "<pre>Cannot GET " + exchange.getRequestURI().getPath() + "</pre>\n</body>\n</html>\n")
        .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    if (!permissive) {
      exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    }
    exchange.sendResponseHeaders(permissive ? 200 : 404, body.length);
    try (OutputStream o = exchange.getResponseBody()) {
      o.write(body);
    }
  }

  /**
   * A correct stream: an event every 200 ms whose id is the 200 ms slot it was sent in, so every
   * connection sends the same id for the same moment (the browser's and the oracle's readings are
   * matched on ids); open until the client leaves, at most 20 s.
   */
  private static void stream(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream o = exchange.getResponseBody()) {
      o.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
      o.flush();
      long end = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < end) {
        long slot = System.currentTimeMillis() / 200;
        o.write(("id: " + slot + "\ndata: tick " + slot + "\n\n").getBytes(StandardCharsets.UTF_8));
        o.flush();
        Thread.sleep(200 - System.currentTimeMillis() % 200);
      }
    } catch (IOException | InterruptedException e) {
      // the client left
    }
  }

  static JsonNode report(Path dir) throws IOException {
    return new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
  }

  static JsonNode browserCheck(JsonNode report) {
    for (JsonNode c : report.get("checks")) if (c.get("id").asText().equals(BrowserView.checkId(dev.ssekit.protocol.Engine.CHROMIUM))) return c;
    throw new AssertionError("no " + BrowserView.checkId(dev.ssekit.protocol.Engine.CHROMIUM) + " in " + report);
  }

  @Test
  void aRootPageWhosePolicyBlocksTheEventSourceSkipsTheBrowserViewNamingThePolicy(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", origin + "/stream", "--profile", "quick", "--window", "2s", "--browser",
        "--report-dir", dir.toString(), "--no-color");
    JsonNode report = report(dir);
    JsonNode check = browserCheck(report);
    assertThat(check.get("status").asText()).as(r.out() + check).isEqualTo("skipped");
    assertThat(check.get("message").asText())
        .contains("the page " + origin + "/ blocked the EventSource before it reached the server")
        .contains("Content-Security-Policy \"default-src 'none'\"")
        .contains("connect-src")
        .contains("--browser-page URL")
        .doesNotContain("never opened the stream");
    assertThat(check.get("evidence").asText()).contains("page Content-Security-Policy violation: connect-src blocked "
        + origin + "/stream");
    assertThat(r.out()).contains("Browser view (Chromium): skipped: the page " + origin + "/ blocked the EventSource")
        .doesNotContain("FAIL  lifecycle.browser-view");
    // A skipped browser view never makes the run fail: whatever the exit status is, it is the other checks'.
    boolean othersFailed = report.at("/summary/failed").asInt() > 0;
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(othersFailed ? 1 : 0);
    assertThat(report.at("/run/browser/page").asText()).isEqualTo(origin + "/");
    assertThat(report.at("/run/browser/pageFrom").asText()).isEqualTo("origin root");
  }

  @Test
  void browserPageRunsTheEventSourceInAPermissivePageAndTheGoodStreamPasses(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", origin + "/stream", "--profile", "quick", "--window", "2s", "--browser",
        "--browser-page", origin + "/page", "--report-dir", dir.toString(), "--no-color");
    JsonNode report = report(dir);
    JsonNode check = browserCheck(report);
    assertThat(check.get("status").asText()).as(r.out() + check).isEqualTo("passed");
    assertThat(check.get("notes").toString()).contains("page " + origin + "/page")
        .containsPattern("connection 1: ([3-9]|\\d\\d+) events compared, identical");
    assertThat(r.out()).contains("Browser view (Chromium").contains("0 differences");
    assertThat(report.at("/run/browser/engine").asText()).isEqualTo("chromium");
    assertThat(report.at("/run/browser/page").asText()).isEqualTo(origin + "/page");
    assertThat(report.at("/run/browser/pageFrom").asText()).isEqualTo("--browser-page");
    assertThat(report.at("/run/options").toString()).contains("\"--browser-page\"", "\"" + origin + "/page\"");
  }

  @Test
  void browserPageWithoutBrowserOrNotAWebUrlIsBadUsage(@TempDir Path dir) {
    CliRun r = CliRun.of("--url", origin + "/stream", "--browser-page", origin + "/page", "--report-dir", dir.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("give --browser too");
    r = CliRun.of("--url", origin + "/stream", "--browser", "--browser-page", "file:///etc/passwd", "--report-dir",
        dir.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--browser-page must be an absolute http or https URL");
  }
}
