package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.eventually;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.testkit.RawHttp;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue points 5 and 6: one encoding for all, slow consumers cut off, the connection limit. */
class FanoutTest {

  private SseServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private int start(ServerConfig config) throws InterruptedException {
    server = SseServer.start(config.toBuilder().port(0).tick(Duration.ZERO).heartbeat(Duration.ZERO).build());
    return server.port();
  }

  @Test
  void everySubscriberGetsTheSameBytesInTheSameOrder() throws Exception {
    int port = start(ServerConfig.defaults());
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        RawHttp c = RawHttp.get(port, "/events?topic=fan");
        c.awaitText("retry:", WAIT);
        clients.add(c);
      }
      for (int i = 0; i < 100; i++) publish(port, "fan", "{\"data\":\"m" + i + "\",\"event\":\"e\"}");
      byte[] first = null;
      for (RawHttp c : clients) {
        List<DispatchedEvent> events = awaitData(c, "m99");
        assertThat(events).hasSize(100);
        byte[] body = c.bodyBytes();
        if (first == null) first = body;
        else assertThat(Arrays.equals(body, first)).as("identical bytes on every stream").isTrue();
      }
    } finally {
      for (RawHttp c : clients) c.close();
    }
  }

  @Test
  void aSubscriberThatStopsReadingIsDisconnectedNotBufferedWithoutBound() throws Exception {
    int port = start(ServerConfig.builder().maxQueueBytes(64 * 1024).build());
    try (Socket stalled = new Socket(); Socket healthy = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", port));
      stalled.getOutputStream().write("GET /events?topic=slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      healthy.connect(new InetSocketAddress("127.0.0.1", port));
      healthy.getOutputStream().write("GET /events?topic=slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      eventually("both streams are open", () -> server.openStreams() == 2);
      // The healthy subscriber reads everything, in the background, until it sees the marker.
      ExecutorService reader = Executors.newSingleThreadExecutor();
      Future<Long> healthyRead = reader.submit(() -> readUntil(healthy, "still here"));
      String big = "y".repeat(32 * 1024);
      // The stalled socket never reads: kernel buffers fill, then the server's queue passes 64 KiB.
      for (int i = 0; i < 1000 && server.openStreams() == 2; i++) {
        assertThat(publish(port, "slow", "{\"data\":\"" + big + "\"}").status()).isEqualTo(202);
      }
      eventually("the stalled stream is dropped", () -> server.openStreams() == 1);
      String metrics = ServerTestSupport.get(port, "/metrics").body();
      assertThat(metrics).containsPattern("sse_slow_consumer_disconnects_total(\\{[^}]*})? 1\\.0");
      // The healthy reader is unaffected and keeps receiving.
      publish(port, "slow", "{\"data\":\"still here\"}");
      assertThat(healthyRead.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isGreaterThan(64 * 1024L);
      reader.shutdownNow();
      // The stalled socket reaches the end of its stream once it reads again: the server closed it.
      stalled.setSoTimeout((int) WAIT.toMillis());
      InputStream in = stalled.getInputStream();
      byte[] buf = new byte[65536];
      while (in.read(buf) >= 0) {
        // drain what the kernel had buffered
      }
    }
  }

  @Test
  void aStalledSubscriberWhoseNextEventLeftTheHistoryIsCutOff() throws Exception {
    // A lag budget too large to matter: only the history (50 events) bounds this subscriber.
    int port = start(ServerConfig.builder().maxQueueBytes(1L << 30).history(50).build());
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", port));
      stalled.getOutputStream().write("GET /events?topic=h HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      eventually("the stream is open", () -> server.openStreams() == 1);
      String big = "z".repeat(8 * 1024);
      for (int i = 0; i < 3000 && server.openStreams() == 1; i++) {
        assertThat(publish(port, "h", "{\"data\":\"" + big + "\"}").status()).isEqualTo(202);
      }
      eventually("the stalled stream is dropped", () -> server.openStreams() == 0);
      assertThat(ServerTestSupport.get(port, "/metrics").body())
          .containsPattern("sse_slow_consumer_disconnects_total(\\{[^}]*})? 1\\.0");
    }
  }

  /** Reads raw bytes from {@code s} until {@code marker} appears; returns the byte count. */
  private static long readUntil(Socket s, String marker) throws Exception {
    s.setSoTimeout((int) WAIT.toMillis() * 3);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[65536];
    byte[] m = marker.getBytes(StandardCharsets.UTF_8);
    String tail = "";
    long total = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      total += n;
      tail = tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
      if (tail.contains(new String(m, StandardCharsets.ISO_8859_1))) return total;
      tail = tail.substring(Math.max(0, tail.length() - m.length));
    }
    throw new AssertionError("healthy stream ended after " + total + " bytes");
  }

  @Test
  void pastMaxConnectionsAStreamGetsALongRetryAndIsClosed() throws Exception {
    int port = start(ServerConfig.builder().maxConnections(2).build());
    try (RawHttp a = RawHttp.get(port, "/events"); RawHttp b = RawHttp.get(port, "/events")) {
      a.awaitText("retry:", WAIT);
      b.awaitText("retry:", WAIT);
      try (RawHttp c = RawHttp.get(port, "/events")) {
        RawHttp.Head head = c.head(WAIT);
        // 200 + event-stream: a 503 would make a browser give up for good (WHATWG §9.2.2).
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("content-type")).isEqualTo("text/event-stream");
        byte[] body = c.readToEnd(WAIT);
        assertThat(EventStreamParser.parsedItems(body)).containsExactly(new Retry(30_000));
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("max-connections");
      }
      assertThat(ServerTestSupport.get(port, "/metrics").body())
          .containsPattern("sse_connections_rejected_total(\\{[^}]*})? 1\\.0");
    }
    // Once a slot is free again, streams are accepted.
    eventually("the streams closed", () -> server.openStreams() == 0);
    try (RawHttp d = RawHttp.get(port, "/events")) {
      assertThat(d.awaitText("retry:", WAIT)).startsWith("retry: 3000");
    }
  }
}
