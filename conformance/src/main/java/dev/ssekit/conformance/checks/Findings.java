package dev.ssekit.conformance.checks;

import dev.ssekit.protocol.DispatchedEvent;
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
 * MAY warns — and advisories ({@link #info}). Evidence, warnings and advisories travel as JUnit
 * report entries with keys under {@code ssekit.}, which the report writers collect; nothing is
 * written to side files.
 *
 * <p>A violation's text names the severity it was found at and the check: {@code [SHOULD
 * check.id] message}, both in a failure's {@link AssertionError} message and in an
 * {@code ssekit.warning} entry. The reports take the severity from that prefix (it may be below
 * the check's declared severity, see {@link #violation(Severity, String)}) and show the message
 * without it.
 *
 * <p>The assertions are AssertJ's: {@code f.assertThat(status).as("the status").isEqualTo(200)}.
 * A failed assertion is a violation of this check's rule with the check's severity — a MUST (or
 * a strict SHOULD) stops the check, a SHOULD or MAY is reported as a warning and the check goes
 * on. The violation's message is the assertion's description (the {@code as(...)} text: say what
 * it means for a browser); AssertJ's comparison (what was expected, what was seen) is published as
 * evidence, cut at {@value #MAX_EVIDENCE_BYTES} bytes. Values are shown escaped, as in the
 * evidence ({@code "a\nb"}, events as {@code {id "1", type "message", data "x"}}). An assertion
 * without a description gets a short message made from AssertJ's text.
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
  /** An advisory that ended the check (see {@link #info}). */
  public static final String KEY_INFO = "ssekit.info";

  /** Evidence shown at most, per entry: enough to see the problem, never megabytes. */
  static final int MAX_EVIDENCE_BYTES = 2048;

  /** A message made from an undescribed assertion is cut at this many characters. */
  static final int MAX_SHORT_MESSAGE = 160;

  /** The label of the evidence entry that holds a failed assertion's comparison. */
  static final String ASSERTION_LABEL = "assertion: ";

  /** The assertions made most recently (newest last), to find a failed one's description. */
  private final java.util.Deque<AbstractAssert<?, ?>> recent = new java.util.ArrayDeque<>();
  private static final int RECENT = 64;

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
    if (assertion instanceof AbstractAssert<?, ?> a) {
      a.withRepresentation(EVIDENCE);
      synchronized (recent) {
        if (recent.size() == RECENT) recent.removeFirst();
        recent.addLast(a);
      }
    }
    return assertion;
  }

  /**
   * Each failed assertion, as it happens: a violation with this check's severity, whose message is
   * the assertion's description; AssertJ's comparison goes to the evidence.
   */
  @Override
  public void onAssertionErrorCollected(AssertionError error) {
    String text = String.valueOf(error.getMessage()).strip();
    String description = description(text);
    String comparison = text;
    if (description != null) {
      comparison = text.substring(description.length() + 2).strip();
    }
    String message;
    if (description != null && !description.isBlank()) {
      message = description + seen(error);
      if (!comparison.isEmpty()) evidence(ASSERTION_LABEL + compact(comparison, MAX_EVIDENCE_BYTES));
    } else {
      String oneLine = comparison.replaceAll("\\s+", " ").strip();
      message = oneLine.isEmpty() ? "an assertion failed" : cut(oneLine, MAX_SHORT_MESSAGE);
      if (!message.equals(oneLine)) evidence(ASSERTION_LABEL + compact(comparison, MAX_EVIDENCE_BYTES));
    }
    violation(message);
  }

  /**
   * What an equality-style assertion saw, compactly ({@code : was "*", expected "https://app"}),
   * when AssertJ says (an opentest4j failure with both values); empty otherwise. Not a dump: each
   * value is escaped and cut short, the full comparison stays in the evidence.
   */
  private static String seen(AssertionError error) {
    if (!(error instanceof org.opentest4j.AssertionFailedError f) || !f.isActualDefined() || !f.isExpectedDefined()) {
      return "";
    }
    return ": was " + cut(show(f.getActual()), MAX_SEEN) + ", expected " + cut(show(f.getExpected()), MAX_SEEN);
  }

  private static String show(org.opentest4j.ValueWrapper v) {
    // AssertJ hands over the values as its representation (this class's, escaped) already rendered.
    Object value = v.getValue();
    return value instanceof String s ? s : String.valueOf(value != null ? EVIDENCE.toStringOf(value)
        : v.getStringRepresentation());
  }

  /** How much of each value {@link #seen} shows. */
  private static final int MAX_SEEN = 100;

  /**
   * The description AssertJ put at the start of {@code text} ({@code "[description] ..."}), or
   * null: the description of one of this check's recent assertions when it matches exactly, or else
   * the bracketed first line.
   */
  private String description(String text) {
    synchronized (recent) {
      for (var it = recent.descendingIterator(); it.hasNext(); ) {
        String d = it.next().descriptionText();
        if (d != null && !d.isEmpty() && text.startsWith("[" + d + "]")) return d;
      }
    }
    // An assertion AssertJ made itself (extracting, first, element…) was never seen here.
    int eol = text.indexOf('\n');
    String first = (eol < 0 ? text : text.substring(0, eol)).stripTrailing();
    return first.length() > 2 && first.startsWith("[") && first.endsWith("]")
        ? first.substring(1, first.length() - 1) : null;
  }

  /**
   * {@code text} as an evidence entry shows it: lines kept, other control characters escaped, cut
   * at {@code max} UTF-8 bytes with a count of the rest.
   */
  static String compact(String text, int max) {
    StringBuilder sb = new StringBuilder();
    int bytes = 0;
    int total = text.getBytes(StandardCharsets.UTF_8).length;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      String piece;
      if (cp == '\n') piece = "\n";
      else if (cp == '\r') piece = "\\r";
      else if (cp == '\t') piece = "\\t";
      else if (cp < 0x20 || cp == 0x7f) piece = String.format("\\x%02X", cp);
      else piece = new String(Character.toChars(cp));
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > max) {
        sb.append(" … (").append(total - bytes).append(" more bytes)");
        return sb.toString();
      }
      sb.append(piece);
      bytes += n;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static String cut(String s, int max) {
    if (s.codePointCount(0, s.length()) <= max) return s;
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }

  /** AssertJ's representation with strings escaped as evidence is, and events shown compactly. */
  private static final StandardRepresentation EVIDENCE = new StandardRepresentation() {
    @Override
    public String toStringOf(Object o) {
      if (o instanceof String s) return escape(s);
      if (o instanceof DispatchedEvent e) return Describe.event(e);
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

  /**
   * Ends the check as an advisory: {@code message} is something a reader should know that applies
   * to nearly every server of this kind (HTTP/2 is not offered over plain http), neither a warning
   * nor a failure, whatever the strictness. The check passes as far as JUnit is concerned (its
   * report entry {@code ssekit.info} carries the advisory), and the reports show status
   * {@code info}. Warnings the check reported before still make it {@code warned}.
   */
  public void info(String message) {
    context.publishReportEntry(Map.of(KEY_INFO, message));
    throw new Advisory(message);
  }

  /** Ends a check as an advisory; {@link SseExtension} turns it into a passed test. Not an error. */
  static final class Advisory extends RuntimeException {
    Advisory(String message) {
      super(message, null, false, false);
    }
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
