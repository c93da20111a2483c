package dev.ssekit.server.scenario;

import dev.ssekit.server.scenario.Scenario.Abort;
import dev.ssekit.server.scenario.Scenario.Close;
import dev.ssekit.server.scenario.Scenario.EndlessLine;
import dev.ssekit.server.scenario.Scenario.Ending;
import dev.ssekit.server.scenario.Scenario.Event;
import dev.ssekit.server.scenario.Scenario.Expected;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.Kind;
import dev.ssekit.server.scenario.Scenario.NeverAnswer;
import dev.ssekit.server.scenario.Scenario.Retry;
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
 * <p>Every byte string below is a vector of section 6 of the conformance catalog
 * ({@code spec/catalog.md}), written in its notation: Java escapes for text (every code point is
 * sent as UTF-8) and a bare integer such as {@code 0xEF} for one raw byte. The expected items
 * are copied by hand from the same vectors, never computed. Vectors that share no state (no id
 * carried from one to the next, each ending on a line end that cannot pair with the next one's
 * first byte) are grouped into one scenario, one vector per write, so their expectations simply
 * concatenate.
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

  private static final List<Expected> BASIC_EXPECTED = List.of(
      msg("x"), // V55
      msg("hello"), // V01
      msg("test"), msg("test"), // V02
      msg(" hello"), // V03
      msg("\thello"), // V04
      msg(""), // V05
      msg(""), // V06
      msg("\n"), // V07
      msg("a\n\nb"), // V08
      msg("a"), msg("b"), // V09
      msg("a:b: c\n:"), // V19
      msg("  "), // V20
      msg("a\0b")); // V26

  private static void addFieldScenarios(List<Scenario> s) {
    s.add(correct("basic", "data lines, the single-space rule, bare and empty data, extra blank lines, NUL in data",
        List.of("D-01", "D-02", "D-04", "X-01", "X-03", "F-09",
            "V55", "V01", "V02", "V03", "V04", "V05", "V06", "V07", "V08", "V09", "V19", "V20", "V26"),
        writes(
            b("\n\n\ndata: x\n\n"), // V55: leading blank lines dispatch nothing
            b("data: hello\n\n"), // V01
            b("data:test\n\ndata: test\n\n"), // V02: the space after the colon is optional
            b("data:  hello\n\n"), // V03: only one space is removed (D-01)
            b("data:\thello\n\n"), // V04: a tab is kept
            b("data\n\n"), // V05: no colon, empty value (D-02)
            b("data:\n\n"), // V06: empty data still dispatches
            b("data\ndata\n\n"), // V07
            b("data: a\ndata:\ndata: b\n\n"), // V08: lines joined by LF (D-04)
            b("data: a\n\n\n\ndata: b\n\n"), // V09: extra blank lines are no-ops
            b("data: a:b: c\ndata::\n\n"), // V19: split at the first colon only
            b("data:   \n\n"), // V20: two spaces survive
            b("data: a\0b\n\n")), // V26: NUL is data (F-09)
        BASIC_EXPECTED));

    s.add(correct("event-types", "event types, the default type and the type reset after every blank line",
        List.of("D-05", "X-02", "V10", "V11", "V12", "V13", "V14"),
        writes(
            b("event: add\ndata: 1\n\ndata: 2\n\n"), // V10: type cleared after dispatch
            b("event: add\n\ndata: 2\n\n"), // V11: type cleared although nothing was dispatched
            b("event: \ndata: x\n\n"), // V12: empty type means message
            b("event\ndata: x\n\n"), // V13
            b("event: a\nevent: b\ndata: x\n\n")), // V14: last one wins
        List.of(
            ev("add", "1", ""), msg("2"), // V10
            msg("2"), // V11
            msg("x"), // V12
            msg("x"), // V13
            ev("b", "x", "")))); // V14

    s.add(correct("unknown-fields", "misspelled, case-changed, space- or NUL-polluted and bare field names are ignored",
        List.of("D-02", "D-03", "D-12", "F-05", "V15", "V16", "V17", "V58", "V60", "V61"),
        writes(
            b("Event: a\nDATA: y\ndata: x\n\n"), // V15: names are case-sensitive (D-03)
            b("data : x\n data: y\ndata: z\n\n"), // V16: 'data ' and ' data' are unknown (F-05)
            b("foo: bar\njustsometext\ndata\0: q\n\0data: r\ndata: y\n\n"), // V17: NUL in a name
            b("data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n"), // V58
            b("data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n"), // V60
            b("id: a\nevent: b\ndata: c\nid\nevent\ndata\n\n")), // V61: bare names reset id and type (D-02)
        List.of(
            msg("x"), // V15
            msg("z"), // V16
            msg("y"), // V17
            msg("test\n\ntest"), // V58
            msg("msg\nmsg"), msg(""), msg("end"), // V60
            msg("c\n")))); // V61

    s.add(correct("comments", "comment lines after CR, LF and CRLF, with NUL, 2 KiB long, and a lone ':' block",
        List.of("D-11", "F-03", "V18", "V63"),
        writes(
            b(": comment\n:\n::x\ndata: y\n:trailing\n\n:\n\n"), // V18: a comment-only block dispatches nothing
            b("data:1\r:\0\n:\r\ndata:2\n:", "x".repeat(2048), "\rdata:3\n:data:fail\r:", "x".repeat(2048),
                "\ndata:4\n\n")), // V63 (WPT format-comments)
        List.of(msg("y"), msg("1\n2\n3\n4"))));

    s.add(correct("wpt-field-parsing", "WPT format-field-parsing: NUL in values and names, Data, da-ta, data_5, mixed line ends",
        List.of("F-03", "F-05", "F-09", "D-03", "V56"),
        writes(b("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n"
            + " data:32\ndata:4\n\n")), // V56
        List.of(msg("\0\n 2\n1\n3\n\n4"))));
  }

  // ---------------------------------------------------------------- correct: id and retry

  private static void addIdAndRetryScenarios(List<Scenario> s) {
    s.add(correct("id-persists", "an id stays the lastEventId of later events that carry none",
        List.of("D-06", "D-07", "V21"),
        writes(b("id: 1\ndata: a\n\ndata: b\n\n")), // V21
        List.of(ev("message", "a", "1"), ev("message", "b", "1"))));

    s.add(correct("id-reset", "bare 'id' and empty 'id:' reset the last event ID to the empty string",
        List.of("D-02", "D-06", "D-07", "V22", "V23"),
        writes(
            b("id: 1\ndata: a\n\nid\ndata: b\n\ndata: c\n\n"), // V22: bare id resets (cursor "")
            b("id: 1\ndata: a\n\nid:\ndata: b\n\n")), // V23: empty id resets (cursor "")
        List.of(
            ev("message", "a", "1"), msg("b"), msg("c"), // V22
            ev("message", "a", "1"), msg("b")))); // V23

    s.add(correct("id-only-block", "a block with only an id moves the cursor without an event",
        List.of("X-02", "D-07", "V24"),
        writes(b("id: 7\n\ndata: x\n\n")), // V24: dispatch step 1 copies the id before the empty-data check
        List.of(ev("message", "x", "7"))));

    s.add(correct("id-nul", "ids containing NUL are ignored; the previous id stays",
        List.of("D-06", "M3", "V25"),
        writes(
            b("id: x\0\nretry: 200\ndata: hello\n\n"), // M3 first connection: NUL id ignored, cursor ""
            b("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n")), // V25: the NUL id keeps "1"
        List.of(new Retry(200), msg("hello"), ev("message", "a", "1"), ev("message", "b", "1"))));

    s.add(correct("id-values", "an id keeps inner spaces (one leading space eaten) and non-ASCII characters",
        List.of("D-01", "D-06", "S-03", "V27", "V28"),
        writes(
            b("id:  spaced \ndata: x\n\n"), // V27: " spaced " (a header would trim it)
            b("id: \u20AC\ndata: x\n\n")), // V28: sent back as E2 82 AC
        List.of(ev("message", "x", " spaced "), ev("message", "x", "\u20AC"))));

    s.add(correct("retry", "valid retry fields, leading zeros, zero, and a bogus one after a valid one",
        List.of("D-08", "V29", "V30", "V32", "V34"),
        writes(
            b("retry: 1500\ndata: x\n\n"), // V29
            b("retry: 03000\n\n"), // V30: decimal, not octal; no event
            b("retry: 3000\nretry: 1000x\ndata: x\n\n"), // V32: trailing junk ignores the field
            b("retry: 0\n\n")), // V34: zero is valid
        List.of(new Retry(1500), msg("x"), new Retry(3000), new Retry(3000), msg("x"), new Retry(0))));

    s.add(correct("retry-invalid", "retry values with spaces, signs, decimals, exponents, hex and full-width digits are ignored",
        List.of("D-08", "V31"),
        writes(b("retry:  1000\nretry: 1000 \nretry: -1\nretry: +5\nretry: 1.5\nretry: 1e3\nretry: 0x10\n"
            + "retry: \uFF11\uFF10\ndata: x\n\n")), // V31: only ASCII digits count
        List.of(msg("x"))));

    s.add(correct("retry-empty", "bare 'retry' and empty 'retry:' do not stop parsing (IMPL: unchanged or reset to default)",
        List.of("D-09", "V33"),
        writes(b("retry\ndata: t\n\nretry:\ndata: u\n\n")), // V33: no number to report
        List.of(msg("t"), msg("u"))));

    s.add(correct("retry-huge", "a digits-only retry beyond 64 bits must not crash (IMPL; expected follows Blink: ignored)",
        List.of("D-10", "V35", "V01"),
        writes(
            b("retry: 99999999999999999999\n\n"), // V35
            b("data: hello\n\n")), // V01: parsing goes on
        List.of(msg("hello"))));

    s.add(correct("unterminated-retry", "a terminated retry line applies although its block is cut off at the end",
        List.of("D-08", "X-06", "F-06", "V36"),
        writes(b("retry: 5000\ndata: x")), // V36: the unterminated data line is discarded
        List.of(new Retry(5000))));
  }

  // ---------------------------------------------------------------- correct: line ends and chunking

  private static void addFramingScenarios(List<Scenario> s) {
    s.add(correct("cr-only", "lines ended by a lone CR",
        List.of("F-03", "V37"),
        writes(b("data: a\rdata: b\r\r")), // V37
        List.of(msg("a\nb"))));

    s.add(correct("crlf", "lines ended by CRLF, with a bare data line in the middle",
        List.of("F-03", "F-04", "V38", "V59"),
        writes(
            b("data: a\r\ndata: b\r\n\r\n"), // V38
            b("data:test\r\ndata\ndata:test\r\n\r\n")), // V59 (WPT format-newlines)
        List.of(msg("a\nb"), msg("test\n\ntest"))));

    s.add(correct("mixed-endings", "CR, LF and CRLF mixed; LF then lone CR is a blank line",
        List.of("F-03", "V39", "V40", "V41"),
        writes(
            b("data: a\r\ndata: b\rdata: c\n\n"), // V39
            b("data: a\n\rdata: b\r\n\r\n"), // V40: the lone CR after LF is an empty line
            b("data: a\r\r\n")), // V41: CR ends the line, CR LF ends the blank line
        List.of(msg("a\nb\nc"), msg("a"), msg("b"), msg("a"))));

    s.add(correct("crlf-split", "CRLF whose CR ends one write and whose LF starts the next",
        List.of("F-03", "F-07", "V42"),
        writes(b("data: Hello\r"), b("\ndata: World\r"), b("\n\r\ndata: OK\r"), b("\n"), b("\r"), b("\n")), // V42
        List.of(msg("Hello\nWorld"), msg("OK"))));

    s.add(correct("cr-split", "a blank CR line ends a write; the LF opening the next completes a CRLF, not another line",
        List.of("F-03", "F-07", "V43"),
        writes(b("data: a\r\r"), b("\ndata: b\r\r")), // V43: 'a' can dispatch on the first write
        List.of(msg("a"), msg("b"))));

    s.add(correct("shared-chunk", "two events spread over three writes 100 ms apart, one write shared by both",
        List.of("F-07", "V62"),
        List.of(
            new Step(NOW, b("data: test")), // V62 (LD shared-chunk case)
            new Step(Duration.ofMillis(100), b("test\n\ndata:")),
            new Step(Duration.ofMillis(100), b("test\n\n"))),
        List.of(msg("testtest"), msg("test"))));

    s.add(correct("one-byte-at-a-time", "a BOM stream with CRLF and multi-byte characters, one byte per write, 5 ms apart",
        List.of("F-02", "F-03", "F-07", "V45", "V42", "V51", "V39"),
        eachByte(b(
            0xEF, 0xBB, 0xBF, "data: 1\n\ndata: 2\n\n", // V45 bytes: the BOM arrives in three writes
            "data: Hello\r\ndata: World\r\n\r\ndata: OK\r\n\r\n", // V42 bytes: every CRLF split
            "data: \u20AC\u8C46\u8150\n\n", // V51: each multi-byte character split
            "data: a\r\ndata: b\rdata: c\n\n"), // V39
            BYTE_PACE),
        List.of(msg("1"), msg("2"), msg("Hello\nWorld"), msg("OK"), msg("\u20AC\u8C46\u8150"), msg("a\nb\nc"))));

    s.add(correct("two-byte-chunks", "CR, CRLF, multi-byte and invalid UTF-8 vectors in 2-byte writes, 5 ms apart",
        List.of("F-01", "F-03", "F-07", "V37", "V38", "V51", "V50"),
        inChunks(b(
            "data: a\rdata: b\r\r", // V37
            "data: a\r\ndata: b\r\n\r\n", // V38
            "data: \u20AC\u8C46\u8150\n\n", // V51
            "data: ", 0xFF, 0xFE, "a\ndata: ", 0xE2, 0x82, "\n\n"), // V50
            2, BYTE_PACE),
        List.of(msg("a\nb"), msg("a\nb"), msg("\u20AC\u8C46\u8150"), msg("\uFFFD\uFFFDa\n\uFFFD"))));

    s.add(correct("unterminated-last-event", "the stream ends after a data line but before the blank line",
        List.of("F-06", "X-06", "V53"),
        writes(b("data: a\n\ndata: b\n")), // V53: 'b' is never dispatched
        List.of(msg("a"))));

    s.add(correct("unterminated-id", "an id in the unterminated last block must not become the cursor",
        List.of("F-06", "X-06", "R-08", "V54"),
        writes(b("data: a\n\nid: 9\ndata: b")), // V54: cursor stays "", no Last-Event-ID on reconnect
        List.of(msg("a"))));

    s.add(correct("paced-events", "events written 400 ms apart; each must be delivered when it arrives",
        List.of("H-06", "X-05", "V01", "V10", "V21"),
        List.of(
            new Step(NOW, b("data: hello\n\n")), // V01
            new Step(Duration.ofMillis(400), b("event: add\ndata: 1\n\ndata: 2\n\n")), // V10
            new Step(Duration.ofMillis(400), b("id: 1\ndata: a\n\ndata: b\n\n"))), // V21
        List.of(msg("hello"), ev("add", "1", ""), msg("2"), ev("message", "a", "1"), ev("message", "b", "1"))));
  }

  // ---------------------------------------------------------------- correct: BOM and UTF-8

  private static void addEncodingScenarios(List<Scenario> s) {
    s.add(correct("bom", "one leading byte order mark is stripped",
        List.of("F-02", "V44"),
        writes(b(0xEF, 0xBB, 0xBF, "data: a\n\n")), // V44
        List.of(msg("a"))));

    s.add(correct("bom-split", "the leading BOM split across two writes is still stripped",
        List.of("F-02", "F-07", "V45"),
        writes(b(0xEF), b(0xBB, 0xBF, "data: 1\n\ndata: 2\n\n")), // V45 (WPT format-bom-split)
        List.of(msg("1"), msg("2"))));

    s.add(correct("bom-twice", "only one leading BOM is stripped; the second glues onto the first field name",
        List.of("F-02", "V46"),
        writes(b(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, "data: 1\n\ndata: 2\n\n")), // V46 (WPT format-bom-2)
        List.of(msg("2"))));

    s.add(correct("bom-mid-stream", "a BOM later in the stream is text: before a name it spoils the field, in a value it is data",
        List.of("F-02", "V47", "V48"),
        writes(
            b("data: 1\n\n", 0xEF, 0xBB, 0xBF, "data: 2\n\ndata: 3\n\n"), // V47 (WPT format-bom)
            b("data: ", 0xEF, 0xBB, 0xBF, "x\n\n")), // V48
        List.of(msg("1"), msg("3"), msg("\uFEFFx"))));

    s.add(correct("utf16-bom", "UTF-16 BOM bytes are not a BOM: two U+FFFD spoil the first field name",
        List.of("F-01", "F-02", "V49"),
        writes(b(0xFF, 0xFE, "data: 1\n\ndata: 2\n\n")), // V49 (WPT format-bom-utf-16)
        List.of(msg("2"))));

    s.add(correct("invalid-utf8", "each invalid byte decodes to U+FFFD; a truncated 3-byte sequence to one U+FFFD",
        List.of("F-01", "V50"),
        writes(b("data: ", 0xFF, 0xFE, "a\ndata: ", 0xE2, 0x82, "\n\n")), // V50
        List.of(msg("\uFFFD\uFFFDa\n\uFFFD"))));

    s.add(correct("multibyte-split", "multi-byte characters sent one byte per write, 20 ms apart",
        List.of("F-01", "F-07", "V51"),
        eachByte(b("data: \u20AC\u8C46\u8150\n\n"), Duration.ofMillis(20)), // V51 (LD single-byte pieces)
        List.of(msg("\u20AC\u8C46\u8150"))));

    s.add(correct("unicode-separators", "U+2028, VT, FF and U+0085 are data, not line ends",
        List.of("F-03", "V52"),
        writes(b("data: a\u2028b\u000Bc\u000Cd\u0085e\n\n")), // V52
        List.of(msg("a\u2028b\u000Bc\u000Cd\u0085e"))));
  }

  // ---------------------------------------------------------------- correct: HTTP variants

  private static void addHttpScenarios(List<Scenario> s) {
    s.add(new Scenario("charset-ignored", "a windows-1252 charset parameter is ignored per the spec; the body is UTF-8 (Chromium 156 refuses the stream)",
        List.of("F-01", "H-02", "V57"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("text/event-stream;charset=windows-1252")), Framing.CHUNKED),
        writes(b("data:ok\u2026\n\n\n")), // V57 (WPT format-utf-8)
        new Close(),
        List.of(msg("ok\u2026"))));

    s.add(new Scenario("content-type-trailing-semicolon", "'text/event-stream;' is a valid event stream type",
        List.of("H-02", "M7", "V01"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("text/event-stream;")), Framing.CHUNKED),
        writes(b("data: hello\n\n")), // V01 (WPT format-mime-trailing-semicolon)
        new Close(),
        List.of(msg("hello"))));

    s.add(new Scenario("content-type-case", "'Text/Event-Stream' is a valid event stream type (case-insensitive)",
        List.of("H-02", "M7", "V01"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("Text/Event-Stream")), Framing.CHUNKED),
        writes(b("data: hello\n\n")), // V01
        new Close(),
        List.of(msg("hello"))));

    s.add(new Scenario("close-delimited", "a body without chunking that ends when the server closes (HTTP/1.1 close-delimited)",
        List.of("H-06", "V10", "V21"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CLOSE_DELIMITED),
        writes(
            b("event: add\ndata: 1\n\ndata: 2\n\n"), // V10
            b("id: 1\ndata: a\n\ndata: b\n\n")), // V21
        new Close(),
        List.of(ev("add", "1", ""), msg("2"), ev("message", "a", "1"), ev("message", "b", "1"))));

    s.add(new Scenario("redirect-307", "307 to /scenarios/basic: the client follows it and reads that stream",
        List.of("H-04", "M9"), Kind.CORRECT,
        new Head(307, "Temporary Redirect", List.of(new Header("Location", "/scenarios/basic")), Framing.CONTENT_LENGTH),
        List.of(),
        new Close(),
        BASIC_EXPECTED));
  }

  // ---------------------------------------------------------------- faults

  private static void addFaults(List<Scenario> s) {
    byte[] events = b("data: hello\n\n"); // V01

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
        List.of(new Step(Duration.ofSeconds(3), b(
            "data: hello\n\n", // V01
            "event: add\ndata: 1\n\ndata: 2\n\n", // V10
            "id: 1\ndata: a\n\ndata: b\n\n"))), // V21
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
        writes(b("id: 1\ndata: a\n\ndata: b\n\n")), // V21
        new Close()));

    s.add(fault("redirect-missing-location", "307 without a Location header: the client must report an error, not loop",
        List.of("H-04"),
        new Head(307, "Temporary Redirect", List.of(), Framing.CONTENT_LENGTH),
        List.of(), new Close()));
  }

  // ---------------------------------------------------------------- helpers

  private static Scenario correct(String name, String description, List<String> rules, List<Step> steps,
      List<Expected> expected) {
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
      } else if (part instanceof Integer raw && raw >= 0 && raw <= 0xFF) {
        out.write(raw);
      } else {
        throw new IllegalArgumentException("not text or a byte: " + part);
      }
    }
    return out.toByteArray();
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
