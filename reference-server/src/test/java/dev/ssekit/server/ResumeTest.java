package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.awaitEvents;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Issue point 2: ids unique and ordered per topic; resume replays exactly what came after. */
class ResumeTest extends OneServerTest {


  private static List<String> publishAll(int port, String topic, int n, String prefix) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ServerTestSupport.Reply r = publish(port, topic, "{\"data\":\"" + prefix + i + "\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      ids.add(r.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1").trim());
    }
    return ids;
  }

  @Test
  void idsAreUniqueAndIncreasingPerTopic() throws Exception {
    int port = start(ServerConfig.defaults());
    List<String> a = publishAll(port, "a", 20, "a");
    List<String> b = publishAll(port, "b", 5, "b");
    assertThat(new HashSet<>(a)).hasSize(20);
    for (int i = 1; i < a.size(); i++) {
      assertThat(Long.parseLong(a.get(i))).isGreaterThan(Long.parseLong(a.get(i - 1)));
    }
    assertThat(b).hasSize(5);
  }

  @Test
  void lastEventIdHeaderReplaysExactlyTheLaterEvents() throws Exception {
    int port = start(ServerConfig.defaults());
    List<String> ids = publishAll(port, "r", 10, "e");
    try (RawHttp s = RawHttp.get(port, "/events?topic=r", "Last-Event-ID: " + ids.get(3))) {
      List<DispatchedEvent> events = awaitEvents(s, 6);
      assertThat(events).extracting(DispatchedEvent::data).containsExactly("e4", "e5", "e6", "e7", "e8", "e9");
      assertThat(events).extracting(DispatchedEvent::lastEventId).containsExactlyElementsOf(ids.subList(4, 10));
      // ...then continues live.
      publish(port, "r", "{\"data\":\"live\"}");
      assertThat(awaitData(s, "live")).hasSize(7);
    }
  }

  @Test
  void lastEventIdQueryParameterWorksForPolyfills() throws Exception {
    int port = start(ServerConfig.defaults());
    List<String> ids = publishAll(port, "q", 4, "e");
    try (RawHttp s = RawHttp.get(port, "/events?topic=q&lastEventId=" + ids.get(1))) {
      assertThat(awaitEvents(s, 2)).extracting(DispatchedEvent::data).containsExactly("e2", "e3");
    }
  }

  @Test
  void resumeFromTheNewestIdReplaysNothing() throws Exception {
    int port = start(ServerConfig.defaults());
    List<String> ids = publishAll(port, "n", 3, "e");
    try (RawHttp s = RawHttp.get(port, "/events?topic=n", "Last-Event-ID: " + ids.get(2))) {
      String text = s.awaitText("retry:", WAIT);
      publish(port, "n", "{\"data\":\"next\"}");
      assertThat(awaitData(s, "next")).extracting(DispatchedEvent::data).containsExactly("next");
      assertThat(text).doesNotContain("not in this server's history");
    }
  }

  @Test
  void unknownIdGetsA200FromLiveWithACommentAndAResetEvent() throws Exception {
    int port = start(ServerConfig.defaults());
    publishAll(port, "u", 3, "old");
    try (RawHttp s = RawHttp.get(port, "/events?topic=u", "Last-Event-ID: no-such-id\r\nX-Pad: 1")) {
      assertThat(s.head(WAIT).status()).isEqualTo(200);
      String text = s.awaitText("continuing from live events", WAIT);
      assertThat(text).contains(": last-event-id 'no-such-id' is not in this server's history");
      publish(port, "u", "{\"data\":\"fresh\"}");
      // Nothing old is replayed: a reset (issue 10, point 8), then the live event.
      assertThat(awaitData(s, "fresh")).extracting(DispatchedEvent::type).containsExactly("reset", "message");
    }
  }

  @Test
  void expiredIdIsAMissOnceHistoryMovedOn() throws Exception {
    int port = start(ServerConfig.builder().history(5).build());
    List<String> ids = publishAll(port, "x", 12, "e");
    try (RawHttp s = RawHttp.get(port, "/events?topic=x", "Last-Event-ID: " + ids.get(2))) {
      assertThat(s.awaitText("continuing from live", WAIT)).contains("it holds ids " + ids.get(7) + " to " + ids.get(11));
    }
    // The oldest id still held resumes exactly.
    try (RawHttp s = RawHttp.get(port, "/events?topic=x", "Last-Event-ID: " + ids.get(7))) {
      assertThat(awaitEvents(s, 4)).extracting(DispatchedEvent::data).containsExactly("e8", "e9", "e10", "e11");
    }
  }

  @Test
  void controlCharactersInAResumeIdCannotShapeTheNotice() throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp s = RawHttp.get(port, "/events?topic=c&lastEventId=x%0Adata:%20injected%0A%0A")) {
      String text = s.awaitText("continuing from live", WAIT);
      assertThat(text).contains("x\\x0Adata: injected\\x0A\\x0A");
      // The only event is the reset, its data one JSON line with the id escaped in it.
      List<DispatchedEvent> events = awaitEvents(s, 1);
      assertThat(events).hasSize(1);
      assertThat(events.get(0).type()).isEqualTo("reset");
      assertThat(events.get(0).data()).isEqualTo("{\"lastEventId\":\"x\\u000adata: injected\\u000a\\u000a\",\"reason\":\"unknown\"}");
    }
  }

  @Test
  void nonAsciiPublisherIdsRoundTripThroughTheHeaderAsUtf8() throws Exception {
    int port = start(ServerConfig.defaults());
    publish(port, "h", "{\"data\":\"one\",\"id\":\"caf\u00e9-1\"}");
    publish(port, "h", "{\"data\":\"two\",\"id\":\"caf\u00e9-2\"}");
    try (RawHttp s = RawHttp.connect(port)) {
      byte[] req = "GET /events?topic=h HTTP/1.1\r\nHost: x\r\nLast-Event-ID: caf\u00e9-1\r\n\r\n".getBytes(StandardCharsets.UTF_8);
      s.send(req);
      assertThat(awaitEvents(s, 1)).extracting(DispatchedEvent::data).containsExactly("two");
    }
  }

  /**
   * The resume race: clients replay while events are being published. Every resumed client must
   * see exactly the events after its id, in order, none missing and none twice.
   */
  @Test
  void resumeDuringConcurrentPublishingLosesAndRepeatsNothing() throws Exception {
    int port = start(ServerConfig.defaults());
    List<String> before = publishAll(port, "race", 200, "p");
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> publisher = pool.submit(() -> {
        int i = 0;
        while (!stop.get() && i < 3000) {
          ServerTestSupport.Reply r = publish(port, "race", "{\"data\":\"q" + i + "\"}");
          if (r.status() != 202) throw new AssertionError(r.body());
          i++;
        }
        return i;
      });
      List<RawHttp> clients = new ArrayList<>();
      List<Integer> startIndex = new ArrayList<>();
      try {
        for (int c = 0; c < 20; c++) {
          int from = c * 10;
          clients.add(RawHttp.get(port, "/events?topic=race", "Last-Event-ID: " + before.get(from)));
          startIndex.add(from + 1);
          Thread.sleep(5);
        }
        Thread.sleep(200);
        stop.set(true);
        int livePublished = publisher.get();
        publish(port, "race", "{\"data\":\"end\"}");
        for (int c = 0; c < clients.size(); c++) {
          List<DispatchedEvent> got = awaitData(clients.get(c), "end");
          List<String> expected = new ArrayList<>();
          for (int i = startIndex.get(c); i < 200; i++) expected.add("p" + i);
          for (int i = 0; i < livePublished; i++) expected.add("q" + i);
          expected.add("end");
          assertThat(got).extracting(DispatchedEvent::data).as("client %d", c).containsExactlyElementsOf(expected);
          List<Long> ids = got.stream().map(e -> Long.parseLong(e.lastEventId())).toList();
          for (int i = 1; i < ids.size(); i++) assertThat(ids.get(i)).isEqualTo(ids.get(i - 1) + 1);
        }
      } finally {
        for (RawHttp c : clients) c.close();
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }
}
