package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Test;

/** Checks are named by id in every check class; other methods keep JUnit's standard name. */
class CheckNamesTest {

  @Test
  void everyCheckClassNamesItsChecksById() {
    for (Class<?> c : CheckClasses.all()) {
      DisplayNameGeneration g = c.getAnnotation(DisplayNameGeneration.class);
      assertThat(g).as(c.getSimpleName() + " has @DisplayNameGeneration(CheckNames.class)").isNotNull();
      assertThat(g.value()).isEqualTo(CheckNames.class);
    }
  }

  @Test
  void aCheckIsNamedByItsIdAndAnythingElseAsUsual() throws Exception {
    CheckNames names = new CheckNames();
    assertThat(names.generateDisplayNameForMethod(List.of(), HttpChecks.class,
        HttpChecks.class.getDeclaredMethod("status200", dev.ssekit.conformance.config.Target.class, PassiveStream.class, Findings.class))).isEqualTo("http.status-200");
    assertThat(names.generateDisplayNameForMethod(List.of(), CheckNamesTest.class,
        CheckNamesTest.class.getDeclaredMethod("aCheckIsNamedByItsIdAndAnythingElseAsUsual")))
        .isEqualTo("aCheckIsNamedByItsIdAndAnythingElseAsUsual()");
    assertThat(names.generateDisplayNameForClass(HttpChecks.class)).isEqualTo("HttpChecks");
  }
}
