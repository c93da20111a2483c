package dev.ssekit.conformance.report;

import dev.ssekit.conformance.checks.Findings;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Stub test identifiers and report entries, for driving the listeners' callbacks directly (as
 * JUnit's own {@code SummaryGenerationTests} do).
 */
final class Stubs {
  private Stubs() {}

  private static final UniqueId ENGINE = UniqueId.forEngine("stub-engine");

  /** A descriptor of a fixed type. */
  static final class StubDescriptor extends AbstractTestDescriptor {
    private final Type type;

    StubDescriptor(UniqueId id, String displayName, TestSource source, Type type) {
      super(id, displayName, source);
      this.type = type;
    }

    @Override
    public Type getType() {
      return type;
    }
  }

  /** A test with no source. */
  static TestIdentifier test(String name) {
    return TestIdentifier.from(new StubDescriptor(ENGINE.append("test", name), name + "()", null,
        TestDescriptor.Type.TEST));
  }

  /** A test whose source is {@code method}. */
  static TestIdentifier test(Class<?> type, String methodName) {
    Method m;
    try {
      m = type.getDeclaredMethod(methodName);
    } catch (NoSuchMethodException e) {
      throw new AssertionError("no method " + methodName + " in " + type, e);
    }
    return TestIdentifier.from(new StubDescriptor(ENGINE.append("class", type.getName()).append("method", methodName),
        methodName + "()", MethodSource.from(type, m), TestDescriptor.Type.TEST));
  }

  /** A class container. */
  static TestIdentifier container(Class<?> type) {
    return TestIdentifier.from(new StubDescriptor(ENGINE.append("class", type.getName()), type.getSimpleName(),
        ClassSource.from(type), TestDescriptor.Type.CONTAINER));
  }

  /** The entry SseExtension publishes before a check runs; every stub check cites rule H-01. */
  static ReportEntry meta(String id, String severity, String summary) {
    return ReportEntry.from(Map.of(Findings.KEY_ID, id, Findings.KEY_SEVERITY, severity,
        Findings.KEY_SPEC, "https://html.spec.whatwg.org/multipage/server-sent-events.html#" + id,
        Findings.KEY_SUMMARY, summary, Findings.KEY_RULE, "H-01"));
  }

  static ReportEntry evidence(String text) {
    return ReportEntry.from(Findings.KEY_EVIDENCE, text);
  }

  static ReportEntry note(String text) {
    return ReportEntry.from(Findings.KEY_NOTE, text);
  }

  static ReportEntry warning(String text) {
    return ReportEntry.from(Findings.KEY_WARNING, text);
  }
}
