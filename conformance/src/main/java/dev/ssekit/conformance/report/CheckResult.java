package dev.ssekit.conformance.report;

import dev.ssekit.conformance.checks.Severity;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one check, as every report shows it.
 *
 * @param id the check id, {@code category.name} ({@code http.status-200})
 * @param category the part of the id before the first dot, or {@link #OTHER} for a test that is
 *     not a check
 * @param severity the severity the outcome was decided at: for a failed or warned check, the
 *     severity of the violation that decided it (a SHOULD check that warned at MAY reports MAY, a
 *     MUST check that could only prove a SHOULD violation reports SHOULD); otherwise the check's
 *     declared severity. Null for a test that is not a check
 * @param status the outcome
 * @param message why it failed, what it warned about (several warnings one per line), the
 *     advisory, or why it was skipped, without any {@code [SEVERITY id]} prefix (the id and
 *     severity are fields); null when it passed cleanly
 * @param evidence what the check saw (escaped bytes, headers, timings), in publication order
 * @param notes what the check measured or wants a reader to know, in publication order
 * @param spec a link to the rule; null when unknown
 * @param rule the rule's id in docs/spec-rules.md, or {@code "-"} when there is none
 * @param summary one line: what a passing server does; null when unknown
 * @param durationMs how long the check ran (0 when it did not run)
 * @param declaredSeverity the severity the check declares ({@code @SseCheck}); null for a test
 *     that is not a check
 */
public record CheckResult(String id, String category, Severity severity, Status status, String message,
    List<String> evidence, List<String> notes, String spec, String rule, String summary, long durationMs,
    Severity declaredSeverity) {

  /** The categories, in report order. */
  public static final List<String> CATEGORIES = List.of(
      "http", "framing", "data", "event", "id", "retry", "comments", "reconnect", "delivery", "lifecycle");

  /** The category of a test that does not carry check metadata; reported after the others. */
  public static final String OTHER = "other";

  /** Report order: by category in {@link #CATEGORIES} order (unknown ones after, by name), then by id. */
  public static final Comparator<CheckResult> ORDER = Comparator
      .comparingInt((CheckResult r) -> categoryRank(r.category()))
      .thenComparing(CheckResult::category)
      .thenComparing(CheckResult::id);

  /** What happened to a check. */
  public enum Status {
    /** The rule held. */
    PASSED,
    /** A MUST violation (or a SHOULD violation under {@code --strict}), or the check could not complete. */
    FAILED,
    /** The check completed but reported a SHOULD or MAY violation. */
    WARNED,
    /** The check did not apply or was not selected (profile, no publish URL, nothing to check). */
    SKIPPED,
    /**
     * The check ended with an advisory that applies to nearly every server of a kind (HTTP/2 not
     * offered over plain http): neither a warning nor a failure, never a failure under
     * {@code --strict}.
     */
    INFO;

    /** The lower-case name used in {@code conformance.json}: {@code passed}, {@code failed}, … */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** A four-letter mark for consoles and badges: PASS, FAIL, WARN, SKIP, INFO. */
    public String mark() {
      return switch (this) {
        case PASSED -> "PASS";
        case FAILED -> "FAIL";
        case WARNED -> "WARN";
        case SKIPPED -> "SKIP";
        case INFO -> "INFO";
      };
    }
  }

  /**
   * A result whose severity is the check's declared one (a result no violation decided, or one
   * made before the two could differ).
   */
  public CheckResult(String id, String category, Severity severity, Status status, String message,
      List<String> evidence, List<String> notes, String spec, String rule, String summary, long durationMs) {
    this(id, category, severity, status, message, evidence, notes, spec, rule, summary, durationMs, severity);
  }

  /** Copies the lists and normalises a missing rule to {@code "-"}. */
  public CheckResult {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("a check result needs an id");
    if (status == null) throw new IllegalArgumentException("a check result needs a status: " + id);
    if (category == null || category.isEmpty()) category = categoryOf(id);
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
    notes = notes == null ? List.of() : List.copyOf(notes);
    if (rule == null || rule.isEmpty()) rule = "-";
  }

  /** The category named by a check id: the part before the first dot, or {@link #OTHER}. */
  public static String categoryOf(String id) {
    int dot = id.indexOf('.');
    return dot > 0 ? id.substring(0, dot) : OTHER;
  }

  /** The evidence as one text, entries separated by {@code "\n"}; null when there is none. */
  public String evidenceText() {
    return evidence.isEmpty() ? null : String.join("\n", evidence);
  }

  private static int categoryRank(String category) {
    int i = CATEGORIES.indexOf(category);
    return i >= 0 ? i : CATEGORIES.size();
  }
}
