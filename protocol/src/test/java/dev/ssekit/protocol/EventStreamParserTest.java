package dev.ssekit.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The oracle against every spec vector ({@link Vectors}, shared with the reference server's
 * scenarios) at every chunking (whole, as the vector splits it, split once at each point, two
 * bytes and one byte at a time), and a property: any chunking of the same bytes gives the same
 * items.
 */
class EventStreamParserTest {

  /** Parses {@code chunks} and returns the items, without comments. */
  static List<StreamItem> run(List<byte[]> chunks, String lastEventId, String[] cursorOut) {
    List<StreamItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(items::add, lastEventId, 1 << 20, 1 << 22);
    for (byte[] c : chunks) p.feed(c);
    p.end();
    if (cursorOut != null) cursorOut[0] = p.lastEventId();
    items.removeIf(i -> i instanceof StreamItem.Comment);
    return items;
  }

  /** The oracle's items in the vectors' terms (it reports no limit on these streams). */
  static List<ParsedItem> parsed(List<StreamItem> items) {
    return items.stream().<ParsedItem>map(i -> {
      if (i instanceof ParsedItem p) return p;
      throw new AssertionError("not in a vector's terms: " + i);
    }).toList();
  }

  @Test
  void theTableHoldsEveryVectorOnce() {
    assertThat(Vectors.all()).hasSizeGreaterThanOrEqualTo(54).extracting(Vector::id).doesNotHaveDuplicates();
  }

  @TestFactory
  Stream<DynamicTest> everyVectorAtEveryChunking() {
    return Vectors.all().stream().map(v -> DynamicTest.dynamicTest(v.toString(), () -> {
      byte[] whole = v.whole();
      List<List<byte[]>> chunkings = new ArrayList<>();
      chunkings.add(List.of(whole));
      chunkings.add(v.chunks());
      for (int split = 1; split < whole.length; split++) chunkings.add(split(whole, split));
      chunkings.add(every(whole, 2));
      chunkings.add(every(whole, 1));
      for (List<byte[]> chunking : chunkings) {
        String[] cursor = new String[1];
        List<ParsedItem> got = parsed(run(chunking, "", cursor));
        assertThat(got).as("%s chunked as %s", v.id(), describe(chunking)).containsExactlyElementsOf(v.expected());
        if (v.cursor() != null) assertThat(cursor[0]).as("%s cursor", v.id()).isEqualTo(v.cursor());
      }
    }));
  }

  @Test
  void aReconnectCarriesTheLastEventIdIntoTheNextStream() {
    // M1 (docs/spec-rules.md), WPT format-field-id-2: the new connection's id-less event reports the old id.
    String[] cursor = new String[1];
    run(List.of("id: 5\ndata: a\n\n".getBytes(StandardCharsets.UTF_8)), "", cursor);
    assertThat(run(List.of("data: b\n\n".getBytes(StandardCharsets.UTF_8)), cursor[0], null))
        .containsExactly(new DispatchedEvent("message", "b", "5"));
  }

  @Test
  void anEndlessLineIsStoppedAtTheLimitWithBoundedMemory() {
    List<StreamItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(items::add, "", 1000, 1 << 20);
    p.feed("data: ok\n\n".getBytes(StandardCharsets.UTF_8));
    byte[] x = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);
    p.feed("data: ".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 10_000 && !p.stopped(); i++) p.feed(x); // up to 40 MB, stopped after ~1000 bytes
    p.feed("\n\ndata: after\n\n".getBytes(StandardCharsets.UTF_8));
    p.end();
    assertThat(p.stopped()).isTrue();
    assertThat(items).containsExactly(new DispatchedEvent("message", "ok", ""),
        new StreamItem.LimitExceeded("line", 1000, 10 + 1001));
    assertThat(p.pendingLineChars()).isZero();
  }

  @Test
  void anEventThatNeverEndsIsStoppedAtTheEventLimit() {
    List<StreamItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(items::add, "", 1000, 5000);
    for (int i = 0; i < 100_000 && !p.stopped(); i++) p.feed("data: 0123456789\n".getBytes(StandardCharsets.UTF_8));
    assertThat(items).hasSize(1);
    assertThat(items.get(0)).isInstanceOf(StreamItem.LimitExceeded.class);
    assertThat(((StreamItem.LimitExceeded) items.get(0)).what()).isEqualTo("event");
    assertThat(p.bytesRead()).isLessThan(8000); // ~455 lines of 17 bytes fill 5000 characters
  }

  @Test
  void commentsAreReportedWithoutTheirColon() {
    List<StreamItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(items::add);
    p.feed(": heartbeat\n:\n\n".getBytes(StandardCharsets.UTF_8));
    assertThat(items).containsExactly(new StreamItem.Comment(" heartbeat"), new StreamItem.Comment(""));
  }

  private static final String[] PIECES = {"data", "data:", "data: ", "id", "id:", "id: ", "event:", "event: x",
      "retry:", "retry: 10", ":", " ", "x", "\u00e9", "\u20ac", "\uD83D\uDE00", "\0", "\r", "\n", "\r\n", "\n\n",
      "Data:", "\uFEFF"};

  @Test
  void aBomInThreeOneByteChunksIsStrippedOnceAndASecondBomSpoilsTheNextName() {
    // F-02: one leading BOM is stripped, even split across reads; another is text.
    assertThat(parsed(run(List.of(b(0xEF), b(0xBB), b(0xBF), b(0xEF, 0xBB, 0xBF, "data: lost\n\ndata: kept\n\n")), "", null)))
        .containsExactly(DispatchedEvent.message("kept"));
  }

  @Test
  void aBlankCrLineAtTheEndOfAChunkDispatchesBeforeTheNextChunkArrives() {
    // Vector V43: the CR may be followed by an LF in the next chunk, but the event is not held for it.
    List<StreamItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(items::add);
    p.feed(b("data: a\r\r"));
    assertThat(items).containsExactly(DispatchedEvent.message("a"));
    p.feed(b("\ndata: b\r\r"));
    p.end();
    assertThat(items).containsExactly(DispatchedEvent.message("a"), DispatchedEvent.message("b"));
  }

  @Test
  void aCharacterCutByTheEndOfTheStreamIsDiscardedWithItsLine() {
    // F-01, X-06: a character cut off by the end of the stream goes with its unterminated line.
    assertThat(EventStreamParser.parsedItems(b("data: ok\n\ndata: ", 0xE2, 0x82))).containsExactly(DispatchedEvent.message("ok"));
  }

  @Test
  void overlongSurrogateAndOutOfRangeSequencesDecodeToReplacementsPerMaximalPrefix() {
    // F-01, WHATWG Encoding's UTF-8 decoder: C0 80 (overlong) gives two U+FFFD, ED A0 80
    // (a surrogate) three, F4 90 80 80 (beyond U+10FFFF) four; a valid four-byte character stays.
    assertThat(EventStreamParser.parsedItems(b("data: ", 0xC0, 0x80, "|", 0xED, 0xA0, 0x80, "|", 0xF4, 0x90, 0x80, 0x80,
        "|", 0xF0, 0x9F, 0x98, 0x80, "\n\n")))
        .containsExactly(DispatchedEvent.message("\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD\uFFFD|\uD83D\uDE00"));
  }

  @Test
  void aDigitsOnlyRetryBeyondALongIsIgnoredAndParsingGoesOn() {
    // D-10: a retry too large for a long is ignored; parsing goes on.
    assertThat(EventStreamParser.parsedItems(b("retry: 9223372036854775807\n\nretry: 9223372036854775808\ndata: x\n\n")))
        .containsExactly(new Retry(Long.MAX_VALUE), DispatchedEvent.message("x"));
  }

  /** Bytes in the vectors' notation, as Java values: a String is UTF-8 text, an Integer is one raw byte. */
  static byte[] b(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      else out.write((Integer) part);
    }
    return out.toByteArray();
  }

  /** Seeded property: any chunking of the same bytes gives the same items. */
  @Test
  void anyChunkingGivesTheSameItems() {
    long seed = 4242L;
    Random random = new Random(seed);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      int n = random.nextInt(30);
      for (int i = 0; i < n; i++) text.append(PIECES[random.nextInt(PIECES.length)]);
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(4) == 0 && bytes.length > 0) bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x80));
      List<StreamItem> whole = run(List.of(bytes), "", null);
      List<byte[]> chunks = new ArrayList<>();
      for (int pos = 0; pos < bytes.length; ) {
        int len = Math.min(bytes.length - pos, 1 + random.nextInt(5));
        byte[] c = new byte[len];
        System.arraycopy(bytes, pos, c, 0, len);
        chunks.add(c);
        pos += len;
      }
      assertThat(run(chunks, "", null)).as("seed %d round %d bytes %s", seed, round, describe(List.of(bytes)))
          .containsExactlyElementsOf(whole);
    }
  }

  static List<byte[]> split(byte[] b, int at) {
    byte[] a = new byte[at];
    byte[] c = new byte[b.length - at];
    System.arraycopy(b, 0, a, 0, at);
    System.arraycopy(b, at, c, 0, c.length);
    return List.of(a, c);
  }

  static List<byte[]> every(byte[] b, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < b.length; i += size) {
      byte[] c = new byte[Math.min(size, b.length - i)];
      System.arraycopy(b, i, c, 0, c.length);
      out.add(c);
    }
    return out;
  }

  static String describe(List<byte[]> chunks) {
    StringBuilder sb = new StringBuilder();
    for (byte[] c : chunks) {
      if (sb.length() > 0) sb.append(" | ");
      for (byte value : c) {
        int b = value & 0xff;
        if (b == '\n') sb.append("\\n");
        else if (b == '\r') sb.append("\\r");
        else if (b < 0x20 || b >= 0x7f) sb.append(String.format("\\x%02X", b));
        else sb.append((char) b);
      }
    }
    return sb.toString();
  }
}
