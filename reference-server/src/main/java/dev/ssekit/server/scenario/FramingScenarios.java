package dev.ssekit.server.scenario;

import static dev.ssekit.server.scenario.ScriptParts.BYTE_PACE;
import static dev.ssekit.server.scenario.ScriptParts.NOW;
import static dev.ssekit.server.scenario.ScriptParts.correct;
import static dev.ssekit.server.scenario.ScriptParts.eachByte;
import static dev.ssekit.server.scenario.ScriptParts.expected;
import static dev.ssekit.server.scenario.ScriptParts.inChunks;
import static dev.ssekit.server.scenario.ScriptParts.paced;
import static dev.ssekit.server.scenario.ScriptParts.vectorBytes;
import static dev.ssekit.server.scenario.ScriptParts.vectorWrites;

import dev.ssekit.protocol.Vectors;
import java.time.Duration;
import java.util.List;

/**
 * Correct scenarios about how the bytes arrive (WHATWG HTML §9.2.5): line ends, writes cut
 * anywhere (in a CRLF, in a character, a byte at a time), streams cut before a blank line, the
 * byte order mark and UTF-8 decoding.
 */
final class FramingScenarios {

  private FramingScenarios() {}

  /** Lines ended by CR, CRLF and both mixed, and a CRLF or a CR line split between writes. */
  static void addLineEndScenarios(List<Scenario> s) {
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
  }

  /**
   * Events spread over writes in every way (a write shared by two events, one byte or two bytes
   * at a time, writes far apart), and streams that end before an event's blank line.
   */
  static void addChunkingScenarios(List<Scenario> s) {
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

  /** The byte order mark (once, split, twice, mid-stream, UTF-16) and UTF-8 decoding. */
  static void addEncodingScenarios(List<Scenario> s) {
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
}
