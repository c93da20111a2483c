package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.post;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, points 6 and 7: who may publish and disconnect (token, Origin, Host, CORS per
 * endpoint), scenario streams inside --max-connections, the Bearer scheme in any case, and a
 * queue bound that holds the largest event.
 */
class AccessAndEdgesTest extends OneServerTest {


  private static String preflight(int port, String path, String method) throws Exception {
    try (RawHttp c = RawHttp.connect(port)) {
      c.send(("OPTIONS " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nOrigin: https://evil.example\r\n"
          + "Access-Control-Request-Method: " + method + "\r\nAccess-Control-Request-Headers: content-type\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      RawHttp.Head head = c.head(WAIT);
      return head.header("access-control-allow-origin");
    }
  }

  @Test
  void byDefaultNoPageOnAnotherOriginMayPublishOrDisconnect() throws Exception {
    int port = start(ServerConfig.defaults());
    assertThat(preflight(port, "/publish", "POST")).as("publish preflight").isNull();
    assertThat(preflight(port, "/admin/disconnect", "POST")).as("admin preflight").isNull();
    assertThat(preflight(port, "/events", "GET")).as("the stream is still shared").isEqualTo("*");
    // A simple (non-preflighted) cross-origin POST carries Origin: refused before it acts.
    ServerTestSupport.Reply admin = post(port, "/admin/disconnect", new byte[0], "Origin: https://evil.example");
    assertThat(admin.status()).isEqualTo(403);
    assertThat(admin.head().header("access-control-allow-origin")).isNull();
    ServerTestSupport.Reply pub = publish(port, null, "{\"data\":\"x\"}", "Origin: https://evil.example");
    assertThat(pub.status()).isEqualTo(403);
    assertThat(pub.head().header("access-control-allow-origin")).isNull();
    // The server's own page (same origin) and non-browser clients (no Origin) still publish.
    assertThat(publish(port, null, "{\"data\":\"x\"}", "Origin: http://127.0.0.1:" + port).status()).isEqualTo(202);
    assertThat(publish(port, null, "{\"data\":\"x\"}").status()).isEqualTo(202);
    assertThat(post(port, "/admin/disconnect", new byte[0]).status()).isEqualTo(202);
  }

  @Test
  void aRebindingHostNameIsRefusedWithoutAToken() throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp c = RawHttp.request(port, "POST", "/admin/disconnect", new byte[0])) {
      assertThat(c.head(WAIT).status()).isEqualTo(202);
    }
    for (String path : new String[] {"/admin/disconnect", "/publish"}) {
      byte[] body = "{\"data\":\"x\"}".getBytes(StandardCharsets.US_ASCII);
      try (RawHttp c = RawHttp.connect(port)) {
        c.send(("POST " + path + " HTTP/1.1\r\nHost: attacker.example:" + port + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length + "\r\n\r\n{\"data\":\"x\"}").getBytes(StandardCharsets.US_ASCII));
        assertThat(c.head(WAIT).status()).as(path).isEqualTo(403);
      }
    }
    assertThat(ServerTestSupport.get(port, "/healthz", "Host: localhost").status()).isEqualTo(200);
  }

  @Test
  void publishCorsIsItsOwnOption() throws Exception {
    int port = start(ServerConfig.builder().corsOrigin("").publishCorsOrigin("https://app.example").build());
    assertThat(preflight(port, "/publish", "POST")).isEqualTo("https://app.example");
    assertThat(preflight(port, "/events", "GET")).isNull();
    ServerTestSupport.Reply r = publish(port, null, "{\"data\":\"x\"}", "Origin: https://app.example");
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.head().header("access-control-allow-origin")).isEqualTo("https://app.example");
    assertThat(post(port, "/admin/disconnect", new byte[0], "Origin: https://app.example").status()).isEqualTo(403);
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() throws Exception {
    int port = start(ServerConfig.builder().publishToken("s3cret").build());
    for (String scheme : new String[] {"Bearer", "bearer", "BEARER", "bEaReR"}) {
      assertThat(publish(port, null, "{\"data\":\"x\"}", "Authorization: " + scheme + " s3cret").status()).as(scheme)
          .isEqualTo(202);
    }
    assertThat(publish(port, null, "{\"data\":\"x\"}", "Authorization: Basic s3cret").status()).isEqualTo(401);
    assertThat(post(port, "/admin/disconnect", new byte[0], "Authorization: bearer s3cret").status()).isEqualTo(202);
  }

  @Test
  void scenarioStreamsCountTowardMaxConnections() throws Exception {
    int port = start(ServerConfig.builder().maxConnections(2).build());
    try (RawHttp a = RawHttp.get(port, "/scenarios/never-answering");
        RawHttp b = RawHttp.get(port, "/scenarios/endless-line")) {
      ServerTestSupport.eventually("two scenario streams held", () -> server.scenarioStreams() == 2);
      try (RawHttp third = RawHttp.get(port, "/scenarios/basic")) {
        RawHttp.Head head = third.head(WAIT);
        assertThat(head.status()).isEqualTo(503);
        assertThat(head.header("retry-after")).isNotBlank();
      }
      try (RawHttp stream = RawHttp.get(port, "/events")) {
        assertThat(stream.awaitText("retry:", WAIT)).startsWith("retry: 30000"); // turned away: the slots are taken
      }
    }
    ServerTestSupport.eventually("slots freed", () -> server.scenarioStreams() == 0);
    try (RawHttp stream = RawHttp.get(port, "/events")) {
      assertThat(stream.awaitText("retry:", WAIT)).startsWith("retry: 3000\n");
    }
  }

  @Test
  void aMaximalEventDoesNotCutOffAReaderThatWasBehindByLittle() throws Exception {
    // Default --max-queue-bytes with the default --max-event-bytes (1 MiB).
    ServerConfig defaults = ServerConfig.defaults();
    assertThat(defaults.maxQueueBytes()).isGreaterThan(2L * defaults.maxEventBytes());
    int port = start(defaults);
    try (RawHttp s = RawHttp.get(port, "/events?topic=big")) {
      s.awaitText("retry:", WAIT);
      String big = "x".repeat(defaults.maxEventBytes() - 64);
      for (int i = 0; i < 2; i++) {
        assertThat(publish(port, "big", "{\"data\":\"" + big + "\"}").status()).isEqualTo(202);
      }
      publish(port, "big", "{\"data\":\"after\"}");
      assertThat(awaitData(s, "after")).hasSize(3);
    }
  }
}
