package dev.ssekit.conformance.browser;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.StreamItem;
import dev.ssekit.protocol.Utf8StreamDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Random event streams for the parity test, all from one seeded {@link Random}: blocks of field
 * lines with real, misspelled, case-changed, space- or NUL-polluted and unknown field names; values
 * with spaces, colons, NUL, non-ASCII characters, Unicode line separators and invalid UTF-8 (lone
 * bytes that decode to U+FFFD, truncated, overlong and surrogate sequences); CR, LF or CRLF line
 * ends, one kind per stream or mixed; comments; byte order marks at the start (once or twice) and
 * in the middle; an unterminated tail; and a random cut into writes, biased towards the places
 * where a cut matters (after a CR, inside a multi-byte sequence or BOM).
 */
final class StreamGenerator {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final byte[][] ENDINGS = {{'\r'}, {'\n'}, {'\r', '\n'}};

  /** Value pieces: each a byte sequence; together they make data, ids, event names and comments. */
  private static final byte[][] PIECES = {
      ascii("a"), ascii("hello"), ascii("x y"), ascii("42"), ascii("{\"k\":[1,2]}"), ascii("data"),
      ascii(" "), ascii("  "), ascii(":"), ascii(": "), ascii("\t"), ascii("="),
      {0}, // NUL
      utf8("é"), utf8("日本"), utf8("😀"), utf8("\u2028"), utf8("\u0085"), utf8("\u000B\u000C"),
      BOM, // a BOM inside a value is the character U+FEFF
      {(byte) 0xFF}, // never valid in UTF-8
      {(byte) 0xC3}, // a lead byte alone
      {(byte) 0x80}, // a continuation byte alone
      {(byte) 0xE2, (byte) 0x82}, // a three-byte sequence cut short: one U+FFFD
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
      {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
      {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, // a four-byte sequence cut short
  };

  private static final String[] EVENT_NAMES = {"update", "ping", "error", "open", "message", "", "x y", " leading", "é"};
  private static final String[] RETRY_VALUES = {"1000", "0", "007", "", " 5", "-1", "1.5", "12a", "99999999999999999999999", "٣"};
  private static final String[] MANGLED_NAMES = {
      "Data", " data", "data ", "DATA", "dat", "datum", "d\0ata", "Event", "evnt", "ID", " id", "Retry", "foo", ""};

  private final Random random;

  StreamGenerator(Random random) {
    this.random = random;
  }

  GeneratedStream next() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int endingPolicy = random.nextInt(4); // 0 CR, 1 LF, 2 CRLF, 3 mixed
    if (chance(25)) {
      out.writeBytes(BOM);
      if (chance(30)) out.writeBytes(BOM); // only the first is removed
    }
    if (chance(8)) out.writeBytes(ending(endingPolicy)); // a blank line first
    int blocks = 1 + random.nextInt(6);
    for (int b = 0; b < blocks; b++) {
      boolean last = b == blocks - 1;
      int lines = 1 + random.nextInt(4);
      for (int l = 0; l < lines; l++) {
        out.writeBytes(line());
        boolean tail = last && l == lines - 1;
        if (!(tail && chance(12))) out.writeBytes(ending(endingPolicy)); // else: a line cut off at the end
      }
      if (!(last && chance(25))) out.writeBytes(ending(endingPolicy)); // else: a block never dispatched
      if (chance(10)) out.writeBytes(ending(endingPolicy)); // an extra blank line
    }
    byte[] bytes = out.toByteArray();
    if (bytes.length == 0) bytes = ascii("\n");
    int[] chunks = chunks(bytes);
    int[] pauses = new int[chunks.length];
    for (int i = 1; i < pauses.length; i++) pauses[i] = chance(50) ? 0 : 1 + random.nextInt(3);
    return new GeneratedStream(bytes, chunks, pauses, eventTypes(bytes));
  }

  /** One line without its end. */
  private byte[] line() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int kind = random.nextInt(100);
    if (kind < 8) {
      line.write(':'); // a comment
      line.writeBytes(value());
      return line.toByteArray();
    }
    String name;
    byte[] value;
    if (kind < 42) {
      name = "data";
      value = value();
    } else if (kind < 56) {
      name = "event";
      value = chance(60) ? utf8(EVENT_NAMES[random.nextInt(EVENT_NAMES.length)]) : value();
    } else if (kind < 70) {
      name = "id";
      value = chance(30) ? ascii(Integer.toString(random.nextInt(1000))) : value();
    } else if (kind < 77) {
      name = "retry";
      value = utf8(RETRY_VALUES[random.nextInt(RETRY_VALUES.length)]);
    } else {
      name = MANGLED_NAMES[random.nextInt(MANGLED_NAMES.length)];
      value = value();
    }
    if (chance(4)) line.writeBytes(BOM); // a BOM before a field name spoils it
    line.writeBytes(utf8(name));
    int separator = random.nextInt(100);
    if (separator < 8) return line.toByteArray(); // a bare field name: the value is empty
    line.writeBytes(separator < 45 ? ascii(":") : separator < 90 ? ascii(": ") : ascii(":  "));
    line.writeBytes(value);
    return line.toByteArray();
  }

  private byte[] value() {
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    int pieces = random.nextInt(5);
    for (int i = 0; i < pieces; i++) value.writeBytes(PIECES[random.nextInt(PIECES.length)]);
    return value.toByteArray();
  }

  private byte[] ending(int policy) {
    return ENDINGS[policy < 3 ? policy : random.nextInt(3)];
  }

  /** Write lengths: whole, one byte at a time, or cut at random and at the places a cut matters. */
  private int[] chunks(byte[] bytes) {
    int n = bytes.length;
    if (n == 1 || chance(12)) return new int[] {n};
    if (n <= 160 && chance(8)) {
      int[] ones = new int[n];
      java.util.Arrays.fill(ones, 1);
      return ones;
    }
    List<Integer> interesting = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      boolean afterCr = bytes[i - 1] == '\r';
      boolean insideMultiByte = (bytes[i] & 0xC0) == 0x80; // a cut before a continuation byte
      if (afterCr || insideMultiByte) interesting.add(i);
    }
    TreeSet<Integer> cuts = new TreeSet<>();
    int count = 1 + random.nextInt(Math.min(10, n - 1));
    for (int c = 0; c < count; c++) {
      if (!interesting.isEmpty() && chance(50)) cuts.add(interesting.get(random.nextInt(interesting.size())));
      else cuts.add(1 + random.nextInt(n - 1));
    }
    int[] chunks = new int[cuts.size() + 1];
    int prev = 0;
    int i = 0;
    for (int cut : cuts) {
      chunks[i++] = cut - prev;
      prev = cut;
    }
    chunks[i] = n - prev;
    return chunks;
  }

  /**
   * Every string a line of the stream could make an event type, whatever the line splitting and
   * decoding details: the value of each line (after the first colon, one space removed), and the
   * types the oracle dispatches.
   */
  static Set<String> eventTypes(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    Utf8StreamDecoder decoder = new Utf8StreamDecoder(text::appendCodePoint);
    decoder.feed(bytes, 0, bytes.length);
    decoder.end();
    Set<String> types = new HashSet<>();
    for (String line : text.toString().split("[\r\n]", -1)) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String value = line.substring(colon + 1);
      types.add(value);
      if (value.startsWith(" ")) types.add(value.substring(1));
    }
    for (StreamItem item : EventStreamParser.parse(bytes)) {
      if (item instanceof DispatchedEvent e) types.add(e.type());
    }
    types.add("message");
    return types;
  }

  private boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
