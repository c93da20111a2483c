package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.config.Target;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Wires checks to the server under test. Holds no fields: the target (from configuration
 * parameters), the HTTP recorder and the shared passive recording live in the root context's
 * store, created once per run and closed with it ({@link RunScoped}: the same on Jupiter 5.10+
 * and 6). Decides which checks run (profile, publish URL, {@code quick}'s time budget:
 * {@link QuickBudget}) and publishes each check's identity as report entries before it runs.
 */
public final class SseExtension implements ExecutionCondition, BeforeEachCallback, AfterEachCallback, ParameterResolver,
    org.junit.jupiter.api.extension.TestExecutionExceptionHandler {

  static Target target(ExtensionContext context) {
    return RunScoped.get(context, Target.class, () -> Target.fromConfiguration(context::getConfigurationParameter));
  }

  static Recorder recorder(ExtensionContext context) {
    Target target = target(context);
    return RunScoped.get(context, Recorder.class, () -> new Recorder(target));
  }

  static QuickBudget budget(ExtensionContext context) {
    return RunScoped.get(context, QuickBudget.class, QuickBudget::new);
  }

  static PassiveStream passive(ExtensionContext context) {
    Recorder recorder = recorder(context);
    Target target = target(context);
    return RunScoped.get(context, PassiveStream.class, () -> PassiveStream.record(target, recorder));
  }

  private static Optional<SseCheck> check(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.getAnnotation(SseCheck.class));
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<SseCheck> check = check(context);
    if (check.isEmpty()) return ConditionEvaluationResult.enabled("not a check");
    Target target;
    try {
      target = target(context);
    } catch (IllegalArgumentException e) {
      // No target at all: nothing to check (documented). A target given but mistyped must not pass
      // silently as "all skipped": let the check run, and fail on the configuration error.
      if (context.getConfigurationParameter(Target.URL).filter(u -> !u.isBlank()).isEmpty()
          && context.getConfigurationParameter(Target.HANDED_OVER).isEmpty()) {
        return ConditionEvaluationResult.disabled(e.getMessage());
      }
      return ConditionEvaluationResult.enabled("the configuration error is reported by the check");
    }
    SseCheck c = check.get();
    QuickBudget budget = budget(context); // made on the first check considered: the run's start
    if (!target.profile().includes(c.profile())) {
      return ConditionEvaluationResult.disabled("runs in the " + c.profile().name().toLowerCase() + " profile");
    }
    if (c.needsPublish() && target.publishUrl() == null) {
      return ConditionEvaluationResult.disabled("needs a publish URL (--publish-url)");
    }
    if (c.needsPublish() && target.profile() == Target.Profile.QUICK) {
      Optional<String> over = budget.refuse();
      if (over.isPresent()) return ConditionEvaluationResult.disabled(over.get());
    }
    return ConditionEvaluationResult.enabled("applies");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    check(context).ifPresent(c -> context.publishReportEntry(Map.of(
        Findings.KEY_ID, c.id(), Findings.KEY_SEVERITY, c.severity().name(), Findings.KEY_SPEC, c.spec(),
        Findings.KEY_SUMMARY, c.summary(), Findings.KEY_RULE, c.rule().isEmpty() ? "-" : c.rule())));
    if (check(context).filter(SseCheck::needsPublish).isPresent()) budget(context).started();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (check(context).filter(SseCheck::needsPublish).isPresent()) budget(context).ended();
  }

  /**
   * A check that ended as an advisory ({@link Findings#info}) passed: its advisory is already
   * published. A check that cannot talk to the server (an I/O error) has found a problem of the
   * server's, with the check's severity: a MUST fails, a SHOULD or MAY warns. Anything else
   * propagates.
   */
  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    Optional<SseCheck> c = check(context);
    if (throwable instanceof Findings.Advisory && c.isPresent()) return;
    // Only I/O itself: an exception that merely wraps one is a bug in the check, reported as such.
    Throwable io = throwable instanceof java.io.UncheckedIOException ? throwable.getCause() : throwable;
    if (c.isEmpty() || !(io instanceof java.io.IOException)) throw throwable;
    new Findings(context, c.get(), target(context).strict())
        .violation("the exchange with the server failed: " + io.getClass().getSimpleName() + ": " + io.getMessage());
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Target.class || type == Recorder.class || type == PassiveStream.class || type == Findings.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == Target.class) return target(context);
    if (type == Recorder.class) return recorder(context);
    if (type == PassiveStream.class) return passive(context);
    Method m = context.getRequiredTestMethod();
    SseCheck c = m.getAnnotation(SseCheck.class);
    if (c == null) throw new ParameterResolutionException("Findings are for methods annotated @SseCheck: " + m);
    return new Findings(context, c, target(context).strict());
  }
}
