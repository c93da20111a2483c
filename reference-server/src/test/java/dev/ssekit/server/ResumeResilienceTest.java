package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.awaitEvents;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, points 4, 5 and 8: an id a client cannot send back is refused at publish, a stream
 * request is never refused because of its Last-Event-ID, overlong UTF-8 is refused, and a page
 * whose cursor the server does not have is told with an event it can see.
 */
class ResumeResilienceTest extends OneServerTest {


  @ParameterizedTest
  @ValueSource(strings = {"\\u0001", "\\u001b", "\\u007f", "\\t"})
  void idsWithControlCharactersAreRefusedBecauseNoClientCouldSendThemBack(String escaped) throws Exception {
    int port = start(ServerConfig.defaults());
    ServerTestSupport.Reply r = publish(port, "c", "{\"data\":\"x\",\"id\":\"a" + escaped + "b\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("control characters");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x1b, 0x7f})
  void aControlCharacterInLastEventIdStillGetsA200Stream(int control) throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp s = RawHttp.connect(port)) {
      byte[] head = ("GET /events?topic=k HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: a" + (char) control
          + "b\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      s.send(head);
      assertThat(s.head(WAIT).status()).isEqualTo(200);
      assertThat(awaitEvents(s, 1).get(0).type()).isEqualTo("reset");
    }
  }

  @Test
  void overlongUtf8InAPublishBodyIsRefused() throws Exception {
    int port = start(ServerConfig.defaults());
    byte[] prefix = "{\"data\":\"a".getBytes(StandardCharsets.US_ASCII);
    byte[] suffix = "b\"}".getBytes(StandardCharsets.US_ASCII);
    for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}}) {
      byte[] body = new byte[prefix.length + bad.length + suffix.length];
      System.arraycopy(prefix, 0, body, 0, prefix.length);
      System.arraycopy(bad, 0, body, prefix.length, bad.length);
      System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
      ServerTestSupport.Reply r = ServerTestSupport.post(port, "/publish", body, "Content-Type: application/json");
      assertThat(r.status()).as(RawHttp.escape(bad) + ": " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains("not well-formed UTF-8 at byte 10");
    }
    // Well-formed multi-byte text and a leading byte order mark are still fine.
    byte[] ok = ("\uFEFF{\"data\":\"caf\u00e9 \uD83D\uDE00\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(ServerTestSupport.post(port, "/publish", ok, "Content-Type: application/json").status()).isEqualTo(202);
  }

  @Test
  void aResumeAfterARestartGetsAResetEventThePageCanSee() throws Exception {
    int port = start(ServerConfig.defaults());
    String id = publish(port, "r", "{\"data\":\"before\"}").body().replaceAll("\\D", "");
    server.close();
    // A new instance (its own history, empty): the page reconnects with the id it last saw.
    port = start(ServerConfig.defaults());
    try (RawHttp s = RawHttp.get(port, "/events?topic=r", "Last-Event-ID: " + id)) {
      assertThat(s.head(WAIT).status()).isEqualTo(200);
      List<DispatchedEvent> events = awaitEvents(s, 1);
      assertThat(events.get(0).type()).isEqualTo("reset");
      assertThat(events.get(0).data()).isEqualTo("{\"lastEventId\":\"" + id + "\",\"reason\":\"unknown\"}");
      // No id line: with nothing held the page keeps its cursor, and the next event moves it.
      assertThat(s.bodyText()).doesNotContain("id:");
      publish(port, "r", "{\"data\":\"after\"}");
      assertThat(awaitData(s, "after")).extracting(DispatchedEvent::data).last().isEqualTo("after");
    }
  }

  @Test
  void anIdThatLeftTheHistoryGetsAResetWhoseIdIsWhereTheStreamContinues() throws Exception {
    int port = start(ServerConfig.builder().history(3).build());
    String first = null;
    String last = null;
    for (int i = 0; i < 6; i++) {
      last = publish(port, "e", "{\"data\":\"e" + i + "\"}").body().replaceAll("\\D", "");
      if (first == null) first = last;
    }
    try (RawHttp s = RawHttp.get(port, "/events?topic=e", "Last-Event-ID: " + first)) {
      DispatchedEvent reset = awaitEvents(s, 1).get(0);
      assertThat(reset.type()).isEqualTo("reset");
      assertThat(reset.data()).contains("\"reason\":\"expired\"").contains("\"newestId\":\"" + last + "\"");
      assertThat(reset.lastEventId()).isEqualTo(last);
    }
    // Resuming from the reset's id is a clean resume: nothing replayed, no second reset.
    try (RawHttp s = RawHttp.get(port, "/events?topic=e", "Last-Event-ID: " + last)) {
      s.awaitText("retry:", WAIT);
      publish(port, "e", "{\"data\":\"live\"}");
      assertThat(awaitData(s, "live")).extracting(DispatchedEvent::type).containsExactly("message");
    }
  }
}
