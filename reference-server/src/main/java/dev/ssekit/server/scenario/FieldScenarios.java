package dev.ssekit.server.scenario;

import static dev.ssekit.server.scenario.ScriptParts.b;
import static dev.ssekit.server.scenario.ScriptParts.correct;
import static dev.ssekit.server.scenario.ScriptParts.expected;
import static dev.ssekit.server.scenario.ScriptParts.join;
import static dev.ssekit.server.scenario.ScriptParts.rules;
import static dev.ssekit.server.scenario.ScriptParts.vectorWrites;
import static dev.ssekit.server.scenario.ScriptParts.writes;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Retry;
import java.util.List;

/**
 * Correct scenarios about what the fields mean (WHATWG HTML §9.2.6): data lines and dispatch,
 * event types, unknown field names and comments, ids and the last event ID, retry values. Each
 * is spec vectors sent one per write, expecting what the vectors say.
 */
final class FieldScenarios {

  private FieldScenarios() {}

  /** The vectors of {@code basic}; {@code redirect-307} expects them too. */
  static final String[] BASIC = {
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

  /** Fields and dispatch: data lines, event types, unknown fields, comments. */
  static void addFieldScenarios(List<Scenario> s) {
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

  /** {@code id}: kept, reset, alone in a block, with NUL, with spaces and non-ASCII characters. */
  static void addIdScenarios(List<Scenario> s) {
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
  }

  /** {@code retry}: valid, invalid, empty and huge values, and a retry in a cut-off block. */
  static void addRetryScenarios(List<Scenario> s) {
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
}
