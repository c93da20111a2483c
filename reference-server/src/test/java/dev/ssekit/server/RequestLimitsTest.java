package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.get;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, points 1 and 6: nothing a client sends (a body without a token, many bodies at once,
 * a body or a head that trickles) can hold the server's memory or a connection for long. Real
 * sockets; the deadlines are set short and the assertions wait generously (shared machine).
 */
class RequestLimitsTest extends OneServerTest {

  private static final Duration ANSWER = Duration.ofSeconds(8);

  private static byte[] publishHead(int port, long contentLength, String... headers) {
    StringBuilder sb = new StringBuilder("POST /publish HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n");
    for (String h : headers) sb.append(h).append("\r\n");
    return sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aBodyWithoutTheTokenIsRefusedOnItsHeadBeforeItIsRead() throws Exception {
    int port = start(ServerConfig.builder().publishToken("s3cret").build());
    try (RawHttp c = RawHttp.connect(port)) {
      c.send(publishHead(port, 1 << 20));
      c.send(new byte[64 * 1024]); // a sixteenth of the declared body, then nothing
      RawHttp.Head head = c.head(ANSWER);
      assertThat(head.status()).isEqualTo(401);
      assertThat(head.header("www-authenticate")).startsWith("Bearer");
      assertThat(c.closedWithin(ANSWER)).as("connection closed after the refusal").isTrue();
    }
  }

  @Test
  void aBodyOfTheWrongTypeIsRefusedOnItsHead() throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp c = RawHttp.connect(port)) {
      c.send(("POST /publish HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 500000\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII));
      assertThat(c.head(ANSWER).status()).isEqualTo(415);
    }
  }

  @Test
  void bodiesInFlightAreBoundedAcrossConnectionsWith503AndRetryAfter() throws Exception {
    int port = start(ServerConfig.builder().maxEventBytes(100_000).maxBodyBytesInFlight(250_000)
        .publishToken("t").bodyTimeout(Duration.ofSeconds(60)).build());
    List<RawHttp> holders = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        RawHttp h = RawHttp.connect(port);
        holders.add(h);
        h.send(publishHead(port, 100_000, "Authorization: Bearer t"));
        h.send("{\"data\":\"".getBytes(StandardCharsets.US_ASCII));
      }
      ServerTestSupport.eventually("both bodies are reserved", () -> server.bodyBytesBuffered() == 200_000);
      // Two declared 100,000-byte bodies hold 200,000 of 250,000: a third does not fit.
      RawHttp.Head busy;
      try (RawHttp third = RawHttp.connect(port)) {
        third.send(publishHead(port, 100_000, "Authorization: Bearer t"));
        busy = third.head(ANSWER);
      }
      assertThat(busy.status()).isEqualTo(503);
      assertThat(busy.header("retry-after")).isNotBlank();
      // Everything else keeps working meanwhile: health, streams, small publishes.
      assertThat(get(port, "/healthz").status()).isEqualTo(200);
      assertThat(publish(port, null, "{\"data\":\"small\"}", "Authorization: Bearer t").status()).isEqualTo(202);
    } finally {
      for (RawHttp h : holders) h.close();
    }
    // Once the holders leave, their reservations are returned.
    ServerTestSupport.eventually("a full-size publish fits again", () -> {
      try {
        String big = "{\"data\":\"" + "x".repeat(99_000) + "\"}";
        return publish(port, null, big, "Authorization: Bearer t").status() == 202;
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** While {@code c} keeps trickling bytes, the server answers 408 and closes the connection. */
  private static void answersTimeoutWhileTrickling(RawHttp c) throws Exception {
    Thread trickle = trickle(c, 200);
    try {
      RawHttp.Head head = c.head(ANSWER);
      assertThat(head.status()).isEqualTo(408);
      assertThat(c.closedWithin(ANSWER)).isTrue();
    } finally {
      trickle.interrupt();
    }
  }

  @Test
  void aBodyThatTricklesIsCutByTheBodyDeadline() throws Exception {
    int port = start(ServerConfig.builder().bodyTimeout(Duration.ofSeconds(1)).build());
    try (RawHttp c = RawHttp.connect(port)) {
      c.send(publishHead(port, 10_000));
      answersTimeoutWhileTrickling(c);
    }
  }

  @Test
  void aHeadThatTricklesIsCutByTheHeadDeadline() throws Exception {
    int port = start(ServerConfig.builder().headTimeout(Duration.ofSeconds(1)).build());
    try (RawHttp c = RawHttp.connect(port)) {
      c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      answersTimeoutWhileTrickling(c);
    }
  }

  /**
   * A client still sending when its body deadline passes reads the whole 408 and the end of the
   * stream, not a reset, and its bytes in flight are taken in: the server shuts its side down and
   * drops what still comes until the client closes or goes quiet (bounded), instead of closing
   * at once with those bytes unread.
   */
  @Test
  void aClientStillSendingItsBodyReadsThe408AndIsNotReset() throws Exception {
    int port = start(ServerConfig.builder().bodyTimeout(Duration.ofSeconds(1)).build());
    java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
    socket.getOutputStream().write(publishHead(port, 1_000_000));
    try (SteadySender sender = new SteadySender(socket, "x".repeat(64).getBytes(StandardCharsets.US_ASCII))) {
      sender.answerNotBefore(Duration.ofSeconds(1));
      readsTheWhole408(sender, "--body-timeout");
    }
  }

  /** As above, for a head that is still arriving (a header value that never ends) at its deadline. */
  @Test
  void aClientStillSendingItsHeadReadsThe408AndIsNotReset() throws Exception {
    int port = start(ServerConfig.builder().headTimeout(Duration.ofSeconds(1)).build());
    java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
    socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
    try (SteadySender sender = new SteadySender(socket, new byte[] {'a'})) {
      sender.answerNotBefore(Duration.ofSeconds(1));
      readsTheWhole408(sender, "--head-timeout");
    }
  }

  private static void readsTheWhole408(SteadySender sender, String option) throws Exception {
    String answer = sender.readAnswerToEnd();
    assertThat(answer).startsWith("HTTP/1.1 408").contains("Connection: close").endsWith("(" + option + ")\n");
    sender.assertBytesInFlightTakenIn();
  }

  @Test
  void keepAliveConnectionsStillServeSeveralRequests() throws Exception {
    int port = start(ServerConfig.builder().headTimeout(Duration.ofMillis(500)).build());
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) WAIT.toMillis());
      for (int i = 0; i < 3; i++) {
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder got = new StringBuilder();
        while (!got.toString().endsWith("}")) {
          int b = s.getInputStream().read();
          assertThat(b).as("response %d on one connection; got %s", i, got).isNotNegative();
          got.append((char) b);
        }
        assertThat(got.toString()).startsWith("HTTP/1.1 200");
        Thread.sleep(700); // idle between requests is not a slow head
      }
    }
  }

  /** Sends one byte every {@code periodMs} until interrupted or the connection fails. */
  private static Thread trickle(RawHttp c, long periodMs) {
    Thread t = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(periodMs);
          c.send(new byte[] {'a'});
        }
      } catch (Exception stopped) {
        // interrupted, or the server closed the connection
      }
    }, "trickle");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
