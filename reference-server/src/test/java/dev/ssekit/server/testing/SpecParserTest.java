package dev.ssekit.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.Vector;
import dev.ssekit.protocol.Vectors;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The parser against the spec vectors ({@link Vectors}, protocol's {@code vectors.jsonl}, which the
 * oracle's tests in protocol and the scenarios read too): each vector is fed whole, split once at
 * every point, in 2-byte chunks and one byte at a time, and (for vectors split into writes) in its
 * own chunks; every chunking must report exactly the vector's items. Expectations are written from
 * the spec, never produced by this parser.
 */
class SpecParserTest {

  private static final List<Vector> VECTORS = Vectors.all();

  @Test
  @DisplayName("the table covers at least 30 catalog vectors, each once")
  void tableIsLargeAndUnique() {
    List<String> ids = VECTORS.stream().map(Vector::id).toList();
    assertThat(ids).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
  }

  @TestFactory
  @DisplayName("every vector gives its catalog items at every chunking")
  Stream<DynamicTest> vectorsAtEveryChunking() {
    return VECTORS.stream().flatMap(vector -> {
      byte[] whole = vector.whole();
      List<DynamicTest> tests = new ArrayList<>();
      tests.add(DynamicTest.dynamicTest(vector.id() + " whole", () -> check(vector, List.of(whole))));
      if (vector.chunks().size() > 1) {
        tests.add(DynamicTest.dynamicTest(vector.id() + " as the catalog chunks it", () -> check(vector, vector.chunks())));
      }
      tests.add(DynamicTest.dynamicTest(vector.id() + " split once at every point", () -> {
        for (int at = 1; at < whole.length; at++) {
          check(vector, List.of(Arrays.copyOfRange(whole, 0, at), Arrays.copyOfRange(whole, at, whole.length)));
        }
      }));
      tests.add(DynamicTest.dynamicTest(vector.id() + " in 2-byte chunks", () -> check(vector, chunks(whole, 2))));
      tests.add(DynamicTest.dynamicTest(vector.id() + " one byte at a time", () -> check(vector, chunks(whole, 1))));
      return tests.stream();
    });
  }

  @Test
  @DisplayName("F-02: a BOM in three one-byte chunks is stripped once; a second BOM spoils the next name")
  void bomSplitIntoSingleBytes() {
    SpecParser parser = new SpecParser();
    parser.feed(b(0xEF));
    parser.feed(b(0xBB));
    parser.feed(b(0xBF));
    parser.feed(b(0xEF, 0xBB, 0xBF, "data: lost\n\ndata: kept\n\n"));
    parser.end();
    assertThat(parser.items()).containsExactly(msg("kept"));
  }

  @Test
  @DisplayName("V43: a blank CR line at the end of a chunk dispatches before the next chunk arrives")
  void crAtChunkEndDispatchesAtOnce() {
    SpecParser parser = new SpecParser();
    parser.feed(b("data: a\r\r"));
    assertThat(parser.items()).containsExactly(msg("a"));
    parser.feed(b("\ndata: b\r\r"));
    parser.end();
    assertThat(parser.items()).containsExactly(msg("a"), msg("b"));
  }

  @Test
  @DisplayName("F-01: a multi-byte character cut by the end of the stream is discarded with its line")
  void truncatedCharacterAtEnd() {
    SpecParser parser = new SpecParser();
    parser.feed(b("data: ok\n\ndata: ", 0xE2, 0x82));
    parser.end();
    assertThat(parser.items()).containsExactly(msg("ok"));
  }

  @Test
  @DisplayName("F-01: overlong, surrogate and out-of-range sequences decode to U+FFFD per byte or per maximal prefix")
  void whatwgDecoderEdgeCases() {
    // C0 80 (overlong): two U+FFFD; ED A0 80 (surrogate): three; F4 90 80 80 (beyond U+10FFFF): four.
    List<ParsedItem> items = SpecParser.parse(b("data: ", 0xC0, 0x80, "|", 0xED, 0xA0, 0x80, "|", 0xF4, 0x90, 0x80, 0x80,
        "|", 0xF0, 0x9F, 0x98, 0x80, "\n\n"));
    assertThat(items).containsExactly(msg("\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD\uFFFD|\uD83D\uDE00"));
  }

  @Test
  @DisplayName("D-10: a digits-only retry beyond a long is ignored and parsing goes on")
  void retryBeyondLong() {
    assertThat(SpecParser.parse(b("retry: 9223372036854775807\n\nretry: 9223372036854775808\ndata: x\n\n")))
        .containsExactly(new Retry(Long.MAX_VALUE), msg("x"));
  }

  @Test
  @DisplayName("feeding after end() is a programming error")
  void feedAfterEnd() {
    SpecParser parser = new SpecParser();
    parser.end();
    assertThatThrownBy(() -> parser.feed(b("data: x\n\n"))).isInstanceOf(IllegalStateException.class);
  }

  private static void check(Vector vector, List<byte[]> chunks) {
    SpecParser parser = new SpecParser();
    chunks.forEach(parser::feed);
    parser.end();
    String where = vector.id() + " " + escape(vector.whole()) + " in chunks " + chunks.stream().map(SpecParserTest::escape).toList();
    assertEquals(vector.expected(), parser.items(), where);
    if (vector.cursor() != null) assertEquals(vector.cursor(), parser.lastEventId(), "cursor of " + where);
  }

  private static List<byte[]> chunks(byte[] whole, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int at = 0; at < whole.length; at += size) {
      out.add(Arrays.copyOfRange(whole, at, Math.min(whole.length, at + size)));
    }
    return out;
  }

  private static DispatchedEvent msg(String data) {
    return DispatchedEvent.message(data);
  }

  /** Bytes in the catalog's notation: a String is UTF-8 text, an Integer is one raw byte. */
  static byte[] b(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  /** Java-style escaping of raw bytes, for failure messages. */
  static String escape(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte value : bytes) {
      int c = value & 0xFF;
      switch (c) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> sb.append(c < 0x20 || c >= 0x7F ? String.format("\\x%02X", c) : String.valueOf((char) c));
      }
    }
    return sb.append('"').toString();
  }
}
