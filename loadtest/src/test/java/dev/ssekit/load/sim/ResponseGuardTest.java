package dev.ssekit.load.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.report.CapacityReport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The response guard's parts ({@link ResponseGuard}, {@link GuardedListener}'s codec, {@link LineGuard}, {@link
 * ConnectFailures}) on an {@link EmbeddedChannel}: no sockets, bytes split as a network may split them.
 */
class ResponseGuardTest {
  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static HttpContent content(String s) {
    return new DefaultHttpContent(bytes(s));
  }

  /** Everything the codec decoded, released. */
  private static List<HttpObject> decoded(EmbeddedChannel ch) {
    List<HttpObject> out = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) {
      out.add((HttpObject) o);
      if (o instanceof HttpContent c) {
        c.release();
      }
    }
    return out;
  }

  private static Throwable failure(List<HttpObject> objects) {
    return objects.stream().filter(o -> o.decoderResult().isFailure()).map(o -> o.decoderResult().cause()).findFirst().orElse(null);
  }

  // ---- the head (and trailers): Gatling's codec with maxHeaderSize bounded ----

  @Test
  void aHeadSplitAcrossReadsIsBoundedButItsBodyIsNotCounted() {
    EmbeddedChannel ch = new EmbeddedChannel(GuardedListener.boundedCodec(1024));
    ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Type: text/e"));
    ch.writeInbound(bytes("vent-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
    String big = "data: " + "x".repeat(4000) + "\n\n";
    for (int i = 0; i < 4; i++) { // 16 KiB of body, far past the head bound
      ch.writeInbound(bytes(Integer.toHexString(big.length()) + "\r\n" + big + "\r\n"));
    }
    List<HttpObject> out = decoded(ch);
    assertThat(failure(out)).isNull();
    assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
    assertThat(out.stream().filter(o -> o instanceof HttpContent).count()).isGreaterThanOrEqualTo(4);
    ch.finishAndReleaseAll();
  }

  @Test
  void aHeadPastTheBoundIsADecodingFailureEvenSplitAcrossReads() {
    EmbeddedChannel ch = new EmbeddedChannel(GuardedListener.boundedCodec(1024));
    ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n"));
    for (int i = 0; i < 20; i++) {
      ch.writeInbound(bytes("X-Filler-" + i + ": " + "h".repeat(80) + "\r\n"));
    }
    assertThat(ConnectFailures.tooLong(failure(decoded(ch)))).isInstanceOf(TooLongHttpHeaderException.class);
    ch.finishAndReleaseAll();
  }

  @Test
  void aHeadEndingInBareLineFeedsIsRefusedAsGatlingDoesNotAsTooLarge() {
    // Netty's strict line parsing (Gatling's codec settings, kept): a decoding failure, at once,
    // reported as a connect error, not a head that never ends.
    EmbeddedChannel ch = new EmbeddedChannel(GuardedListener.boundedCodec(1024));
    ch.writeInbound(bytes("HTTP/1.1 200 OK\nContent-Type: text/event-stream\n\n"));
    Throwable f = failure(decoded(ch));
    assertThat(f).isNotNull();
    assertThat(ConnectFailures.tooLong(f)).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void aHeadEndingInCrlfThenItsBodyIsDecoded() {
    EmbeddedChannel ch = new EmbeddedChannel(GuardedListener.boundedCodec(1024));
    ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 11\r\n\r"));
    ch.writeInbound(bytes("\ndata: one\n\n"));
    List<HttpObject> out = decoded(ch);
    assertThat(failure(out)).isNull();
    assertThat(((HttpResponse) out.get(0)).headers().get("content-type")).isEqualTo("text/event-stream");
    assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
    ch.finishAndReleaseAll();
  }

  @Test
  void trailersPastTheBoundAreADecodingFailure() {
    EmbeddedChannel ch = new EmbeddedChannel(GuardedListener.boundedCodec(1024));
    ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "b\r\ndata: one\n\n\r\n0\r\n"));
    for (int i = 0; i < 20; i++) {
      ch.writeInbound(bytes("X-Trailer-" + i + ": " + "t".repeat(80) + "\r\n"));
    }
    assertThat(ConnectFailures.tooLong(failure(decoded(ch)))).isInstanceOf(TooLongHttpHeaderException.class);
    ch.finishAndReleaseAll();
  }

  // ---- lines and events: LineGuard on the decoded body ----

  /** Feeds the parts; the bound LineGuard fired, or null. */
  private static String feed(LineGuard guard, String... parts) {
    EmbeddedChannel ch = new EmbeddedChannel(guard);
    try {
      for (String p : parts) {
        ch.writeInbound(content(p)); // rethrows what reached the pipeline's end
      }
      ch.checkException();
      return null;
    } catch (Exception e) { // thrown as it was caught (Netty rethrows it unchecked)
      if (e instanceof LimitExceeded l) {
        return l.kind;
      }
      throw new AssertionError(e);
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void aLineOfExactlyTheBoundSplitAcrossChunksWithASplitCrlfPassesAndOneByteMoreFails() {
    String line = "data: " + "x".repeat(100 - 6); // exactly 100 bytes
    assertThat(feed(new LineGuard(100, 10_000), line.substring(0, 40), line.substring(40) + "\r", "\n",
        line.substring(0, 70), line.substring(70) + "\r\n\r\n")).isNull();
    assertThat(feed(new LineGuard(100, 10_000), line.substring(0, 40), line.substring(40) + "y\r\n"))
        .isEqualTo(CapacityReport.Failure.LINE_TOO_LONG);
  }

  @Test
  void anEventIsBoundedUpToItsBlankLineAndCommentsDoNotCount() {
    String tenLines = "data: 123\n".repeat(10); // 9 bytes a line without its break: 90 bytes of event
    assertThat(feed(new LineGuard(100, 90), tenLines + "\n", tenLines + "\r\n", tenLines + "\r\r"))
        .as("each event ends at its blank line (LF, CRLF or CR)").isNull();
    assertThat(feed(new LineGuard(100, 90), tenLines, ": a comment line, not buffered\n", "\n"))
        .isNull();
    assertThat(feed(new LineGuard(100, 90), tenLines.substring(0, 45), tenLines.substring(45), "d"))
        .as("one byte past the event bound, no blank line").isEqualTo(CapacityReport.Failure.EVENT_TOO_LARGE);
    assertThat(feed(new LineGuard(100, 90), tenLines.replace("\n", "\r\n"), "d"))
        .as("a CRLF is one line break, not a blank line").isEqualTo(CapacityReport.Failure.EVENT_TOO_LARGE);
  }

  @Test
  void aCloseThisClientAskedForIsNoted() {
    LineGuard guard = new LineGuard(100, 100);
    EmbeddedChannel ch = new EmbeddedChannel(guard);
    assertThat(guard.closeRequested).isFalse();
    ch.close();
    assertThat(guard.closeRequested).isTrue();
  }

  // ---- the answer that is not a stream; install failure; HTTP/2 ----

  @Test
  void anAnswerThatIsNotAStreamSaysWhy() {
    var headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
    assertThat(ConnectFailures.notAStream(io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE, headers))
        .isEqualTo("status 503 Service Unavailable (not 200)");
    headers.set("content-type", "text/html");
    assertThat(ConnectFailures.notAStream(io.netty.handler.codec.http.HttpResponseStatus.OK, headers))
        .isEqualTo("Content-Type text/html (not text/event-stream)");
    headers.set("content-type", "text/event-stream; charset=utf-8");
    assertThat(ConnectFailures.notAStream(io.netty.handler.codec.http.HttpResponseStatus.OK, headers)).isNull();
  }

  @Test
  void anEngineTheGuardCannotReachStopsTheRunWithAClearMessage() {
    // A Gatling whose engine lacks the field (or, here, no engine at all): the scenario build fails
    // with this message, Gatling runs nothing, and the CLI reports "no report" with exit 2.
    assertThatThrownBy(() -> ResponseGuard.install(null, Limits.DEFAULTS, new Failures()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ssekit cannot bound response heads and lines in this Gatling version")
        .hasMessageContaining("HttpEngine.httpClient")
        .hasMessageContaining("Gatling 3.15");
  }

  @Test
  void anHttpProtocolWithHttp2IsRefused() {
    assertThatThrownBy(() -> ResponseGuard.requireHttp1(true)).hasMessageContaining("HTTP/1.1 only");
    ResponseGuard.requireHttp1(false);
  }
}
