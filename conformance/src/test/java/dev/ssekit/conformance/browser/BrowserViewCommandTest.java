package dev.ssekit.conformance.browser;

import dev.ssekit.conformance.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --browser} end to end with Debian's headless Chromium: a conforming stream is read
 * alike (exit 0), a stream Chromium reads differently from the standard is a failed
 * {@code lifecycle.browser-view} check (exit 1), in the console and in the reports.
 */
class BrowserViewCommandTest {

  private static ReferenceServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    server = ReferenceServerProcess.start("--tick", "300ms");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }


  static JsonNode browserCheck(Path dir) throws Exception {
    JsonNode json = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
    for (JsonNode c : json.get("checks")) if (c.get("id").asText().equals(BrowserView.checkId(dev.ssekit.protocol.Engine.CHROMIUM))) return c;
    throw new AssertionError("no " + BrowserView.checkId(dev.ssekit.protocol.Engine.CHROMIUM) + " in " + json);
  }

  @Test
  void theReferenceServersLiveStreamIsReadAlikeByTheBrowserAndTheOracle(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/events"), "--profile", "quick", "--window", "3s", "--browser",
        "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Browser view (Chromium").contains("0 differences").contains("PASSED");
    JsonNode check = browserCheck(dir);
    assertThat(check.get("status").asText()).as(check.toString()).isEqualTo("passed");
    assertThat(check.get("category").asText()).isEqualTo("lifecycle");
    // Ticks every 300 ms over 3 s: the overlap holds several events, matched on their ids.
    String notes = check.get("notes").toString();
    assertThat(notes).containsPattern("connection 1: ([4-9]|\\d\\d+) events compared, identical");
    assertThat(check.get("evidence").asText()).contains("CONNECTING (+").contains("OPEN (+");
  }

  @Test
  void aStreamTheServerEndsIsComparedThroughTheBrowsersReconnect(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/scenarios/crlf-split"), "--profile", "quick", "--window", "5s", "--browser",
        "--report-dir", dir.toString(), "--no-color");
    JsonNode check = browserCheck(dir);
    assertThat(check.get("status").asText()).as(r.out() + check).isEqualTo("passed");
    assertThat(check.get("notes").toString()).contains("reconnected")
        .contains("connection 2 (after the reconnect): 2 events compared, identical");
  }

  @Test
  void aStreamChromiumRefusesButTheSpecReadsIsAFindingAndExitsOne(@TempDir Path dir) throws Exception {
    // charset=windows-1252: the standard ignores the parameter, Chromium 156 aborts the connection.
    CliRun r = CliRun.of("--url", server.url("/scenarios/charset-ignored"), "--profile", "quick", "--window", "3s", "--browser",
        "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL  lifecycle.browser-view").contains("DIFFERENCE: the browser never opened the stream");
    JsonNode check = browserCheck(dir);
    assertThat(check.get("status").asText()).isEqualTo("failed");
    assertThat(check.get("message").asText()).contains("readyState CLOSED").contains("ok\\xE2\\x80\\xA6");
  }

  @Test
  void anEventTheBrowserLosesIsAFindingWithBothReadings(@TempDir Path dir) throws Exception {
    // A BOM directly followed by LF: the standard reads an empty line, then "data: lost"; Chromium
    // keeps the LF as the start of the next line, so it ignores that field (Engine.CHROMIUM, BlinkStreamReader).
    byte[] body = ("\uFEFF\ndata: lost\n\ndata: kept\n\n").getBytes(StandardCharsets.UTF_8);
    HttpServer tiny = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tiny.createContext("/stream", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(body);
      }
    });
    tiny.start();
    try {
      String url = "http://127.0.0.1:" + tiny.getAddress().getPort() + "/stream";
      CliRun r = CliRun.of("--url", url, "--profile", "quick", "--window", "3s", "--browser", "--report-dir", dir.toString(),
          "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
      JsonNode check = browserCheck(dir);
      assertThat(check.get("status").asText()).as(check.toString()).isEqualTo("failed");
      // The root of the origin is a 404 page here: still same-origin, so the EventSource ran.
      assertThat(check.get("message").asText())
          .contains("the oracle read {type \"message\", data \"lost\", lastEventId \"\"}")
          .contains("the browser dispatched {type \"message\", data \"kept\", lastEventId \"\"}");
    } finally {
      tiny.stop(0);
    }
  }

  @Test
  void headersAnEventSourceCannotSendSkipTheBrowserView(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/events"), "--profile", "quick", "--window", "1s", "--browser",
        "--header", "Authorization: Bearer x", "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Browser view: skipped");
    assertThat(browserCheck(dir).get("status").asText()).isEqualTo("skipped");
  }

  @Test
  void withoutChromiumTheRunStopsAtOnceWithTheInstallCommandAndExitsTwo(@TempDir Path dir) {
    System.setProperty(ChromiumBrowser.CHROMIUM_PROPERTY, dir.resolve("no-chromium").toString());
    try {
      CliRun r = CliRun.of("--url", server.url("/events"), "--profile", "quick", "--browser", "--report-dir",
          dir.resolve("reports").toString(), "--no-color");
      assertThat(r.status()).isEqualTo(2);
      assertThat(r.err()).contains("no-chromium is missing").contains("install Debian's chromium and chromium-driver");
      assertThat(r.out()).doesNotContain("PASS"); // no check ran
    } finally {
      System.clearProperty(ChromiumBrowser.CHROMIUM_PROPERTY);
    }
  }
}
