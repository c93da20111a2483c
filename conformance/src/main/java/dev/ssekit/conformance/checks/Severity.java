package dev.ssekit.conformance.checks;

/** How binding a rule is, and so what its violation does to a run. */
public enum Severity {
  /** Normative "must" (or what browsers enforce): a violation fails the check. */
  MUST,
  /** Normative "should" or strong practice: a violation warns, and fails with --strict. */
  SHOULD,
  /** Advice: a violation is reported as a warning, never a failure. */
  MAY
}
