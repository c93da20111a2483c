package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.jsonString;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue point 3: the publish contract, its round trip and its refusals. */
class PublishTest extends OneServerTest {


  static Stream<String> payloads() {
    return Stream.of("plain", "", "line1\nline2", "crlf\r\nend", "lone\rcr", "\n", "\r\n", "trailing\n",
        "\nleading", "a\n\nb", "  two leading spaces", ": looks like a comment", "data: nested field",
        "id: 5\n\nevent: injected", "tab\there", "nul\0byte", "emoji \uD83D\uDE00 and \u20AC",
        "{\"json\": [1, 2, {\"deep\": \"x\"}]}", "x".repeat(65_536));
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void dataRoundTripsExactlyWithCrAndCrlfReadAsLf(String payload) throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp s = RawHttp.get(port, "/events?topic=t")) {
      s.awaitText("retry:", WAIT);
      ServerTestSupport.Reply r = publish(port, "t", "{\"data\":" + jsonString(payload) + ",\"event\":\"note\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      assertThat(r.body()).matches("\\{\"id\":\"\\d+\"}");
      String expected = payload.replace("\r\n", "\n").replace('\r', '\n');
      publish(port, "t", "{\"data\":\"sentinel\"}");
      List<DispatchedEvent> events = awaitData(s, "sentinel");
      assertThat(events).hasSize(2);
      assertThat(events.get(0).type()).isEqualTo("note");
      assertThat(events.get(0).data()).isEqualTo(expected);
      assertThat(events.get(0).lastEventId()).isEqualTo(r.body().replaceAll("\\D", ""));
    }
  }

  @Test
  void publisherChosenIdIsUsedAndMustBeUnique() throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp s = RawHttp.get(port, "/events?topic=ids")) {
      s.awaitText("retry:", WAIT);
      assertThat(publish(port, "ids", "{\"data\":\"a\",\"id\":\"order-7\"}").body()).isEqualTo("{\"id\":\"order-7\"}");
      ServerTestSupport.Reply dup = publish(port, "ids", "{\"data\":\"b\",\"id\":\"order-7\"}");
      assertThat(dup.status()).isEqualTo(409);
      assertThat(dup.body()).contains("order-7");
      publish(port, "ids", "{\"data\":\"end\"}");
      assertThat(awaitData(s, "end")).extracting(DispatchedEvent::data).containsExactly("a", "end");
    }
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("{\"data\":", 400, "not valid JSON"),
        Arguments.of("[\"data\"]", 400, "JSON object"),
        Arguments.of("{}", 400, "missing field 'data'"),
        Arguments.of("{\"data\":42}", 400, "'data' must be a string"),
        Arguments.of("{\"data\":null}", 400, "missing field 'data'"),
        Arguments.of("{\"data\":\"x\",\"evnt\":\"typo\"}", 400, "unknown field 'evnt'"),
        Arguments.of("{\"data\":\"x\",\"data\":\"y\"}", 400, "Duplicate field"),
        Arguments.of("{\"data\":\"x\",\"event\":\"a\\nb\"}", 400, "event must not contain CR or LF"),
        Arguments.of("{\"data\":\"x\",\"event\":\"a\\rdata: injected\"}", 400, "event must not contain CR or LF"),
        Arguments.of("{\"data\":\"x\",\"id\":\"a\\nb\"}", 400, "id must not contain CR or LF"),
        Arguments.of("{\"data\":\"x\",\"id\":\"a\\r\"}", 400, "id must not contain CR or LF"),
        Arguments.of("{\"data\":\"x\",\"id\":\"a\\u0000b\"}", 400, "id must not contain NUL"),
        Arguments.of("{\"data\":\"x\",\"id\":\"\"}", 400, "id must not be empty"),
        Arguments.of("{\"data\":\"x\",\"id\":\" padded\"}", 400, "whitespace"),
        Arguments.of("{\"data\":\"x\",\"id\":\"123\"}", 400, "numeric ids are assigned by the server"),
        Arguments.of("{\"data\":\"x\",\"id\":7}", 400, "'id' must be a string"),
        Arguments.of("{\"data\":\"\\ud800\"}", 400, "unpaired surrogate"),
        Arguments.of("{\"data\":\"x\"} trailing junk", 400, "not valid JSON"),
        Arguments.of("{\"data\":\"x\"}{\"data\":\"y\"}", 400, "not valid JSON"));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void badPublishRequestsAreRefusedWholeWithAReason(String body, int status, String reason) throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp s = RawHttp.get(port, "/events?topic=t")) {
      s.awaitText("retry:", WAIT);
      ServerTestSupport.Reply r = publish(port, "t", body);
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.body()).contains(reason);
      // Nothing of the refused request reached the stream: the next event is the first one.
      publish(port, "t", "{\"data\":\"after\"}");
      assertThat(awaitData(s, "after")).extracting(DispatchedEvent::data).containsExactly("after");
    }
  }

  @Test
  void aPublisherIdStaysReservedAfterItLeavesTheHistory() throws Exception {
    int port = start(ServerConfig.builder().history(2).build());
    assertThat(publish(port, "r", "{\"data\":\"a\",\"id\":\"order-a\"}").status()).isEqualTo(202);
    publish(port, "r", "{\"data\":\"b\"}");
    publish(port, "r", "{\"data\":\"c\"}"); // order-a is evicted now
    ServerTestSupport.Reply reuse = publish(port, "r", "{\"data\":\"again\",\"id\":\"order-a\"}");
    assertThat(reuse.status()).isEqualTo(409);
    // A resume from the evicted id is a miss, announced, not a silent skip.
    try (RawHttp s = RawHttp.get(port, "/events?topic=r", "Last-Event-ID: order-a")) {
      assertThat(s.awaitText("continuing from live", WAIT)).contains("order-a");
    }
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    int port = start(ServerConfig.defaults());
    ServerTestSupport.Reply r = ServerTestSupport.post(port, "/publish", "{\"data\":\"x\"}".getBytes(StandardCharsets.UTF_8),
        "Content-Type: application/x-www-form-urlencoded");
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.body()).contains("application/json");
  }

  @Test
  void bodyOverMaxEventBytesIs413AndNothingIsPublished() throws Exception {
    int port = start(ServerConfig.builder().maxEventBytes(1024).build());
    try (RawHttp s = RawHttp.get(port, "/events")) {
      s.awaitText("retry:", WAIT);
      ServerTestSupport.Reply r = publish(port, null, "{\"data\":\"" + "x".repeat(2000) + "\"}");
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body()).contains("larger than 1024 bytes");
      publish(port, null, "{\"data\":\"small\"}");
      assertThat(awaitData(s, "small")).extracting(DispatchedEvent::data).containsExactly("small");
    }
  }

  @Test
  void tokenIsRequiredWhenSet() throws Exception {
    int port = start(ServerConfig.builder().publishToken("s3cret").build());
    ServerTestSupport.Reply none = publish(port, null, "{\"data\":\"x\"}");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.head().header("www-authenticate")).startsWith("Bearer");
    assertThat(none.body()).contains("Authorization: Bearer");
    assertThat(publish(port, null, "{\"data\":\"x\"}", "Authorization: Bearer wrong").status()).isEqualTo(401);
    assertThat(publish(port, null, "{\"data\":\"x\"}", "Authorization: Bearer s3cret").status()).isEqualTo(202);
  }

  @Test
  void nonLoopbackBindWithoutTokenIsRefused() {
    ServerConfig open = ServerConfig.builder().port(0).host("0.0.0.0").allowAnonymousPublish(false).build();
    assertThatThrownBy(() -> SseServer.start(open))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--publish-token")
        .hasMessageContaining("--allow-anonymous-publish");
  }

  @Test
  void publishingToOneTopicDoesNotReachAnother() throws Exception {
    int port = start(ServerConfig.defaults());
    try (RawHttp a = RawHttp.get(port, "/events?topic=a"); RawHttp b = RawHttp.get(port, "/events?topic=b")) {
      a.awaitText("retry:", WAIT);
      b.awaitText("retry:", WAIT);
      publish(port, "a", "{\"data\":\"for-a\"}");
      publish(port, "b", "{\"data\":\"for-b\"}");
      assertThat(awaitData(a, "for-a")).extracting(DispatchedEvent::data).containsExactly("for-a");
      assertThat(awaitData(b, "for-b")).extracting(DispatchedEvent::data).containsExactly("for-b");
    }
  }
}
