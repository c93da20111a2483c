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
 * The engine models: each departure from the standard on its own bytes, at every chunking (whole,
 * split once at each point, one byte at a time), and a property: on streams that touch no
 * departure, each engine reads exactly what the standard reads.
 */
class EngineTest {

  record Case(String name, String bytes, List<DispatchedEvent> spec, List<DispatchedEvent> engine, String lastId) {}

  private static DispatchedEvent ev(String data) {
    return DispatchedEvent.message(data);
  }

  private static DispatchedEvent ev(String type, String data, String id) {
    return new DispatchedEvent(type, data, id);
  }

  static final List<Case> FIREFOX = List.of(
      new Case("NUL inside data is dropped", "data: a\0b\n\n", List.of(ev("a\0b")), List.of(ev("ab")), ""),
      new Case("NUL inside event is dropped", "event: a\0b\ndata: x\n\n", List.of(ev("a\0b", "x", "")),
          List.of(ev("ab", "x", "")), ""),
      new Case("NUL directly after the colon is kept", "data:\0b\n\n", List.of(ev("\0b")), List.of(ev("\0b")), ""),
      new Case("NUL after the colon's space is dropped", "data: \0b\n\n", List.of(ev("\0b")), List.of(ev("b")), ""),
      new Case("id with a NUL loses the next field line", "id: 1\0002\ndata: x\n\ndata: y\n\n",
          List.of(ev("message", "x", ""), ev("message", "y", "")), List.of(ev("message", "y", "")), ""),
      new Case("id with a NUL: a comment does not stop the loss", "id: 1\0002\n: c\ndata: x\ndata: z\n\n",
          List.of(ev("message", "x\nz", "")), List.of(ev("message", "z", "")), ""),
      new Case("id with a NUL before an empty line loses nothing more", "id: 1\0002\n\ndata: x\n\n",
          List.of(ev("x")), List.of(ev("x")), ""),
      new Case("id whose only NUL is first is kept", "id:\0007\ndata: x\n\n", List.of(ev("message", "x", "")),
          List.of(ev("message", "x", "\0007")), "\0007"),
      new Case("id-only block does not set the last event ID", "id: 5\n\ndata: x\n\n",
          List.of(ev("message", "x", "5")), List.of(ev("message", "x", "")), ""),
      new Case("id-only block at the end", "data: x\nid: 1\n\nid: 2\n\n", List.of(ev("message", "x", "1")),
          List.of(ev("message", "x", "1")), "1"),
      new Case("NUL at a line's start after LF is skipped", "data: a\n\0data: b\n\n", List.of(ev("a")),
          List.of(ev("a\nb")), ""),
      new Case("a line of NULs after LF is an empty line", "data: a\n\0\ndata: b\n\n", List.of(ev("a\nb")),
          List.of(ev("a"), ev("b")), ""),
      new Case("NUL at a line's start after CR is kept", "data: a\r\0data: b\r\r", List.of(ev("a")), List.of(ev("a")), ""),
      new Case("NUL at the stream's start is kept", "\0data: a\n\n", List.of(), List.of(), ""),
      new Case("BOM then LF loses nothing", "\uFEFF\ndata: x\n\n", List.of(ev("x")), List.of(ev("x")), ""),
      new Case("unfinished block dropped", "data: x\n\ndata: y\n", List.of(ev("x")), List.of(ev("x")), ""));

  static final List<Case> CHROMIUM = List.of(
      new Case("BOM LF: the first line is lost", "\uFEFF\ndata: x\n\n", List.of(ev("x")), List.of(), ""),
      new Case("BOM CR: the first line is lost", "\uFEFF\rid: 7\rdata: x\r\r", List.of(ev("message", "x", "7")),
          List.of(ev("message", "x", "")), ""),
      new Case("BOM CRLF loses nothing", "\uFEFF\r\ndata: x\r\n\r\n", List.of(ev("x")), List.of(ev("x")), ""),
      new Case("BOM then a field", "\uFEFFdata: x\n\n", List.of(ev("x")), List.of(ev("x")), ""),
      new Case("LF without a BOM", "\ndata: x\n\n", List.of(ev("x")), List.of(ev("x")), ""),
      new Case("NUL data as the standard", "data: a\0b\n\n", List.of(ev("a\0b")), List.of(ev("a\0b")), ""));

  @TestFactory
  Stream<DynamicTest> firefoxDepartures() {
    return cases(Engine.FIREFOX, FIREFOX);
  }

  @TestFactory
  Stream<DynamicTest> chromiumDepartures() {
    return cases(Engine.CHROMIUM, CHROMIUM);
  }

  private static Stream<DynamicTest> cases(Engine engine, List<Case> cases) {
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      byte[] bytes = c.bytes().getBytes(StandardCharsets.UTF_8);
      assertThat(Engine.SPEC.events(bytes)).as("the standard").isEqualTo(c.spec());
      for (List<byte[]> chunks : chunkings(bytes)) {
        String[] last = new String[1];
        assertThat(read(engine, chunks, last)).as("%s in %d chunks", engine.title(), chunks.size()).isEqualTo(c.engine());
        assertThat(last[0]).as("last event ID").isEqualTo(c.lastId());
      }
    }));
  }

  @Test
  void firefoxRetryIsAtLeast500AndWraps() {
    assertThat(retries(Engine.FIREFOX, "retry: 100\n")).containsExactly(new Retry(500));
    assertThat(retries(Engine.FIREFOX, "retry: 1500\n")).containsExactly(new Retry(1500));
    assertThat(retries(Engine.FIREFOX, "retry:\n")).containsExactly(new Retry(500));
    assertThat(retries(Engine.FIREFOX, "retry: 4294968296\n")).containsExactly(new Retry(1000)); // 2^32 + 1000
    assertThat(retries(Engine.FIREFOX, "retry: 1\0002\n")).containsExactly(new Retry(500)); // "12"
    assertThat(retries(Engine.FIREFOX, "retry: 1x\n")).isEmpty();
    assertThat(retries(Engine.SPEC, "retry: 100\n")).containsExactly(new Retry(100));
  }

  @Test
  void limitsStopTheFirefoxModelOnce() {
    List<StreamItem> items = new ArrayList<>();
    StreamReader r = Engine.FIREFOX.reader(items::add, "", 16, 1 << 20);
    byte[] longLine = utf8("data: short\n\ndata: " + "x".repeat(100) + "\n\n");
    r.feed(longLine, 0, longLine.length);
    r.end();
    assertThat(items).hasSize(2);
    assertThat(items.get(0)).isEqualTo(ev("short"));
    assertThat(items.get(1)).isInstanceOf(StreamItem.LimitExceeded.class);
    assertThat(r.stopped()).isTrue();

    items.clear();
    r = Engine.FIREFOX.reader(items::add, "", 1 << 20, 8);
    byte[] b = utf8("data: 12345\ndata: 12345\n\n");
    r.feed(b, 0, b.length);
    assertThat(items).singleElement().isInstanceOf(StreamItem.LimitExceeded.class);
  }

  /** Every reader stops at the same byte for the same over-long line, however the line is made. */
  @Test
  void theLineLimitStopsEveryReaderAtTheSameByte() {
    int max = 32;
    String[] lines = {
        ":" + "c".repeat(max - 1), ":" + "c".repeat(max), "data: " + "x".repeat(max - 6), "data: " + "x".repeat(max - 5),
        "data: " + "\uD83D\uDE00".repeat((max - 6) / 2), "data: " + "\uD83D\uDE00".repeat((max - 6) / 2 + 1),
        "id: " + "1".repeat(max - 4), "id: 1\0" + "2".repeat(max - 6), "id: 1\0" + "2".repeat(max - 5)};
    for (String line : lines) {
      for (String end : new String[] {"\n", "\r", "\r\n"}) {
        byte[] bytes = utf8("data: a\n\n" + line + end + "data: b" + end + end);
        List<List<StreamItem>> all = new ArrayList<>();
        for (Engine e : Engine.values()) {
          List<StreamItem> items = new ArrayList<>();
          StreamReader r = e.reader(items::add, "", max, 1 << 20);
          r.feed(bytes, 0, bytes.length);
          r.end();
          all.add(items.stream().filter(i -> i instanceof StreamItem.LimitExceeded).toList());
        }
        assertThat(all.get(1)).as("Chromium on %s", escape(bytes)).isEqualTo(all.get(0));
        assertThat(all.get(2)).as("Firefox on %s", escape(bytes)).isEqualTo(all.get(0));
      }
    }
  }

  @Test
  void aRetryIsADepartureOnlyWhereFirefoxTakesAnotherValue() {
    assertThat(departures(Engine.FIREFOX, "retry: 0500\n")).isEmpty();
    assertThat(departures(Engine.FIREFOX, "retry: 0000000000000000500\n")).isEmpty();
    assertThat(departures(Engine.FIREFOX, "retry: 499\n")).singleElement()
        .satisfies(d -> assertThat(d.what()).contains("takes as 500 ms"));
  }

  @Test
  void onlyChromiumRefusesAnotherCharset() {
    assertThat(Engine.CHROMIUM.refusal("text/event-stream; charset=windows-1252")).contains("windows-1252");
    assertThat(Engine.CHROMIUM.refusal("text/event-stream;charset=\"latin1\"")).contains("latin1");
    assertThat(Engine.CHROMIUM.refusal("text/event-stream; charset=UTF-8")).isNull();
    assertThat(Engine.CHROMIUM.refusal("text/event-stream")).isNull();
    assertThat(Engine.FIREFOX.refusal("text/event-stream; charset=windows-1252")).isNull();
    assertThat(Engine.SPEC.refusal("text/event-stream; charset=windows-1252")).isNull();
  }

  @Test
  void departuresNameTheEngineAndTheByte() {
    List<StreamItem.Departure> ff = departures(Engine.FIREFOX, "data: x\n\ndata: a\0b\n\n");
    assertThat(ff).singleElement().satisfies(d -> {
      assertThat(d.engine()).isEqualTo(Engine.FIREFOX);
      assertThat(d.byteOffset()).isEqualTo(16);
      assertThat(d.what()).contains("NUL inside the value of field \"data\"");
    });
    assertThat(departures(Engine.FIREFOX, "id: 5\n\n")).singleElement()
        .satisfies(d -> assertThat(d.what()).contains("no data"));
    assertThat(departures(Engine.FIREFOX, "id: 1\0002\n")).singleElement()
        .satisfies(d -> assertThat(d.what()).contains("loses the next field line"));
    assertThat(departures(Engine.FIREFOX, "retry: 100\n")).singleElement()
        .satisfies(d -> assertThat(d.what()).contains("500 ms"));
    assertThat(departures(Engine.FIREFOX, "foo: a\0b\nretry: 800\nid: 3\ndata: x\n\n")).isEmpty();
    assertThat(departures(Engine.CHROMIUM, "\uFEFF\ndata: x\n\n")).singleElement()
        .satisfies(d -> assertThat(d.byteOffset()).isEqualTo(3));
    assertThat(departures(Engine.SPEC, "\uFEFF\ndata: a\0b\nid: 1\n\n")).isEmpty();
  }

  private static List<Retry> retries(Engine e, String text) {
    return e.parse(utf8(text)).stream().filter(i -> i instanceof Retry).map(i -> (Retry) i).toList();
  }

  private static List<StreamItem.Departure> departures(Engine e, String text) {
    return e.parse(utf8(text)).stream().filter(i -> i instanceof StreamItem.Departure)
        .map(i -> (StreamItem.Departure) i).toList();
  }

  @Test
  void namesRoundTrip() {
    for (Engine e : Engine.values()) assertThat(Engine.byId(e.id().toUpperCase())).isSameAs(e);
    assertThat(Engine.byId("webkit")).isNull();
  }

  /**
   * Streams that touch no departure (no NUL, every block with an id also has data, retry at least
   * 500, no BOM before a line end): both engine models read exactly the standard's items, at a
   * random chunking.
   */
  @Test
  void engineModelsAgreeWithTheStandardAwayFromTheirDepartures() {
    Random random = new Random(20261208L);
    String[] fields = {"data: x", "data:y", "data", "data: é€😀", "event: t", "event", "id: 5", "id", "id: ",
        "retry: 900", "retry: nope", ": comment", ":", "da ta: z", "data : w", "Data: v", "foo: bar", "data:  two"};
    String[] ends = {"\n", "\r", "\r\n"};
    for (int n = 0; n < 3000; n++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (random.nextInt(5) == 0) out.writeBytes(utf8("\uFEFF"));
      int blocks = random.nextInt(5);
      for (int b = 0; b < blocks; b++) {
        int lines = 1 + random.nextInt(4);
        int dataAt = random.nextInt(lines + 1);
        for (int l = 0; l <= lines; l++) {
          String line = l == dataAt ? "data: d" + b : fields[random.nextInt(fields.length)];
          if (random.nextInt(20) == 0) line += "\u00FF"; // decoded to U+00FF, not a departure
          out.writeBytes(utf8(line));
          if (random.nextInt(30) == 0) out.write(0xFF); // an invalid byte: U+FFFD in every reader
          out.writeBytes(utf8(ends[random.nextInt(ends.length)]));
        }
        if (random.nextInt(10) != 0) out.writeBytes(utf8(ends[random.nextInt(ends.length)]));
      }
      byte[] bytes = out.toByteArray();
      if (BlinkStreamReader.effectiveBytes(bytes) != null) continue;
      List<StreamItem> spec = withoutComments(Engine.SPEC.parse(bytes));
      List<byte[]> chunks = randomChunks(bytes, random);
      for (Engine e : Engine.browsers()) {
        List<StreamItem> items = new ArrayList<>();
        StreamReader r = e.reader(items::add, "", 1 << 20, 1 << 20);
        for (byte[] c : chunks) r.feed(c, 0, c.length);
        r.end();
        assertThat(withoutComments(items)).as("%s on \"%s\"", e.title(), escape(bytes)).isEqualTo(spec);
      }
    }
  }

  private static List<StreamItem> withoutComments(List<StreamItem> items) {
    return items.stream().filter(i -> !(i instanceof StreamItem.Comment)).toList();
  }

  private static List<DispatchedEvent> read(Engine engine, List<byte[]> chunks, String[] lastOut) {
    List<DispatchedEvent> events = new ArrayList<>();
    StreamReader r = engine.reader(i -> {
      if (i instanceof DispatchedEvent e) events.add(e);
    }, "", 1 << 20, 1 << 20);
    for (byte[] c : chunks) r.feed(c, 0, c.length);
    r.end();
    lastOut[0] = r.lastEventId();
    return events;
  }

  static List<List<byte[]>> chunkings(byte[] bytes) {
    List<List<byte[]>> all = new ArrayList<>();
    all.add(List.of(bytes));
    for (int at = 1; at < bytes.length; at++) {
      all.add(List.of(java.util.Arrays.copyOfRange(bytes, 0, at), java.util.Arrays.copyOfRange(bytes, at, bytes.length)));
    }
    List<byte[]> singles = new ArrayList<>();
    for (byte b : bytes) singles.add(new byte[] {b});
    all.add(singles);
    return all;
  }

  private static List<byte[]> randomChunks(byte[] bytes, Random random) {
    List<byte[]> chunks = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(7));
      chunks.add(java.util.Arrays.copyOfRange(bytes, at, at + n));
      at += n;
    }
    return chunks;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String escape(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      int v = b & 0xFF;
      if (v >= 0x20 && v < 0x7F && v != '\\') sb.append((char) v);
      else sb.append(String.format("\\x%02X", v));
    }
    return sb.toString();
  }
}
