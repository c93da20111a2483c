package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.testkit.RawHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue points 4 and 8: ticks on the default topic; /metrics and /healthz. */
class TickAndMetricsTest {

  private static final Pattern TICK = Pattern.compile("\\{\"seq\":(\\d+),\"sentAtMicros\":(\\d+)}");
  private SseServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void ticksCarryASequenceNumberAndTheSendTimeInMicroseconds() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ofMillis(100)).build());
    long before = Instant.now().toEpochMilli() * 1000;
    try (RawHttp s = RawHttp.get(server.port(), "/events")) {
      List<DispatchedEvent> ticks = ServerTestSupport.awaitEvents(s, 5);
      long previousSeq = -1;
      for (DispatchedEvent e : ticks) {
        assertThat(e.type()).isEqualTo("tick");
        Matcher m = TICK.matcher(e.data());
        assertThat(m.matches()).as(e.data()).isTrue();
        long seq = Long.parseLong(m.group(1));
        long sentAt = Long.parseLong(m.group(2));
        if (previousSeq >= 0) assertThat(seq).isEqualTo(previousSeq + 1);
        previousSeq = seq;
        assertThat(sentAt).isGreaterThanOrEqualTo(before);
        assertThat(sentAt).isLessThanOrEqualTo(Instant.now().toEpochMilli() * 1000 + 1000);
        assertThat(e.lastEventId()).isNotEmpty();
      }
    }
  }

  @Test
  void tickZeroTurnsTicksOff() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).heartbeat(Duration.ofMillis(300))
        .build());
    try (RawHttp s = RawHttp.get(server.port(), "/events")) {
      // Wait for two heartbeats (600 ms+) and check no tick arrived meanwhile.
      byte[] body = s.awaitBody(b -> StreamEndpointTest.count(new String(b, java.nio.charset.StandardCharsets.UTF_8),
          ": heartbeat") >= 2, WAIT);
      String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
      assertThat(text).doesNotContain("event: tick");
    }
  }

  @Test
  void metricsCountConnectionsEventsAndResumes() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
    int port = server.port();
    String id;
    try (RawHttp a = RawHttp.get(port, "/events"); RawHttp b = RawHttp.get(port, "/events")) {
      a.awaitText("retry:", WAIT);
      b.awaitText("retry:", WAIT);
      id = publish(port, null, "{\"data\":\"one\"}").body().replaceAll("\\D", "");
      publish(port, null, "{\"data\":\"two\"}");
      ServerTestSupport.awaitData(a, "two");
      ServerTestSupport.awaitData(b, "two");
      String m = ServerTestSupport.get(port, "/metrics").body();
      assertThat(m).containsPattern("sse_connections_open(\\{[^}]*})? 2\\.0");
      assertThat(m).containsPattern("sse_events_published_total(\\{[^}]*})? 2\\.0");
      assertThat(m).containsPattern("sse_events_delivered_total(\\{[^}]*})? 4\\.0");
      // Each stream got both events in one flush (published back to back) or in two.
      java.util.regex.Matcher flushes = java.util.regex.Pattern.compile("sse_events_flushes_total(?:\\{[^}]*})? (\\d+)\\.0").matcher(m);
      assertThat(flushes.find()).as("sse_events_flushes_total in %s", m).isTrue();
      assertThat(Integer.parseInt(flushes.group(1))).isBetween(2, 4);
      assertThat(m).containsPattern("sse_written_bytes_total\\S* [1-9]");
      assertThat(m).contains("jvm_memory_used_bytes");
      assertThat(m).containsPattern("process_resident_memory_bytes\\S* [1-9]");
    }
    try (RawHttp hit = RawHttp.get(port, "/events", "Last-Event-ID: " + id)) {
      ServerTestSupport.awaitData(hit, "two");
    }
    try (RawHttp miss = RawHttp.get(port, "/events", "Last-Event-ID: gone")) {
      miss.awaitText("continuing from live", WAIT);
    }
    String m = ServerTestSupport.get(port, "/metrics").body();
    assertThat(m).containsPattern("sse_resume_hits_total(\\{[^}]*})? 1\\.0");
    assertThat(m).containsPattern("sse_resume_misses_total(\\{[^}]*})? 1\\.0");
    assertThat(m).containsPattern("sse_connections_opened_total(\\{[^}]*})? 4\\.0");
  }

  @Test
  void healthzAnswers() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
    ServerTestSupport.Reply r = ServerTestSupport.get(server.port(), "/healthz");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"ok\"");
  }
}
