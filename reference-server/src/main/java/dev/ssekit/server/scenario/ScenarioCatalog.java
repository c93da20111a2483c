package dev.ssekit.server.scenario;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.Vectors;
import dev.ssekit.server.scenario.Scenario.Abort;
import dev.ssekit.server.scenario.Scenario.Close;
import dev.ssekit.server.scenario.Scenario.EndlessLine;
import dev.ssekit.server.scenario.Scenario.Ending;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.Kind;
import dev.ssekit.server.scenario.Scenario.NeverAnswer;
import dev.ssekit.server.scenario.Scenario.Step;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scripted streams served under {@code /scenarios}, as data.
 *
 * <p>A correct scenario's bytes are spec vectors, named by id and read from {@link Vectors}
 * (protocol's {@code vectors.jsonl}), and so are its expected items: what the vectors say a
 * conforming client reports, written from the spec, never computed. Vectors that share no state (no
 * id carried from one to the next, each ending on a line end that cannot pair with the next one's
 * first byte) are grouped into one scenario, one vector per write, so their expectations simply
 * concatenate. The few bytes that are not vectors (a first connection of M3, the faults) are
 * written here in the vectors' notation: Java escapes for text (every code point is sent as
 * UTF-8) and a bare integer such as {@code 0xEF} for one raw byte.
 *
 * <p>Correct scenarios end with a clean close (the last chunk, then FIN): per §9.2.2 a browser
 * then reconnects, which is how a client test observes the end of a scenario.
 */
public final class ScenarioCatalog {

  private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  private static final Duration NOW = Duration.ZERO;
  private static final Duration BYTE_PACE = Duration.ofMillis(5);

  private final Map<String, Scenario> byName;

  /**
   * A catalog of the given scenarios, in the given order.
   *
   * @param scenarios scenarios with distinct names
   * @throws IllegalArgumentException on a repeated name
   */
  public ScenarioCatalog(List<Scenario> scenarios) {
    Map<String, Scenario> map = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      if (map.putIfAbsent(s.name(), s) != null) throw new IllegalArgumentException("duplicate scenario " + s.name());
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /** All scenarios, in listing order. */
  public List<Scenario> all() {
    return List.copyOf(byName.values());
  }

  /**
   * The scenario with this name.
   *
   * @param name URL segment of the scenario
   * @return the scenario, or empty when there is none
   */
  public Optional<Scenario> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The reference server's catalog: the correct streams first, then the faults. */
  public static ScenarioCatalog standard() {
    List<Scenario> s = new ArrayList<>();
    addFieldScenarios(s);
    addIdAndRetryScenarios(s);
    addFramingScenarios(s);
    addEncodingScenarios(s);
    addHttpScenarios(s);
    addFaults(s);
    return new ScenarioCatalog(s);
  }

  // ---------------------------------------------------------------- correct: fields and dispatch

  private static final String[] BASIC = {
      "V55", // leading blank lines dispatch nothing
      "V01",
      "V02", // the space after the colon is optional
      "V03", // only one space is removed (D-01)
      "V04", // a tab is kept
      "V05", // no colon, empty value (D-02)
      "V06", // empty data still dispatches
      "V07",
      "V08", // lines joined by LF (D-04)
      "V09", // extra blank lines are no-ops
      "V19", // split at the first colon only
      "V20", // two spaces survive
      "V26"}; // NUL is data (F-09)

  private static void addFieldScenarios(List<Scenario> s) {
    s.add(correct("basic", "data lines, the single-space rule, bare and empty data, extra blank lines, NUL in data",
        rules(List.of("D-01", "D-02", "D-04", "X-01", "X-03", "F-09"), BASIC), vectorWrites(BASIC), expected(BASIC)));

    s.add(correct("event-types", "event types, the default type and the type reset after every blank line",
        List.of("D-05", "X-02", "V10", "V11", "V12", "V13", "V14"),
        vectorWrites(
            "V10", // type cleared after dispatch
            "V11", // type cleared although nothing was dispatched
            "V12", // empty type means message
            "V13",
            "V14"), // last one wins
        expected("V10", "V11", "V12", "V13", "V14")));

    s.add(correct("unknown-fields", "misspelled, case-changed, space- or NUL-polluted and bare field names are ignored",
        List.of("D-02", "D-03", "D-12", "F-05", "V15", "V16", "V17", "V58", "V60", "V61"),
        vectorWrites(
            "V15", // names are case-sensitive (D-03)
            "V16", // 'data ' and ' data' are unknown (F-05)
            "V17", // NUL in a name
            "V58",
            "V60",
            "V61"), // bare names reset id and type (D-02)
        expected("V15", "V16", "V17", "V58", "V60", "V61")));

    s.add(correct("comments", "comment lines after CR, LF and CRLF, with NUL, 2 KiB long, and a lone ':' block",
        List.of("D-11", "F-03", "V18", "V63"),
        vectorWrites(
            "V18", // a comment-only block dispatches nothing
            "V63"), // WPT format-comments
        expected("V18", "V63")));

    s.add(correct("wpt-field-parsing", "WPT format-field-parsing: NUL in values and names, Data, da-ta, data_5, mixed line ends",
        List.of("F-03", "F-05", "F-09", "D-03", "V56"),
        vectorWrites("V56"),
        expected("V56")));
  }

  // ---------------------------------------------------------------- correct: id and retry

  private static void addIdAndRetryScenarios(List<Scenario> s) {
    s.add(correct("id-persists", "an id stays the lastEventId of later events that carry none",
        List.of("D-06", "D-07", "V21"),
        vectorWrites("V21"),
        expected("V21")));

    s.add(correct("id-reset", "bare 'id' and empty 'id:' reset the last event ID to the empty string",
        List.of("D-02", "D-06", "D-07", "V22", "V23"),
        vectorWrites(
            "V22", // bare id resets (cursor "")
            "V23"), // empty id resets (cursor "")
        expected("V22", "V23")));

    s.add(correct("id-only-block", "a block with only an id moves the cursor without an event",
        List.of("X-02", "D-07", "V24"),
        vectorWrites("V24"), // dispatch step 1 copies the id before the empty-data check
        expected("V24")));

    s.add(correct("id-nul", "ids containing NUL are ignored; the previous id stays",
        List.of("D-06", "M3", "V25"),
        join(
            writes(b("id: x\0\nretry: 200\ndata: hello\n\n")), // M3 first connection: NUL id ignored, cursor ""
            vectorWrites("V25")), // the NUL id keeps "1"
        join(List.of(new Retry(200), DispatchedEvent.message("hello")), expected("V25"))));

    s.add(correct("id-values", "an id keeps inner spaces (one leading space eaten) and non-ASCII characters",
        List.of("D-01", "D-06", "S-03", "V27", "V28"),
        vectorWrites(
            "V27", // " spaced " (a header would trim it)
            "V28"), // sent back as E2 82 AC
        expected("V27", "V28")));

    s.add(correct("retry", "valid retry fields, leading zeros, zero, and a bogus one after a valid one",
        List.of("D-08", "V29", "V30", "V32", "V34"),
        vectorWrites(
            "V29",
            "V30", // decimal, not octal; no event
            "V32", // trailing junk ignores the field
            "V34"), // zero is valid
        expected("V29", "V30", "V32", "V34")));

    s.add(correct("retry-invalid", "retry values with spaces, signs, decimals, exponents, hex and full-width digits are ignored",
        List.of("D-08", "V31"),
        vectorWrites("V31"), // only ASCII digits count
        expected("V31")));

    s.add(correct("retry-empty", "bare 'retry' and empty 'retry:' do not stop parsing (IMPL: unchanged or reset to default)",
        List.of("D-09", "V33"),
        vectorWrites("V33"), // no number to report
        expected("V33")));

    s.add(correct("retry-huge", "a digits-only retry beyond 64 bits must not crash (IMPL; expected follows Blink: ignored)",
        List.of("D-10", "V35", "V01"),
        vectorWrites(
            "V35",
            "V01"), // parsing goes on
        expected("V35", "V01")));

    s.add(correct("unterminated-retry", "a terminated retry line applies although its block is cut off at the end",
        List.of("D-08", "X-06", "F-06", "V36"),
        vectorWrites("V36"), // the unterminated data line is discarded
        expected("V36")));
  }

  // ---------------------------------------------------------------- correct: line ends and chunking

  private static void addFramingScenarios(List<Scenario> s) {
    s.add(correct("cr-only", "lines ended by a lone CR",
        List.of("F-03", "V37"),
        vectorWrites("V37"),
        expected("V37")));

    s.add(correct("crlf", "lines ended by CRLF, with a bare data line in the middle",
        List.of("F-03", "F-04", "V38", "V59"),
        vectorWrites(
            "V38",
            "V59"), // WPT format-newlines
        expected("V38", "V59")));

    s.add(correct("mixed-endings", "CR, LF and CRLF mixed; LF then lone CR is a blank line",
        List.of("F-03", "V39", "V40", "V41"),
        vectorWrites(
            "V39",
            "V40", // the lone CR after LF is an empty line
            "V41"), // CR ends the line, CR LF ends the blank line
        expected("V39", "V40", "V41")));

    s.add(correct("crlf-split", "CRLF whose CR ends one write and whose LF starts the next",
        List.of("F-03", "F-07", "V42"),
        paced(Vectors.get("V42").chunks(), NOW),
        expected("V42")));

    s.add(correct("cr-split", "a blank CR line ends a write; the LF opening the next completes a CRLF, not another line",
        List.of("F-03", "F-07", "V43"),
        paced(Vectors.get("V43").chunks(), NOW), // 'a' can dispatch on the first write
        expected("V43")));

    s.add(correct("shared-chunk", "two events spread over three writes 100 ms apart, one write shared by both",
        List.of("F-07", "V62"),
        paced(Vectors.get("V62").chunks(), Duration.ofMillis(100)), // LD shared-chunk case
        expected("V62")));

    s.add(correct("one-byte-at-a-time", "a BOM stream with CRLF and multi-byte characters, one byte per write, 5 ms apart",
        List.of("F-02", "F-03", "F-07", "V45", "V42", "V51", "V39"),
        // V45: the BOM arrives in three writes; V42: every CRLF split; V51: each multi-byte character split
        eachByte(vectorBytes("V45", "V42", "V51", "V39"), BYTE_PACE),
        expected("V45", "V42", "V51", "V39")));

    s.add(correct("two-byte-chunks", "CR, CRLF, multi-byte and invalid UTF-8 vectors in 2-byte writes, 5 ms apart",
        List.of("F-01", "F-03", "F-07", "V37", "V38", "V51", "V50"),
        inChunks(vectorBytes("V37", "V38", "V51", "V50"), 2, BYTE_PACE),
        expected("V37", "V38", "V51", "V50")));

    s.add(correct("unterminated-last-event", "the stream ends after a data line but before the blank line",
        List.of("F-06", "X-06", "V53"),
        vectorWrites("V53"), // 'b' is never dispatched
        expected("V53")));

    s.add(correct("unterminated-id", "an id in the unterminated last block must not become the cursor",
        List.of("F-06", "X-06", "R-08", "V54"),
        vectorWrites("V54"), // cursor stays "", no Last-Event-ID on reconnect
        expected("V54")));

    s.add(correct("paced-events", "events written 400 ms apart; each must be delivered when it arrives",
        List.of("H-06", "X-05", "V01", "V10", "V21"),
        paced(List.of(vectorBytes("V01"), vectorBytes("V10"), vectorBytes("V21")), Duration.ofMillis(400)),
        expected("V01", "V10", "V21")));
  }

  // ---------------------------------------------------------------- correct: BOM and UTF-8

  private static void addEncodingScenarios(List<Scenario> s) {
    s.add(correct("bom", "one leading byte order mark is stripped",
        List.of("F-02", "V44"),
        vectorWrites("V44"),
        expected("V44")));

    s.add(correct("bom-split", "the leading BOM split across two writes is still stripped",
        List.of("F-02", "F-07", "V45"),
        paced(Vectors.get("V45").chunks(), NOW), // WPT format-bom-split
        expected("V45")));

    s.add(correct("bom-twice", "only one leading BOM is stripped; the second glues onto the first field name",
        List.of("F-02", "V46"),
        vectorWrites("V46"), // WPT format-bom-2
        expected("V46")));

    s.add(correct("bom-mid-stream", "a BOM later in the stream is text: before a name it spoils the field, in a value it is data",
        List.of("F-02", "V47", "V48"),
        vectorWrites(
            "V47", // WPT format-bom
            "V48"),
        expected("V47", "V48")));

    s.add(correct("utf16-bom", "UTF-16 BOM bytes are not a BOM: two U+FFFD spoil the first field name",
        List.of("F-01", "F-02", "V49"),
        vectorWrites("V49"), // WPT format-bom-utf-16
        expected("V49")));

    s.add(correct("invalid-utf8", "each invalid byte decodes to U+FFFD; a truncated 3-byte sequence to one U+FFFD",
        List.of("F-01", "V50"),
        vectorWrites("V50"),
        expected("V50")));

    s.add(correct("multibyte-split", "multi-byte characters sent one byte per write, 20 ms apart",
        List.of("F-01", "F-07", "V51"),
        eachByte(vectorBytes("V51"), Duration.ofMillis(20)), // LD single-byte pieces
        expected("V51")));

    s.add(correct("unicode-separators", "U+2028, VT, FF and U+0085 are data, not line ends",
        List.of("F-03", "V52"),
        vectorWrites("V52"),
        expected("V52")));
  }

  // ---------------------------------------------------------------- correct: HTTP variants

  private static void addHttpScenarios(List<Scenario> s) {
    s.add(new Scenario("charset-ignored", "a windows-1252 charset parameter is ignored per the spec; the body is UTF-8 (Chromium 156 refuses the stream)",
        List.of("F-01", "H-02", "V57"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("text/event-stream;charset=windows-1252")), Framing.CHUNKED),
        vectorWrites("V57"), // WPT format-utf-8
        new Close(),
        expected("V57")));

    s.add(new Scenario("content-type-trailing-semicolon", "'text/event-stream;' is a valid event stream type",
        List.of("H-02", "M7", "V01"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("text/event-stream;")), Framing.CHUNKED),
        vectorWrites("V01"), // WPT format-mime-trailing-semicolon
        new Close(),
        expected("V01")));

    s.add(new Scenario("content-type-case", "'Text/Event-Stream' is a valid event stream type (case-insensitive)",
        List.of("H-02", "M7", "V01"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("Text/Event-Stream")), Framing.CHUNKED),
        vectorWrites("V01"),
        new Close(),
        expected("V01")));

    s.add(new Scenario("close-delimited", "a body without chunking that ends when the server closes (HTTP/1.1 close-delimited)",
        List.of("H-06", "V10", "V21"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CLOSE_DELIMITED),
        vectorWrites("V10", "V21"),
        new Close(),
        expected("V10", "V21")));

    s.add(new Scenario("redirect-307", "307 to /scenarios/basic: the client follows it and reads that stream",
        List.of("H-04", "M9"), Kind.CORRECT,
        new Head(307, "Temporary Redirect", List.of(new Header("Location", "/scenarios/basic")), Framing.CONTENT_LENGTH),
        List.of(),
        new Close(),
        expected(BASIC)));
  }

  // ---------------------------------------------------------------- faults

  private static void addFaults(List<Scenario> s) {
    byte[] events = vectorBytes("V01");

    s.add(fault("wrong-content-type", "a valid body served as text/plain: the client must fail, not parse",
        List.of("H-02", "R-03", "M7"),
        new Head(200, "OK", List.of(contentType("text/plain; charset=utf-8")), Framing.CHUNKED),
        writes(events), new Close()));

    s.add(fault("missing-content-type", "a valid body with no Content-Type: the client must fail",
        List.of("H-02", "R-03", "M7"),
        new Head(200, "OK", List.of(), Framing.CHUNKED),
        writes(events), new Close()));

    s.add(fault("bogus-content-type", "a valid body served as text/x-bogus: the client must fail",
        List.of("H-02", "R-03", "M7"),
        new Head(200, "OK", List.of(contentType("text/x-bogus")), Framing.CHUNKED),
        writes(events), new Close()));

    s.add(fault("status-204", "204 No Content: the client must stop and never reconnect",
        List.of("H-01", "H-03", "M5"),
        new Head(204, "No Content", List.of(), Framing.NO_BODY),
        List.of(), new Close()));

    s.add(fault("status-500", "500 with an event-stream body: the client must fail without retrying (browser profile)",
        List.of("H-01", "H-11", "R-03", "M6"),
        new Head(500, "Internal Server Error", List.of(contentType(EVENT_STREAM)), Framing.CONTENT_LENGTH),
        writes(b("data: x\n\n")), new Close())); // M6 body

    s.add(fault("status-503-retry-after", "503 with Retry-After: browsers fail; some libraries reconnect after 5 s",
        List.of("H-01", "H-11", "M6"),
        new Head(503, "Service Unavailable",
            List.of(contentType(EVENT_STREAM), new Header("Retry-After", "5")), Framing.CONTENT_LENGTH),
        writes(b("data: x\n\n")), new Close())); // M6 body

    s.add(fault("html-200", "200 with an HTML page (a login or error page from a proxy): the client must fail",
        List.of("H-02", "R-03"),
        new Head(200, "OK", List.of(contentType("text/html; charset=utf-8")), Framing.CONTENT_LENGTH),
        writes(b("<!doctype html>\n<html><head><title>Sign in</title></head>\n"
            + "<body><p>data: not an event</p></body></html>\n")),
        new Close()));

    s.add(fault("buffered-output", "headers at once, then every event in one write after 3 s, as a buffering proxy does",
        List.of("H-06", "H-07"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        List.of(new Step(Duration.ofSeconds(3), vectorBytes("V01", "V10", "V21"))),
        new Close()));

    s.add(fault("raw-newline-in-data", "a JSON payload with raw line feeds written into one data line",
        List.of("F-04", "D-03"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        // F-04: the raw LFs end the data line; '  "note"...' and 'line two"}' become unknown fields
        writes(b("data: {\"user\":\"ann\",\n  \"note\":\"line one\nline two\"}\n\n")),
        new Close()));

    s.add(fault("dropped-mid-event", "one event, then half an event, then a TCP reset without the last chunk",
        List.of("F-06", "R-02", "R-08", "M8"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        writes(b("id: abc\ndata: Hello\n\n"), b("id: def\ndata: Goodbye")), // M8: reconnect must send abc
        new Abort()));

    s.add(fault("never-answering", "the request is read and nothing is ever sent (closed after 5 minutes)",
        List.of("L-02", "R-12"),
        null, List.of(), new NeverAnswer(Duration.ofMinutes(5))));

    s.add(fault("endless-line", "'data: ' followed by 'x' without end, as fast as the client reads (up to 32 MiB or 2 min)",
        List.of("F-08"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        writes(b("data: ")), new EndlessLine((byte) 'x', 32L << 20, Duration.ofMinutes(2))));

    s.add(fault("content-length-stream", "an event stream with a Content-Length: a finite body that forces reconnects",
        List.of("H-06", "R-01"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CONTENT_LENGTH),
        vectorWrites("V21"),
        new Close()));

    s.add(fault("redirect-missing-location", "307 without a Location header: the client must report an error, not loop",
        List.of("H-04"),
        new Head(307, "Temporary Redirect", List.of(), Framing.CONTENT_LENGTH),
        List.of(), new Close()));
  }

  // ---------------------------------------------------------------- helpers

  private static Scenario correct(String name, String description, List<String> rules, List<Step> steps,
      List<ParsedItem> expected) {
    return new Scenario(name, description, rules, Kind.CORRECT,
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED), steps, new Close(), expected);
  }

  private static Scenario fault(String name, String description, List<String> rules, Head head, List<Step> steps,
      Ending ending) {
    return new Scenario(name, description, rules, Kind.FAULT, head, steps, ending, List.of());
  }

  private static Header contentType(String value) {
    return new Header("Content-Type", value);
  }

  /** Bytes in the catalog's notation: a String is UTF-8 text, an Integer is one raw byte. */
  static byte[] b(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      } else if (part instanceof Integer raw && raw >= 0 && raw <= 0xFF) {
        out.write(raw);
      } else {
        throw new IllegalArgumentException("not text or a byte: " + part);
      }
    }
    return out.toByteArray();
  }

  /** One immediate write per vector, each with all of that vector's bytes. */
  private static List<Step> vectorWrites(String... ids) {
    List<Step> steps = new ArrayList<>();
    for (String id : ids) steps.add(new Step(NOW, Vectors.get(id).whole()));
    return steps;
  }

  /** The bytes of the vectors, one after the other. */
  private static byte[] vectorBytes(String... ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String id : ids) out.writeBytes(Vectors.get(id).whole());
    return out.toByteArray();
  }

  /** What a conforming client reports for the vectors, one after the other. */
  private static List<ParsedItem> expected(String... ids) {
    List<ParsedItem> items = new ArrayList<>();
    for (String id : ids) items.addAll(Vectors.get(id).expected());
    return items;
  }

  /** The catalog rules, then the vector ids. */
  private static List<String> rules(List<String> rules, String... ids) {
    return join(rules, List.of(ids));
  }

  private static <T> List<T> join(List<? extends T> first, List<? extends T> second) {
    List<T> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /** One write per byte array: the first at once, each next one {@code pace} after the previous. */
  private static List<Step> paced(List<byte[]> writes, Duration pace) {
    List<Step> steps = new ArrayList<>();
    for (byte[] bytes : writes) steps.add(new Step(steps.isEmpty() ? NOW : pace, bytes));
    return steps;
  }

  /** One immediate write per byte array. */
  private static List<Step> writes(byte[]... each) {
    List<Step> steps = new ArrayList<>();
    for (byte[] bytes : each) steps.add(new Step(NOW, bytes));
    return steps;
  }

  /** One write per byte, each after {@code pace}. */
  private static List<Step> eachByte(byte[] all, Duration pace) {
    return inChunks(all, 1, pace);
  }

  /** Writes of {@code size} bytes (the last may be shorter), each after {@code pace}. */
  private static List<Step> inChunks(byte[] all, int size, Duration pace) {
    List<Step> steps = new ArrayList<>();
    for (int at = 0; at < all.length; at += size) {
      byte[] piece = new byte[Math.min(size, all.length - at)];
      System.arraycopy(all, at, piece, 0, piece.length);
      steps.add(new Step(at == 0 ? NOW : pace, piece));
    }
    return steps;
  }
}
