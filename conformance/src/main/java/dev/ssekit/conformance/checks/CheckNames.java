package dev.ssekit.conformance.checks;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGenerator;

/**
 * Names each check by its id ({@code http.status-200}) instead of its Java method, so a build's
 * console, its XML reports and an IDE show the id that the CLI's reports and docs/checks.md use.
 * Methods without {@link SseCheck} and classes keep their standard names.
 *
 * <p>Use it on a class of your own checks with {@code @DisplayNameGeneration(CheckNames.class)}.
 * Surefire writes display names into its reports only when asked to (its JUnit 5 XML reporter's
 * {@code usePhrasedTestCaseMethodName}); docs/conformance.md shows the setting.
 *
 * <p>Links against Jupiter 5.10 and 6: both the older two-argument methods (abstract in 5.x) and
 * the newer ones with the enclosing instance types (5.12+, the ones 6.x calls) are implemented,
 * and none calls a method that only one version has.
 */
@SuppressWarnings("deprecation") // the older overloads are deprecated in 6.x and required by 5.10
public final class CheckNames implements DisplayNameGenerator {

  @Override
  public String generateDisplayNameForClass(Class<?> testClass) {
    String name = testClass.getName();
    return name.substring(name.lastIndexOf('.') + 1); // as the standard generator names it
  }

  // Not @Override: abstract in 5.x, deprecated default in 6.x.
  public String generateDisplayNameForNestedClass(Class<?> nestedClass) {
    return nestedClass.getSimpleName();
  }

  // Not @Override: absent in 5.10/5.11, the one 6.x calls.
  public String generateDisplayNameForNestedClass(List<Class<?>> enclosingInstanceTypes, Class<?> nestedClass) {
    return generateDisplayNameForNestedClass(nestedClass);
  }

  public String generateDisplayNameForMethod(Class<?> testClass, Method testMethod) {
    SseCheck check = testMethod.getAnnotation(SseCheck.class);
    return check != null ? check.id() : testMethod.getName() + DisplayNameGenerator.parameterTypesAsString(testMethod);
  }

  public String generateDisplayNameForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
    return generateDisplayNameForMethod(testClass, testMethod);
  }
}
