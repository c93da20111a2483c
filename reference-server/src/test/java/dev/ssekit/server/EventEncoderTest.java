package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.testkit.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The encoder is proven against an independent reading of the spec (protocol's oracle,
 * {@link EventStreamParser}, which the suite also judges servers with), never against itself: data
 * round-trips exactly (CR and CRLF read as LF), and ids or types that could inject fields are refused.
 */
class EventEncoderTest {

  @Test
  void encodesIdTypeAndOneDataLinePerLine() {
    byte[] bytes = encode("update", "a\r\nb\rc\n", "42");
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo("id: 42\nevent: update\ndata: a\ndata: b\ndata: c\ndata:\n\n");
  }

  @Test
  void emptyDataStillDispatchesAnEvent() {
    byte[] bytes = encode(null, "", null);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("data:\n\n");
    assertThat(EventStreamParser.parsedItems(bytes)).containsExactly(new DispatchedEvent("message", "", ""));
  }

  @Test
  void refusesFieldInjection() {
    // The publish validation is what stands between a request and the encoder.
    assertThatThrownBy(() -> PublishHandler.validate("x", "a\nb", null)).hasMessageContaining("event");
    assertThatThrownBy(() -> PublishHandler.validate("x", "a\rdata: evil", null)).hasMessageContaining("event");
    assertThatThrownBy(() -> PublishHandler.validate("x", null, "1\n\ndata: evil")).hasMessageContaining("id");
    assertThatThrownBy(() -> PublishHandler.validate("x", null, "1\0")).hasMessageContaining("NUL");
    assertThatThrownBy(() -> PublishHandler.validate(null, null, "1")).hasMessageContaining("data");
  }

  /** An event as a publish puts it on the wire: the id line (added under the publish lock), then the body. */
  private static byte[] encode(String type, String data, String id) {
    byte[] idLine = id == null ? new byte[0] : EventEncoder.idLine(id);
    byte[] body = EventEncoder.body(type, data);
    byte[] out = new byte[idLine.length + body.length];
    System.arraycopy(idLine, 0, out, 0, idLine.length);
    System.arraycopy(body, 0, out, idLine.length, body.length);
    return out;
  }

  @Test
  void commentsCannotBreakOutOfTheirLine() {
    byte[] bytes = EventEncoder.comment("evil\n\ndata: injected\r");
    assertThat(EventStreamParser.parsedItems(bytes)).isEmpty();
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(": evil  data: injected \n\n");
  }

  private static final String[] PIECES = {"", "a", " ", "  ", "\r", "\n", "\r\n", "\n\r", ":", "data:", "id: 1",
      "\0", "\t", "\u00e9", "\u20ac", "\uD83D\uDE00", "\uFEFF", "\u2028", "\u0085", "event: x", "retry: 1"};

  /** Seeded: a failure prints the seed and the payload, and replays exactly. */
  @Test
  void generatedPayloadsRoundTripThroughTheSpecAlgorithm() {
    long seed = 20261125L;
    Random random = new Random(seed);
    for (int round = 0; round < 5000; round++) {
      StringBuilder data = new StringBuilder();
      int parts = random.nextInt(8);
      for (int i = 0; i < parts; i++) data.append(PIECES[random.nextInt(PIECES.length)]);
      String type = random.nextBoolean() ? null : "t" + PIECES[random.nextInt(PIECES.length)].replaceAll("[\r\n]", "");
      String id = random.nextBoolean() ? null : "id" + PIECES[random.nextInt(PIECES.length)].replaceAll("[\r\n\0]", "");
      byte[] bytes = encode(type, data.toString(), id);
      // Chunked arbitrarily, as a network would.
      List<ParsedItem> items = new ArrayList<>();
      EventStreamParser parser = new EventStreamParser(item -> {
        if (item instanceof ParsedItem p) items.add(p);
      });
      int pos = 0;
      while (pos < bytes.length) {
        int n = Math.min(bytes.length - pos, 1 + random.nextInt(7));
        byte[] chunk = new byte[n];
        System.arraycopy(bytes, pos, chunk, 0, n);
        parser.feed(chunk);
        pos += n;
      }
      parser.end();
      String expectedData = data.toString().replace("\r\n", "\n").replace('\r', '\n');
      String expectedType = type == null || type.isEmpty() ? "message" : type;
      assertThat(items)
          .as("seed %d round %d payload %s", seed, round, RawHttp.escape(data.toString().getBytes(StandardCharsets.UTF_8)))
          .containsExactly(new DispatchedEvent(expectedType, expectedData, id == null ? "" : id));
    }
  }
}
