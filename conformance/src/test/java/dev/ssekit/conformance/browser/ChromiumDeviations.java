package dev.ssekit.conformance.browser;

import java.util.Map;

/**
 * Where Chromium's {@code EventSource} departs from the WHATWG standard, found by the parity test
 * and confirmed in Blink's source. The oracle follows the standard; the parity test holds Chromium
 * to an exact model of each deviation here (never "anything goes"), counts the streams that hit one
 * separately from differences, and {@code OracleParityBrowserTest#knownDeviationsStillHold} fails
 * as soon as Chromium stops deviating, so each entry is removed when it is no longer true.
 */
final class ChromiumDeviations {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private ChromiumDeviations() {}

  /**
   * A leading BOM directly followed by CR or LF. The standard decodes the stream first (UTF-8
   * decode drops one leading BOM), so that CR or LF ends an empty first line. Blink's
   * {@code EventSourceParser::AddBytes} recognises the BOM only when the byte after it arrives, and
   * then {@code continue}s without looking at that byte: a CR or LF there is kept as the first
   * character of the next line instead of ending a line. That line's field name then starts with
   * CR or LF, so the field is ignored: the first line after the BOM is lost (e.g.
   * {@code EF BB BF 0A "id: 7" 0A 0A} leaves the last event ID unset). A CR LF pair after the BOM
   * loses nothing: the LF still ends the (ignored) line "CR".
   *
   * @return the bytes Chromium effectively reads (the CR or LF replaced by a byte that is not a
   *     line end and spoils the field name the same way), or {@code null} when the deviation does
   *     not apply
   */
  static byte[] bomThenLineEnd(byte[] bytes) {
    if (bytes.length < 4) return null;
    for (int i = 0; i < 3; i++) if (bytes[i] != BOM[i]) return null;
    if (bytes[3] != '\r' && bytes[3] != '\n') return null;
    byte[] read = bytes.clone();
    read[3] = 0x01;
    return read;
  }

  /**
   * Correct scenarios that Chromium does not read, with the reason. {@code charset-ignored}: the
   * standard ignores MIME type parameters (event streams are always UTF-8), but Blink's
   * {@code EventSource::DidReceiveResponse} fails the connection when the {@code Content-Type} has a
   * charset other than UTF-8 and logs "EventSource's response has a charset (…) that is not UTF-8.
   * Aborting the connection." Chromium must fail exactly these, with that console message.
   */
  static final Map<String, String> REFUSED_SCENARIOS = Map.of(
      "charset-ignored", "that is not UTF-8. Aborting the connection.");
}
