package dev.ssekit.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ssekit.server.testing.SpecParser.Event;
import dev.ssekit.server.testing.SpecParser.Item;
import dev.ssekit.server.testing.SpecParser.Retry;
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
 * The oracle against the vectors of section 6 of {@code spec/catalog.md}: each vector is fed whole,
 * split once at every point, in 2-byte chunks and one byte at a time, and (for vectors with
 * {@code ‖}) in its own chunks; every chunking must report exactly the vector's items. Expectations
 * are copied from the catalog, never produced by this parser.
 */
class SpecParserTest {

  /**
   * One catalog vector.
   *
   * @param id catalog id, e.g. V42
   * @param chunks the bytes, split where the catalog writes ‖ (one chunk when it does not)
   * @param expected the items the catalog lists
   * @param cursor the last event ID the catalog states at the end, or null when it states none
   */
  record Vector(String id, List<byte[]> chunks, List<Item> expected, String cursor) {
    byte[] whole() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      chunks.forEach(out::writeBytes);
      return out.toByteArray();
    }

    @Override
    public String toString() {
      return id + " " + escape(whole());
    }
  }

  private static final List<Vector> VECTORS = List.of(
      v("V01", b("data: hello\n\n"), msg("hello")),
      v("V02", b("data:test\n\ndata: test\n\n"), msg("test"), msg("test")),
      v("V03", b("data:  hello\n\n"), msg(" hello")),
      v("V04", b("data:\thello\n\n"), msg("\thello")),
      v("V05", b("data\n\n"), msg("")),
      v("V06", b("data:\n\n"), msg("")),
      v("V07", b("data\ndata\n\n"), msg("\n")),
      v("V08", b("data: a\ndata:\ndata: b\n\n"), msg("a\n\nb")),
      v("V09", b("data: a\n\n\n\ndata: b\n\n"), msg("a"), msg("b")),
      v("V19", b("data: a:b: c\ndata::\n\n"), msg("a:b: c\n:")),
      v("V20", b("data:   \n\n"), msg("  ")),
      v("V10", b("event: add\ndata: 1\n\ndata: 2\n\n"), ev("add", "1", ""), msg("2")),
      v("V11", b("event: add\n\ndata: 2\n\n"), msg("2")),
      v("V12", b("event: \ndata: x\n\n"), msg("x")),
      v("V13", b("event\ndata: x\n\n"), msg("x")),
      v("V14", b("event: a\nevent: b\ndata: x\n\n"), ev("b", "x", "")),
      v("V15", b("Event: a\nDATA: y\ndata: x\n\n"), msg("x")),
      v("V16", b("data : x\n data: y\ndata: z\n\n"), msg("z")),
      v("V17", b("foo: bar\njustsometext\ndata\0: q\n\0data: r\ndata: y\n\n"), msg("y")),
      cursor("V61", "", b("id: a\nevent: b\ndata: c\nid\nevent\ndata\n\n"), msg("c\n")),
      v("V18", b(": comment\n:\n::x\ndata: y\n:trailing\n\n:\n\n"), msg("y")),
      cursor("V21", "1", b("id: 1\ndata: a\n\ndata: b\n\n"), ev("message", "a", "1"), ev("message", "b", "1")),
      cursor("V22", "", b("id: 1\ndata: a\n\nid\ndata: b\n\ndata: c\n\n"),
          ev("message", "a", "1"), msg("b"), msg("c")),
      cursor("V23", "", b("id: 1\ndata: a\n\nid:\ndata: b\n\n"), ev("message", "a", "1"), msg("b")),
      cursor("V24", "7", b("id: 7\n\ndata: x\n\n"), ev("message", "x", "7")),
      v("V25", b("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"), ev("message", "a", "1"), ev("message", "b", "1")),
      v("V26", b("data: a\0b\n\n"), msg("a\0b")),
      v("V27", b("id:  spaced \ndata: x\n\n"), ev("message", "x", " spaced ")),
      v("V28", b("id: \u20AC\ndata: x\n\n"), ev("message", "x", "\u20AC")),
      v("V29", b("retry: 1500\ndata: x\n\n"), new Retry(1500), msg("x")),
      v("V30", b("retry: 03000\n\n"), new Retry(3000)),
      v("V31", b("retry:  1000\nretry: 1000 \nretry: -1\nretry: +5\nretry: 1.5\nretry: 1e3\nretry: 0x10\n"
          + "retry: \uFF11\uFF10\ndata: x\n\n"), msg("x")),
      v("V32", b("retry: 3000\nretry: 1000x\ndata: x\n\n"), new Retry(3000), msg("x")),
      v("V33", b("retry\ndata: t\n\nretry:\ndata: u\n\n"), msg("t"), msg("u")),
      v("V34", b("retry: 0\n\n"), new Retry(0)),
      v("V35", b("retry: 99999999999999999999\n\n")),
      v("V36", b("retry: 5000\ndata: x"), new Retry(5000)),
      v("V37", b("data: a\rdata: b\r\r"), msg("a\nb")),
      v("V38", b("data: a\r\ndata: b\r\n\r\n"), msg("a\nb")),
      v("V39", b("data: a\r\ndata: b\rdata: c\n\n"), msg("a\nb\nc")),
      v("V40", b("data: a\n\rdata: b\r\n\r\n"), msg("a"), msg("b")),
      v("V41", b("data: a\r\r\n"), msg("a")),
      new Vector("V42", List.of(b("data: Hello\r"), b("\ndata: World\r"), b("\n\r\ndata: OK\r"), b("\n"), b("\r"),
          b("\n")), List.of(msg("Hello\nWorld"), msg("OK")), null),
      new Vector("V43", List.of(b("data: a\r\r"), b("\ndata: b\r\r")), List.of(msg("a"), msg("b")), null),
      new Vector("V62", List.of(b("data: test"), b("test\n\ndata:"), b("test\n\n")),
          List.of(msg("testtest"), msg("test")), null),
      v("V44", b(0xEF, 0xBB, 0xBF, "data: a\n\n"), msg("a")),
      new Vector("V45", List.of(b(0xEF), b(0xBB, 0xBF, "data: 1\n\ndata: 2\n\n")), List.of(msg("1"), msg("2")), null),
      v("V46", b(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, "data: 1\n\ndata: 2\n\n"), msg("2")),
      v("V47", b("data: 1\n\n", 0xEF, 0xBB, 0xBF, "data: 2\n\ndata: 3\n\n"), msg("1"), msg("3")),
      v("V48", b("data: ", 0xEF, 0xBB, 0xBF, "x\n\n"), msg("\uFEFFx")),
      v("V49", b(0xFF, 0xFE, "data: 1\n\ndata: 2\n\n"), msg("2")),
      v("V50", b("data: ", 0xFF, 0xFE, "a\ndata: ", 0xE2, 0x82, "\n\n"), msg("\uFFFD\uFFFDa\n\uFFFD")),
      v("V51", b("data: \u20AC\u8C46\u8150\n\n"), msg("\u20AC\u8C46\u8150")),
      v("V52", b("data: a\u2028b\u000Bc\u000Cd\u0085e\n\n"), msg("a\u2028b\u000Bc\u000Cd\u0085e")),
      v("V57", b("data:ok\u2026\n\n\n"), msg("ok\u2026")),
      v("V53", b("data: a\n\ndata: b\n"), msg("a")),
      cursor("V54", "", b("data: a\n\nid: 9\ndata: b"), msg("a")),
      v("V55", b("\n\n\ndata: x\n\n"), msg("x")),
      v("V56", b("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n"
          + " data:32\ndata:4\n\n"), msg("\0\n 2\n1\n3\n\n4")),
      v("V58", b("data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n"),
          msg("test\n\ntest")),
      v("V59", b("data:test\r\ndata\ndata:test\r\n\r\n"), msg("test\n\ntest")),
      v("V60", b("data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n"),
          msg("msg\nmsg"), msg(""), msg("end")),
      v("V63", b("data:1\r:\0\n:\r\ndata:2\n:", "x".repeat(2048), "\rdata:3\n:data:fail\r:", "x".repeat(2048),
          "\ndata:4\n\n"), msg("1\n2\n3\n4")));

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
    List<Item> items = SpecParser.parse(b("data: ", 0xC0, 0x80, "|", 0xED, 0xA0, 0x80, "|", 0xF4, 0x90, 0x80, 0x80,
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
    String where = vector + " in chunks " + chunks.stream().map(SpecParserTest::escape).toList();
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

  private static Vector v(String id, byte[] bytes, Item... expected) {
    return new Vector(id, List.of(bytes), List.of(expected), null);
  }

  private static Vector cursor(String id, String cursor, byte[] bytes, Item... expected) {
    return new Vector(id, List.of(bytes), List.of(expected), cursor);
  }

  private static Event msg(String data) {
    return new Event("message", data, "");
  }

  private static Event ev(String type, String data, String lastEventId) {
    return new Event(type, data, lastEventId);
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
