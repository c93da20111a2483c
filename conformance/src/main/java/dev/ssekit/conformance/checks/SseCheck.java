package dev.ssekit.conformance.checks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.junit.jupiter.api.Test;

/**
 * Marks a check: a JUnit Jupiter test with the rule it enforces. The id starts with the
 * category ({@code http.status-200}); the severity decides the outcome of a violation (MUST
 * fails, SHOULD warns unless strict, MAY informs); {@code spec} links the rule.
 */
@Retention(RetentionPolicy.RUNTIME)
@java.lang.annotation.Target(ElementType.METHOD)
@Test
public @interface SseCheck {
  String id();

  Severity severity();

  /** A link to the rule in the WHATWG standard or an RFC. */
  String spec();

  /** The rule's id in docs/spec-rules.md (H-01, F-03, S-01…), when there is one. */
  String rule() default "";

  /** The smallest profile that runs this check. */
  dev.ssekit.conformance.config.Target.Profile profile() default dev.ssekit.conformance.config.Target.Profile.QUICK;

  /** True when the check drives the server through the publish contract (skipped without one). */
  boolean needsPublish() default false;

  /** One line: what a passing server does. */
  String summary();
}
