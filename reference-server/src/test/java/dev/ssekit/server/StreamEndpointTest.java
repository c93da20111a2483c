package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue point 1: the stream's status, headers, opening retry, heartbeats and CORS preflight. */
class StreamEndpointTest {

  private SseServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private int start(ServerConfig config) throws InterruptedException {
    server = SseServer.start(config.toBuilder().port(0).build());
    return server.port();
  }

  @Test
  void streamHeadersAreFlushedAtOnceBeforeAnyEvent() throws Exception {
    // No ticks and no heartbeats: nothing but the head and the retry line can arrive.
    int port = start(ServerConfig.builder().tick(Duration.ZERO).heartbeat(Duration.ZERO).build());
    try (RawHttp s = RawHttp.get(port, "/events", "Accept: text/event-stream")) {
      RawHttp.Head head = s.head(WAIT);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-type")).isEqualTo("text/event-stream");
      assertThat(head.header("cache-control")).contains("no-cache");
      assertThat(head.header("x-accel-buffering")).isEqualTo("no");
      assertThat(head.header("access-control-allow-origin")).isEqualTo("*");
      assertThat(head.header("content-length")).isNull();
      assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
      // The retry line comes first, as its own block.
      byte[] body = s.awaitBody(b -> b.length >= "retry: 3000\n\n".length(), WAIT);
      assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("retry: 3000\n\n");
      assertThat(EventStreamParser.parsedItems(body)).containsExactly(new Retry(3000));
    }
  }

  @Test
  void retryOptionIsAnnounced() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).retry(Duration.ofMillis(1500)).build());
    try (RawHttp s = RawHttp.get(port, "/events")) {
      assertThat(s.awaitText("\n\n", WAIT)).startsWith("retry: 1500\n\n");
    }
  }

  @Test
  void idleStreamsGetCommentHeartbeats() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).heartbeat(Duration.ofMillis(200)).build());
    try (RawHttp s = RawHttp.get(port, "/events?topic=quiet")) {
      byte[] body = s.awaitBody(b -> count(new String(b, StandardCharsets.UTF_8), ": heartbeat\n\n") >= 3, WAIT);
      // Heartbeats are comments: a browser dispatches nothing for them.
      assertThat(ServerTestSupport.events(body)).isEmpty();
    }
  }

  @Test
  void busyStreamsGetNoHeartbeats() throws Exception {
    // Ticks every 50 ms keep the default topic busy; a heartbeat period of 1 s never elapses idle.
    int port = start(ServerConfig.builder().tick(Duration.ofMillis(50)).heartbeat(Duration.ofSeconds(1)).build());
    try (RawHttp s = RawHttp.get(port, "/events")) {
      String text = new String(s.awaitBody(b -> ServerTestSupport.events(b).size() >= 60, WAIT), StandardCharsets.UTF_8);
      assertThat(text).doesNotContain(": heartbeat");
    }
  }

  @Test
  void preflightAllowsLastEventId() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).build());
    try (RawHttp http = RawHttp.connect(port)) {
      http.send(("OPTIONS /events HTTP/1.1\r\nHost: x\r\nOrigin: http://example.test\r\n"
          + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: last-event-id\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      RawHttp.Head head = http.head(WAIT);
      assertThat(head.status()).isEqualTo(204);
      assertThat(head.header("access-control-allow-origin")).isEqualTo("*");
      assertThat(head.header("access-control-allow-headers").toLowerCase()).contains("last-event-id");
      assertThat(head.header("access-control-allow-methods")).contains("GET");
    }
  }

  @Test
  void corsOriginIsConfigurable() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).corsOrigin("https://app.example").build());
    try (RawHttp s = RawHttp.get(port, "/events", "Origin: https://app.example")) {
      assertThat(s.head(WAIT).header("access-control-allow-origin")).isEqualTo("https://app.example");
    }
  }

  @Test
  void http10ClientsGetACloseDelimitedStream() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).build());
    try (RawHttp s = RawHttp.connect(port)) {
      s.send("GET /events HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Head head = s.head(WAIT);
      assertThat(head.statusLine()).startsWith("HTTP/1.0 200");
      assertThat(head.header("transfer-encoding")).isNull();
      assertThat(head.header("content-length")).isNull();
      ServerTestSupport.publish(port, null, "{\"data\":\"over http/1.0\"}");
      List<DispatchedEvent> events = ServerTestSupport.awaitData(s, "over http/1.0");
      assertThat(events).hasSize(1);
    }
  }

  @Test
  void badRequestsGet4xxWithAReason() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).build());
    ServerTestSupport.Reply badTopic = ServerTestSupport.get(port, "/events?topic=a%20b");
    assertThat(badTopic.status()).isEqualTo(400);
    assertThat(badTopic.body()).contains("topic must be");
    ServerTestSupport.Reply wrongMethod = ServerTestSupport.post(port, "/events", new byte[0]);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.head().header("allow")).contains("GET");
    ServerTestSupport.Reply unknown = ServerTestSupport.get(port, "/nope");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("/nope");
    try (RawHttp http = RawHttp.connect(port)) {
      http.send("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Head head = http.head(WAIT);
      assertThat(head.status()).isEqualTo(400);
      assertThat(http.readToEnd(WAIT)).isNotEmpty();
    }
  }

  @Test
  void headOnTheStreamGivesItsHeadWithoutSubscribing() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).build());
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.getOutputStream().write(("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      // The stream's head, no body, and the connection still answers the next request.
      assertThat(all).startsWith("HTTP/1.1 200 OK\r\n").contains("content-type: text/event-stream");
      assertThat(all).doesNotContain("retry:");
      assertThat(all.indexOf("HTTP/1.1 200", 1)).isPositive();
      assertThat(all).endsWith("{\"status\":\"ok\",\"openStreams\":0}");
    }
    assertThat(server.openStreams()).isZero();
  }

  @Test
  void badPercentEncodingIs400WithAReason() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).build());
    for (String target : new String[] {"/events?topic=%zz", "/ev%zzents"}) {
      ServerTestSupport.Reply r = ServerTestSupport.get(port, target);
      assertThat(r.status()).as(target).isEqualTo(400);
      assertThat(r.body()).contains("percent-encoding");
    }
  }

  @Test
  void theDemoPageIsSelfContained() throws Exception {
    int port = start(ServerConfig.builder().tick(Duration.ZERO).build());
    ServerTestSupport.Reply r = ServerTestSupport.get(port, "/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.head().header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(r.body()).contains("new EventSource(\"/events\")").contains("addEventListener(\"tick\"")
        .contains("fetch(\"/publish\"");
    // Works offline: nothing is loaded from anywhere but this server.
    assertThat(r.body()).doesNotContainPattern("(src|href)=\"?(https?:)?//").doesNotContain("@import");
  }

  static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
    return n;
  }
}
