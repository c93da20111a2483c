package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.testkit.RawHttp;
import dev.ssekit.testkit.Closer;
import dev.ssekit.testkit.RedisProcess;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Several reference servers, run from the jar as separate processes, serving one stream through a
 * real Redis ({@code --broker}): publish on one and resume on another, {@code kill -9} an instance
 * mid-stream and resume on the survivor, restart Redis from its append-only file and resume. Every
 * resume gets exactly the events after the id it sends: none lost, none repeated.
 */
class BrokerIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

  @AutoClose
  private final Closer closer = new Closer();

  private <T extends AutoCloseable> T keep(T c) {
    return closer.keep(c);
  }

  private ReferenceServerProcess instance(RedisProcess redis) throws Exception {
    return keep(ReferenceServerProcess.start("--broker", redis.uri(), "--tick", "0"));
  }

  @Test
  void whatIsPublishedOnOneInstanceIsStreamedAndResumedOnAnother() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    ReferenceServerProcess a = instance(redis);
    ReferenceServerProcess b = instance(redis);
    RawHttp stream = keep(openStream(b, null));
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) ids.add(publish(a, "e" + i));
    assertThat(ids).allMatch(id -> StreamId.parse(id) != null);
    assertThat(awaitEvents(stream, 3)).containsExactly(
        new DispatchedEvent("message", "e1", ids.get(0)), new DispatchedEvent("message", "e2", ids.get(1)),
        new DispatchedEvent("message", "e3", ids.get(2)));
    stream.close();

    // Away, the client misses two; it comes back to the other instance with the id it last saw.
    ids.add(publish(b, "e4"));
    ids.add(publish(a, "e5"));
    RawHttp resumed = keep(openStream(a, ids.get(2)));
    assertThat(awaitEvents(resumed, 2)).containsExactly(
        new DispatchedEvent("message", "e4", ids.get(3)), new DispatchedEvent("message", "e5", ids.get(4)));
    assertThat(resumed.silentFor(Duration.ofMillis(500))).as("nothing repeated after e5").isTrue();
  }

  @Test
  void aKilledInstanceLosesNothingTheSurvivorResumesExactly() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    ReferenceServerProcess doomed = instance(redis);
    ReferenceServerProcess survivor = instance(redis);
    RawHttp stream = keep(openStream(doomed, null));
    for (int i = 1; i <= 3; i++) publish(survivor, "e" + i);
    List<DispatchedEvent> seen = awaitEvents(stream, 3);

    doomed.kill();
    for (int i = 4; i <= 6; i++) publish(survivor, "e" + i);
    RawHttp resumed = keep(openStream(survivor, seen.get(2).lastEventId()));
    assertThat(awaitEvents(resumed, 3)).extracting(DispatchedEvent::data).containsExactly("e4", "e5", "e6");
    assertThat(resumed.silentFor(Duration.ofMillis(500))).as("nothing repeated after e6").isTrue();
  }

  @Test
  void redisDownIsReportedPublishesAreRefusedAndFromItsAppendOnlyFileEverythingResumes() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(true));
    ReferenceServerProcess a = instance(redis);
    RawHttp open = keep(openStream(a, null)); // stays open through the outage
    String first = publish(a, "e1");
    publish(a, "e2");
    awaitEvents(open, 2);

    redis.kill();
    awaitHealth(a, 503, "unreachable");
    RawHttp.Response refused = post(a, "{\"data\":\"lost\"}");
    assertThat(refused.head().status()).isEqualTo(503);
    assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("nothing was published");

    redis.restart();
    awaitHealth(a, 200, "\"up\":true");
    publish(a, "e3");
    assertThat(awaitEvents(open, 3)).as("the stream open through the outage goes on, nothing lost or repeated")
        .extracting(DispatchedEvent::data).containsExactly("e1", "e2", "e3");
    // An instance started after the restart finds the history in Redis.
    ReferenceServerProcess late = instance(redis);
    RawHttp resumed = keep(openStream(late, first));
    assertThat(awaitEvents(resumed, 2)).extracting(DispatchedEvent::data).containsExactly("e2", "e3");
  }

  @Test
  void requestsPipelinedBehindAPublishAreAnsweredAfterIt() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    ReferenceServerProcess a = instance(redis);
    byte[] json = "{\"data\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    String twoRequests = "POST /publish?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + json.length + "\r\n\r\n" + new String(json, StandardCharsets.UTF_8)
        + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", a.port())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.getOutputStream().write(twoRequests.getBytes(StandardCharsets.UTF_8));
      StringBuilder both = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (both.indexOf("openStreams") < 0) {
        int n = socket.getInputStream().read(buffer);
        if (n < 0) break;
        both.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
      assertThat(both.indexOf("HTTP/1.1 202")).as(both.toString()).isZero();
      assertThat(both.indexOf("HTTP/1.1 200")).as(both.toString()).isPositive();
    }
  }

  private static RawHttp openStream(ReferenceServerProcess server, String lastEventId) throws IOException {
    RawHttp http = lastEventId == null
        ? RawHttp.get(server.port(), "/events?topic=t", "Accept: text/event-stream")
        : RawHttp.get(server.port(), "/events?topic=t", "Accept: text/event-stream", "Last-Event-ID: " + lastEventId);
    assertThat(http.head(WAIT).status()).isEqualTo(200);
    return http;
  }

  private static List<DispatchedEvent> awaitEvents(RawHttp stream, int n) throws IOException {
    byte[] body = stream.awaitBody(b -> events(b).size() >= n, WAIT);
    return events(body);
  }

  private static List<DispatchedEvent> events(byte[] body) {
    List<DispatchedEvent> out = new ArrayList<>();
    new EventStreamParser(item -> {
      if (item instanceof DispatchedEvent e) out.add(e);
    }).feed(body);
    return out;
  }

  private static RawHttp.Response post(ReferenceServerProcess server, String json) throws IOException {
    try (RawHttp http = RawHttp.request(server.port(), "POST", "/publish?topic=t", json.getBytes(StandardCharsets.UTF_8),
        "Content-Type: application/json")) {
      return http.readResponse(WAIT);
    }
  }

  private static String publish(ReferenceServerProcess server, String data) throws IOException {
    RawHttp.Response r = post(server, "{\"data\":\"" + data + "\"}");
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.head().status()).as(body).isEqualTo(202);
    Matcher m = ID.matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return m.group(1);
  }

  private static void awaitHealth(ReferenceServerProcess server, int status, String text) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try (RawHttp http = RawHttp.get(server.port(), "/healthz")) {
        RawHttp.Response r = http.readResponse(WAIT);
        last = r.head().status() + " " + new String(r.body(), StandardCharsets.UTF_8);
        if (r.head().status() == status && last.contains(text)) return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("/healthz never answered " + status + " with " + text + "; last: " + last);
  }
}
