package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes of a stream that are not events, pinned: a change here changes what every client reads. */
class StreamWireTest {

  @Test
  void theStreamHeadIsChunkedOnHttp11AndCloseDelimitedOnHttp10() {
    assertThat(StreamWire.Head.stream(true, "*").text()).isEqualTo("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n"
        + "Access-Control-Allow-Origin: *\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertThat(StreamWire.Head.stream(false, "").text()).isEqualTo("HTTP/1.0 200 OK\r\n"
        + "Content-Type: text/event-stream\r\nCache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n"
        + "Connection: close\r\n\r\n");
  }

  @Test
  void aTurnAwayHeadClosesAndKeepsANonAsciiOriginAsUtf8() {
    String head = StreamWire.Head.closing("https://bücher.example").text();
    assertThat(head).isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        + "Cache-Control: no-cache, no-transform\r\nAccess-Control-Allow-Origin: https://bücher.example\r\n"
        + "Connection: close\r\n\r\n");
  }

  @Test
  void everyRawHeadGoesOutAsUtf8() {
    String origin = "https://bücher.example";
    assertThat(StreamWire.Head.stream(true, origin).bytes()).isEqualTo(StreamWire.Head.stream(true, origin).text()
        .getBytes(StandardCharsets.UTF_8)).containsSequence(origin.getBytes(StandardCharsets.UTF_8));
    assertThat(StreamWire.Head.closing(origin).bytes()).containsSequence(origin.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theRetryBlockComesFirstAndACommentIsOneLine() {
    assertThat(new String(StreamWire.retryBlock(3000, null), StandardCharsets.UTF_8)).isEqualTo("retry: 3000\n\n");
    assertThat(new String(StreamWire.retryBlock(500, "shutting down; retry in 500ms"), StandardCharsets.UTF_8))
        .isEqualTo("retry: 500\n: shutting down; retry in 500ms\n\n");
    assertThatThrownBy(() -> StreamWire.retryBlock(1, "a\nretry: 0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StreamWire.Head(false, "no-cache", true, "", true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
