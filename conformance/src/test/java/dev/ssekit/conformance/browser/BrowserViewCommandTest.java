package dev.ssekit.conformance.browser;

import dev.ssekit.conformance.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.protocol.Engine;
import java.io.IOException;
import java.nio.file.Files;
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
 * {@code check --browser} end to end with Debian's headless Chromium and Firefox: a conforming stream
 * is read alike by both (exit 0); a stream an engine reads differently from the standard, as its
 * model says, passes that engine's view and fails {@code lifecycle.browser-engines-agree} with the
 * byte that causes it (exit 1), in the console and in the reports.
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
    // charset=windows-1252: the standard ignores the parameter, Chromium aborts the connection (modelled).
    CliRun r = CliRun.of("--url", server.url("/scenarios/charset-ignored"), "--profile", "quick", "--window", "3s", "--browser",
        "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL  " + EngineAgreement.CHECK_ID)
        .contains("DIFFERENCE: connection 1: Chromium fails a response whose charset (windows-1252) is not UTF-8");
    JsonNode view = browserCheck(dir);
    assertThat(view.get("status").asText()).as(view.toString()).isEqualTo("passed");
    assertThat(view.get("notes").toString()).contains("the browser failed the connection (readyState CLOSED), as modelled");
    JsonNode engines = check(dir, EngineAgreement.CHECK_ID);
    assertThat(engines.get("status").asText()).isEqualTo("failed");
    assertThat(engines.get("message").asText()).contains("so its users get none of the")
        .contains("charset=windows-1252");
  }

  @Test
  void anEventChromiumLosesIsAFindingNamingTheByte(@TempDir Path dir) throws Exception {
    // A BOM directly followed by LF: the standard reads an empty line, then "data: lost"; Chromium
    // keeps the LF as the start of the next line, so it ignores that field (Engine.CHROMIUM, BlinkStreamReader).
    try (TinyServer tiny = TinyServer.serving("\uFEFF\ndata: lost\n\ndata: kept\n\n")) {
      CliRun r = CliRun.of("--url", tiny.url(), "--profile", "quick", "--window", "3s", "--browser", "--report-dir",
          dir.toString(), "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
      // The root of the origin is a 404 page here: still same-origin, so the EventSource ran, and read as modelled.
      assertThat(browserCheck(dir).get("status").asText()).as(browserCheck(dir).toString()).isEqualTo("passed");
      JsonNode engines = check(dir, EngineAgreement.CHECK_ID);
      assertThat(engines.get("status").asText()).as(engines.toString()).isEqualTo("failed");
      assertThat(engines.get("message").asText())
          .contains("Chromium reads event 1 as {type \"message\", data \"kept\", lastEventId \"\"} where the standard"
              + " reads {type \"message\", data \"lost\", lastEventId \"\"}")
          .contains("the cause: a BOM directly followed by LF: Chromium loses the next line")
          .contains("at byte 3 in the line \"\\xEF\\xBB\\xBF\\n\"");
    }
  }

  @Test
  void bothEnginesReadTheReferenceServersLiveStreamAlike(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/events"), "--profile", "quick", "--window", "3s", "--browser", "all",
        "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Browser view (Chromium").contains("Browser view (Firefox")
        .contains("Engines: Chromium, Firefox and the standard read the recorded bytes alike");
    for (Engine e : Engine.browsers()) {
      JsonNode view = check(dir, BrowserView.checkId(e));
      assertThat(view.get("status").asText()).as(view.toString()).isEqualTo("passed");
      assertThat(view.get("notes").toString()).containsPattern("connection 1: ([4-9]|\\d\\d+) events compared, identical");
    }
    assertThat(check(dir, EngineAgreement.CHECK_ID).get("status").asText()).isEqualTo("passed");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
    assertThat(report.path("run").path("browser").path("engine").asText()).isEqualTo("chromium, firefox");
    assertThat(Files.readString(dir.resolve("junit.xml"))).contains(BrowserView.checkId(Engine.FIREFOX));
  }

  @Test
  void anIdOnlyBlockAndANulInDataAreReadDifferentlyByFirefoxAndTheCheckSaysWhere(@TempDir Path dir) throws Exception {
    try (TinyServer tiny = TinyServer.serving("id: 7\n\ndata: after\n\ndata: a\0b\n\n")) {
      CliRun r = CliRun.of("--url", tiny.url(), "--profile", "quick", "--window", "3s", "--browser", "firefox",
          "--report-dir", dir.toString(), "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
      // Firefox did what its model says, so its view holds; the engines' readings differ, so that check fails.
      JsonNode view = check(dir, BrowserView.checkId(Engine.FIREFOX));
      assertThat(view.get("status").asText()).as(view.toString()).isEqualTo("passed");
      JsonNode engines = check(dir, EngineAgreement.CHECK_ID);
      assertThat(engines.get("status").asText()).as(engines.toString()).isEqualTo("failed");
      assertThat(engines.get("message").asText())
          .contains("Firefox reads event 1 as {type \"message\", data \"after\", lastEventId \"\"} where the standard"
              + " reads {type \"message\", data \"after\", lastEventId \"7\"}")
          .contains("the cause: a block with an id (\"7\") but no data, which Firefox drops whole");
      assertThat(engines.get("evidence").toString()).contains("a NUL inside the value of field \\\"data\\\"")
          .contains("in the line \\\"data: a\\\\x00b\\\\n\\\"");
      assertThat(engines.get("notes").toString()).contains("seen live in Firefox");
    }
  }

  @Test
  void afterATrailingIdOnlyBlockEachBrowserIsFollowedThroughItsOwnReconnect(@TempDir Path dir) throws Exception {
    // The stream ends after "id: 9" with no data: Chromium (as the standard) reconnects with Last-Event-ID 9,
    // Firefox with none. Each view's second recording is sent with what its engine sends, so both views hold.
    try (TinyServer tiny = TinyServer.serving("retry: 600\ndata: a\n\nid: 9\n\n")) {
      CliRun r = CliRun.of("--url", tiny.url(), "--profile", "quick", "--window", "3s", "--browser", "all",
          "--report-dir", dir.toString(), "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
      for (Engine e : Engine.browsers()) {
        JsonNode view = check(dir, BrowserView.checkId(e));
        assertThat(view.get("status").asText()).as(view.toString()).isEqualTo("passed");
        assertThat(view.get("notes").toString()).contains("reconnected")
            .contains("connection 2 (after the reconnect): 1 events compared, identical");
      }
      assertThat(check(dir, BrowserView.checkId(Engine.CHROMIUM)).get("evidence").toString())
          .contains("oracle connection 2 (Last-Event-ID \\\"9\\\")");
      assertThat(check(dir, BrowserView.checkId(Engine.FIREFOX)).get("evidence").toString())
          .contains("oracle connection 2 (Last-Event-ID none)");
      JsonNode engines = check(dir, EngineAgreement.CHECK_ID);
      assertThat(engines.get("status").asText()).isEqualTo("failed");
      assertThat(engines.get("message").asText()).contains("Firefox reconnects with no Last-Event-ID where the standard"
          + " sends \"9\"");
    }
  }

  @Test
  void firefoxOpensAtTheFirstByteSoAServerThatHoldsItIsAWarning(@TempDir Path dir) throws Exception {
    // Head at once, the first event 2.5 s later (as Javalin, Jetty and Pushpin do until something is published).
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/stream", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream o = exchange.getResponseBody()) {
        o.flush();
        Thread.sleep(2500);
        o.write("id: 1\ndata: late\n\n".getBytes(StandardCharsets.UTF_8));
        o.flush();
        Thread.sleep(4000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    http.start();
    try {
      String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/stream";
      CliRun r = CliRun.of("--url", url, "--profile", "quick", "--window", "4s", "--browser", "all", "--report-dir",
          dir.toString(), "--no-color");
      for (Engine e : Engine.browsers()) {
        JsonNode view = check(dir, BrowserView.checkId(e));
        assertThat(view.get("status").asText()).as(r.out() + view).isEqualTo("passed");
      }
      // Chromium opened at the head; Firefox only with the first byte, 2.5 s later.
      assertThat(check(dir, BrowserView.checkId(Engine.CHROMIUM)).get("evidence").asText()).containsPattern("OPEN \\(\\+\\d{1,3} ms\\)");
      java.util.regex.Matcher open = java.util.regex.Pattern.compile("OPEN \\(\\+(\\d+) ms\\)")
          .matcher(check(dir, BrowserView.checkId(Engine.FIREFOX)).get("evidence").asText());
      assertThat(open.find()).as("Firefox opened").isTrue();
      assertThat(Long.parseLong(open.group(1))).as("Firefox's open, ms after its EventSource started").isGreaterThanOrEqualTo(2000);
      JsonNode engines = check(dir, EngineAgreement.CHECK_ID);
      assertThat(engines.get("status").asText()).as(engines.toString()).isEqualTo("warned");
      assertThat(engines.get("message").asText()).contains("Firefox fires open only when the first body byte arrives");
      assertThat(r.out()).contains("Engines: WARNING: Firefox fires open only");
    } finally {
      http.stop(0);
    }
  }

  /** A server that sends one fixed body and ends the response. */
  private record TinyServer(HttpServer http) implements AutoCloseable {
    static TinyServer serving(String text) throws IOException {
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      http.createContext("/stream", exchange -> {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream o = exchange.getResponseBody()) {
          o.write(body);
        }
      });
      http.start();
      return new TinyServer(http);
    }

    String url() {
      return "http://127.0.0.1:" + http.getAddress().getPort() + "/stream";
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  static JsonNode check(Path dir, String id) throws IOException {
    JsonNode json = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
    for (JsonNode c : json.get("checks")) if (c.get("id").asText().equals(id)) return c;
    throw new AssertionError("no " + id + " in " + json);
  }

  @Test
  void headersAnEventSourceCannotSendSkipTheBrowserView(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/events"), "--profile", "quick", "--window", "1s", "--browser",
        "--header", "Authorization: Bearer x", "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Browser view (Chromium): skipped");
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
