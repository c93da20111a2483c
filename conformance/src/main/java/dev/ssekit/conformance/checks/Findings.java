package dev.ssekit.conformance.checks;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How a check reports: evidence (the exact bytes, escaped), and violations whose outcome follows
 * the check's severity — MUST fails (an {@link AssertionError}), SHOULD warns (fails when strict),
 * MAY warns. Evidence and warnings travel as JUnit report entries with keys under {@code ssekit.},
 * which the report writers collect; nothing is written to side files.
 */
public final class Findings {

  /** Report entry keys. */
  public static final String KEY_ID = "ssekit.check";
  public static final String KEY_SEVERITY = "ssekit.severity";
  public static final String KEY_SPEC = "ssekit.spec";
  public static final String KEY_RULE = "ssekit.rule";
  public static final String KEY_SUMMARY = "ssekit.summary";
  public static final String KEY_EVIDENCE = "ssekit.evidence";
  public static final String KEY_WARNING = "ssekit.warning";
  public static final String KEY_NOTE = "ssekit.note";

  /** Evidence shown at most, per entry: enough to see the problem, never megabytes. */
  static final int MAX_EVIDENCE_BYTES = 2048;

  private final ExtensionContext context;
  private final SseCheck check;
  private final boolean strict;

  Findings(ExtensionContext context, SseCheck check, boolean strict) {
    this.context = context;
    this.check = check;
    this.strict = strict;
  }

  /** Publishes {@code bytes} as evidence, escaped, under {@code label}. */
  public void evidence(String label, byte[] bytes) {
    context.publishReportEntry(Map.of(KEY_EVIDENCE, label + ": " + escape(bytes, MAX_EVIDENCE_BYTES)));
  }

  /** Publishes a line of evidence text. */
  public void evidence(String text) {
    context.publishReportEntry(Map.of(KEY_EVIDENCE, text));
  }

  /** Publishes an informational note (what was measured). */
  public void note(String text) {
    context.publishReportEntry(Map.of(KEY_NOTE, text));
  }

  /** The rule holds when {@code ok}; otherwise a violation with {@code message}. */
  public void require(boolean ok, String message) {
    if (!ok) violation(message);
  }

  /** A violation of this check's rule, with its severity's outcome. */
  public void violation(String message) {
    String text = "[" + check.severity() + " " + check.id() + "] " + message;
    if (check.severity() == Severity.MUST || check.severity() == Severity.SHOULD && strict) {
      throw new AssertionError(text);
    }
    context.publishReportEntry(Map.of(KEY_WARNING, text));
  }

  /** Ends the check as not applicable, with the reason (reported as skipped). */
  public void notApplicable(String reason) {
    Assumptions.abort(reason);
  }

  /** Java-style escaping of raw bytes, cut at {@code max} bytes with a count of the rest. */
  public static String escape(byte[] bytes, int max) {
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(bytes.length, max);
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      switch (b) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (b < 0x20 || b >= 0x7f) sb.append(String.format("\\x%02X", b));
          else sb.append((char) b);
        }
      }
    }
    sb.append('"');
    if (bytes.length > max) sb.append(" … (").append(bytes.length - max).append(" more bytes)");
    return sb.toString();
  }

  /** Escapes a string's UTF-8 bytes. */
  public static String escape(String s) {
    return escape(s.getBytes(StandardCharsets.UTF_8), MAX_EVIDENCE_BYTES);
  }
}
