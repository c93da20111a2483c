package dev.ssekit.conformance.report;

import dev.ssekit.conformance.checks.Findings;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.checks.SseCheck;
import dev.ssekit.conformance.report.CheckResult.Status;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Turns the launcher's events into {@link CheckResult}s: remembers each running check's report
 * entries (its identity, evidence, notes, warnings and advisories) and, when it ends, maps the
 * JUnit outcome to a check status (a passed check that warned is warned; one that ended with an
 * advisory is info) and takes the severity and message of the violation that decided it. {@link ResultCollector} owns the run's
 * one tracker and tells the console what it decided. Thread-safe: checks run in parallel and report from their own threads.
 */
final class CheckTracker {

  /**
   * What one event changed.
   *
   * @param results checks that ended with this event (one for a test; for a container that was
   *     skipped, aborted or failed, its checks that never ran)
   * @param problem a failure outside any check, or null
   */
  record Update(List<CheckResult> results, RunReport.Problem problem) {
    static final Update NONE = new Update(List.of(), null);
  }

  private static final String ASSUMPTION_PREFIX = "Assumption failed: ";

  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Set<String> ended = ConcurrentHashMap.newKeySet();
  private final AtomicInteger started = new AtomicInteger();
  private volatile TestPlan plan;

  /** A check between its start and its end: when it started and what it published, in order. */
  private static final class Running {
    final long startNanos = System.nanoTime();
    final List<Map<String, String>> entries = Collections.synchronizedList(new ArrayList<>());
  }

  void planStarted(TestPlan plan) {
    this.plan = plan;
  }

  /** How many checks started (disabled and never-run checks are not counted). */
  int startedCount() {
    return started.get();
  }

  void started(TestIdentifier test) {
    if (!test.isTest()) return;
    started.incrementAndGet();
    running.put(test.getUniqueId(), new Running());
  }

  void entry(TestIdentifier test, ReportEntry entry) {
    if (!test.isTest()) return;
    running.computeIfAbsent(test.getUniqueId(), k -> new Running()).entries.add(entry.getKeyValuePairs());
  }

  Update skipped(TestIdentifier identifier, String reason) {
    if (identifier.isTest()) {
      CheckResult r = end(identifier, Status.SKIPPED, reason, null);
      return new Update(r == null ? List.of() : List.of(r), null);
    }
    return new Update(neverRan(identifier, reason), null);
  }

  Update finished(TestIdentifier identifier, TestExecutionResult result) {
    Throwable t = result.getThrowable().orElse(null);
    if (identifier.isTest()) {
      CheckResult r = switch (result.getStatus()) {
        case SUCCESSFUL -> end(identifier, Status.PASSED, null, null);
        case ABORTED -> end(identifier, Status.SKIPPED, abortReason(t), null);
        case FAILED -> end(identifier, Status.FAILED, failureMessage(t), t);
      };
      return new Update(r == null ? List.of() : List.of(r), null);
    }
    return switch (result.getStatus()) {
      case SUCCESSFUL -> Update.NONE;
      case ABORTED -> new Update(neverRan(identifier, abortReason(t)), null);
      case FAILED -> new Update(
          neverRan(identifier, "not run: " + identifier.getDisplayName() + " failed: " + failureMessage(t)),
          new RunReport.Problem(identifier.getDisplayName(), failureMessage(t)));
    };
  }

  /** Ends the checks under {@code container} that never reported, skipped with {@code reason}. */
  private List<CheckResult> neverRan(TestIdentifier container, String reason) {
    TestPlan p = plan;
    if (p == null) return List.of();
    List<CheckResult> out = new ArrayList<>();
    for (TestIdentifier d : p.getDescendants(container)) {
      if (!d.isTest()) continue;
      CheckResult r = end(d, Status.SKIPPED, reason, null);
      if (r != null) out.add(r);
    }
    return out;
  }

  /** What a check published while it ran, sorted by kind. */
  private record Published(Map<String, String> meta, List<String> evidence, List<String> notes, List<String> warnings,
      List<String> advisories) {

    static Published of(List<Map<String, String>> entries) {
      Map<String, String> meta = null;
      List<String> evidence = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      List<String> advisories = new ArrayList<>();
      for (Map<String, String> e : entries) {
        if (e.containsKey(Findings.KEY_ID)) {
          meta = e;
          continue;
        }
        for (Map.Entry<String, String> kv : e.entrySet()) {
          switch (kv.getKey()) {
            case Findings.KEY_EVIDENCE -> evidence.add(kv.getValue());
            case Findings.KEY_NOTE -> notes.add(kv.getValue());
            case Findings.KEY_WARNING -> warnings.add(kv.getValue());
            case Findings.KEY_INFO -> advisories.add(kv.getValue());
            // An entry from a plain TestReporter: keep it, so nothing published is lost.
            default -> notes.add(kv.getKey() + ": " + kv.getValue());
          }
        }
      }
      return new Published(meta, evidence, notes, warnings, advisories);
    }
  }

  /** Who a check is: from what it published, else (a disabled check publishes nothing) its annotation. */
  private record Identity(String id, String category, Severity declared, String spec, String rule, String summary) {

    static Identity of(Map<String, String> meta, TestIdentifier test) {
      if (meta != null) {
        String id = meta.get(Findings.KEY_ID);
        return new Identity(id, CheckResult.categoryOf(id), severity(meta.get(Findings.KEY_SEVERITY)),
            meta.get(Findings.KEY_SPEC), meta.get(Findings.KEY_RULE), meta.get(Findings.KEY_SUMMARY));
      }
      SseCheck a = annotation(test);
      if (a != null) {
        return new Identity(a.id(), CheckResult.categoryOf(a.id()), a.severity(), a.spec(), a.rule(), a.summary());
      }
      return new Identity(fallbackId(test), CheckResult.OTHER, null, null, null, test.getDisplayName());
    }
  }

  /** Builds the result of a check that ended, or null if it already ended (at most once per check). */
  private CheckResult end(TestIdentifier test, Status status, String message, Throwable failure) {
    if (!ended.add(test.getUniqueId())) return null;
    Running run = running.remove(test.getUniqueId());
    long durationMs = run == null ? 0 : Math.max(0, (System.nanoTime() - run.startNanos) / 1_000_000);
    List<Map<String, String>> entries;
    if (run == null) {
      entries = List.of();
    } else {
      synchronized (run.entries) {
        entries = List.copyOf(run.entries);
      }
    }
    Published p = Published.of(entries);
    Identity who = Identity.of(p.meta(), test);
    List<String> notes = p.notes();

    // The reported severity is the one the deciding violation was found at.
    Severity severity = who.declared();
    List<Finding> warned = p.warnings().stream().map(w -> Finding.of(w, who.id())).toList();
    if (status == Status.FAILED && failure instanceof AssertionError) {
      Finding f = Finding.of(message, who.id());
      message = f.message();
      if (f.severity() != null) severity = f.severity();
    }
    if (status == Status.PASSED && !warned.isEmpty()) {
      status = Status.WARNED;
      message = String.join("\n", warned.stream().map(Finding::message).toList());
      // Several warnings: the most binding one decides.
      severity = warned.stream().map(Finding::severity).filter(java.util.Objects::nonNull)
          .min(java.util.Comparator.naturalOrder()).orElse(who.declared());
      for (String a : p.advisories()) notes.add("info: " + a);
    } else if (status == Status.PASSED && !p.advisories().isEmpty()) {
      status = Status.INFO;
      message = String.join("\n", p.advisories());
    } else {
      // A check that warned and then failed or stopped: the warnings still matter.
      for (Finding w : warned) {
        notes.add("warning" + (w.severity() == null ? "" : " (" + w.severity() + ")") + ": " + w.message());
      }
      for (String a : p.advisories()) notes.add("info: " + a);
    }
    return new CheckResult(who.id(), who.category(), severity, status, message, p.evidence(), notes, who.spec(),
        who.rule(), who.summary(), durationMs, who.declared());
  }


  /**
   * A violation's text split into the severity it was found at and its message: {@link Findings}
   * writes {@code [SEVERITY check-id] message}.
   *
   * @param severity the severity named in the prefix, or null when the text has none
   * @param message the text without the prefix
   */
  record Finding(Severity severity, String message) {
    static Finding of(String text, String id) {
      if (text == null || id == null) return new Finding(null, text);
      for (Severity s : Severity.values()) {
        String prefix = "[" + s + " " + id + "] ";
        if (text.startsWith(prefix)) return new Finding(s, text.substring(prefix.length()));
      }
      return new Finding(null, text);
    }
  }

  private static SseCheck annotation(TestIdentifier test) {
    if (test.getSource().orElse(null) instanceof MethodSource source) {
      try {
        Method m = source.getJavaMethod();
        return m.getAnnotation(SseCheck.class);
      } catch (RuntimeException | LinkageError e) {
        // The class or method cannot be loaded here: report the test under its JUnit name.
        return null;
      }
    }
    return null;
  }

  private static String fallbackId(TestIdentifier test) {
    if (test.getSource().orElse(null) instanceof MethodSource source) {
      String cls = source.getClassName();
      return cls.substring(cls.lastIndexOf('.') + 1) + "#" + source.getMethodName();
    }
    return test.getDisplayName();
  }

  private static Severity severity(String name) {
    if (name == null) return null;
    try {
      return Severity.valueOf(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The reason a check did not apply, without JUnit's "Assumption failed: " prefix. */
  static String abortReason(Throwable t) {
    if (t == null) return "not applicable";
    String m = t.getMessage();
    if (m == null || m.isBlank()) return "not applicable";
    return m.startsWith(ASSUMPTION_PREFIX) ? m.substring(ASSUMPTION_PREFIX.length()) : m;
  }

  /**
   * What a failure says. An {@link AssertionError} is a check's verdict and its message already
   * names the rule; anything else is an unexpected exception, shown with its type and root cause
   * but never a stack trace.
   */
  static String failureMessage(Throwable t) {
    if (t == null) return "failed";
    if (t instanceof AssertionError) {
      String m = t.getMessage();
      return m == null || m.isBlank() ? "assertion failed (" + t.getClass().getName() + ")" : m;
    }
    StringBuilder sb = new StringBuilder(t.toString());
    Throwable root = t;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    if (root != t) sb.append(" (caused by ").append(root).append(')');
    return sb.toString();
  }
}
