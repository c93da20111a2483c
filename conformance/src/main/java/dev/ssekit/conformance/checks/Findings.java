package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.oracle.StreamItem;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractSoftAssertions;
import org.assertj.core.api.Assert;
import org.assertj.core.api.StandardSoftAssertionsProvider;
import org.assertj.core.presentation.StandardRepresentation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How a check reports: evidence (the exact bytes, escaped), and violations whose outcome follows
 * the check's severity — MUST fails (an {@link AssertionError}), SHOULD warns (fails when strict),
 * MAY warns. Evidence and warnings travel as JUnit report entries with keys under {@code ssekit.},
 * which the report writers collect; nothing is written to side files.
 *
 * <p>The assertions are AssertJ's: {@code f.assertThat(status).as("the status").isEqualTo(200)}.
 * A failed assertion is a violation of this check's rule with the check's severity — a MUST (or
 * a strict SHOULD) stops the check with the AssertJ message, a SHOULD or MAY is reported as a
 * warning and the check goes on. Values in the messages are shown escaped, as in the evidence
 * ({@code "a\nb"}, events as {@code {id "1", type "message", data "x"}}). Describe each
 * assertion with what it means for a browser; AssertJ adds what was expected and what was seen.
 */
public final class Findings extends AbstractSoftAssertions implements StandardSoftAssertionsProvider {

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

  /** AssertJ's soft proxies, shown with the evidence's escaping; their failures come to {@link #onAssertionErrorCollected}. */
  @Override
  public <S extends Assert<? extends S, ? extends A>, A> S proxy(Class<S> assertClass, Class<A> actualClass, A actual) {
    S assertion = super.proxy(assertClass, actualClass, actual);
    if (assertion instanceof AbstractAssert<?, ?> a) a.withRepresentation(EVIDENCE);
    return assertion;
  }

  /** Each failed assertion, as it happens: a violation with this check's severity. */
  @Override
  public void onAssertionErrorCollected(AssertionError error) {
    violation(String.valueOf(error.getMessage()).strip());
  }

  /** AssertJ's representation with strings escaped as evidence is, and events shown compactly. */
  private static final StandardRepresentation EVIDENCE = new StandardRepresentation() {
    @Override
    public String toStringOf(Object o) {
      if (o instanceof String s) return escape(s);
      if (o instanceof StreamItem.Event e) return ReconnectChecks.show(e);
      return super.toStringOf(o);
    }
  };

  /** The rule holds when {@code ok}; otherwise a violation with {@code message}. */
  public void require(boolean ok, String message) {
    if (!ok) violation(message);
  }

  /** A violation of this check's rule, with its severity's outcome. */
  public void violation(String message) {
    violation(check.severity(), message);
  }

  /**
   * A violation the evidence supports only at {@code severity}, which may be below this check's
   * own (a suspicion where the check could not prove more): that severity's outcome. Never above
   * the check's severity.
   */
  public void violation(Severity severity, String message) {
    Severity s = severity.compareTo(check.severity()) < 0 ? check.severity() : severity;
    String text = "[" + s + " " + check.id() + "] " + message;
    if (s == Severity.MUST || s == Severity.SHOULD && strict) {
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
