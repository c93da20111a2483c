package dev.ssekit.conformance.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ssekit.conformance.checks.Findings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Warnings in a user's build: a line of the test's output as the warning is reported, a summary
 * when the run ends; nothing when the run has none or the CLI turns it off.
 */
class WarningLogTest {

  /** Publishes what a check with a SHOULD violation publishes. */
  static class Warns {
    @Test
    void check(TestReporter r) {
      r.publishEntry(Map.of(Findings.KEY_ID, "http.sample"));
      r.publishEntry(Map.of(Findings.KEY_WARNING, "[SHOULD http.sample] the header\nexpected: \"a\"\n but was: \"b\""));
    }
  }

  static class Quiet {
    @Test
    void check(TestReporter r) {
      r.publishEntry(Map.of(Findings.KEY_ID, "http.quiet"));
    }
  }

  private static String run(Class<?> tests, Map<String, String> params) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build())
        .execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(tests)).configurationParameters(params)
            .build(), new WarningLog(out));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWarningIsALineOfTheTestsOutputAndIsSummarisedAtTheEnd() {
    assertThat(run(Warns.class, Map.of())).isEqualTo("""
        [WARNING] ssekit http.sample: [SHOULD http.sample] the header
        [WARNING]   expected: "a"
        [WARNING]    but was: "b"
        [WARNING] ssekit: 1 warning (a SHOULD or MAY the server does not meet: the check passes; ssekit.strict=true fails a SHOULD):
        [WARNING]   http.sample: [SHOULD http.sample] the header …
        """);
  }

  @Test
  void nothingWithoutWarningsOrWhenTurnedOff() {
    assertThat(run(Quiet.class, Map.of())).isEmpty();
    assertThat(run(Warns.class, Map.of(WarningLog.PRINT, "false"))).isEmpty();
  }

  @Test
  void registeredForEveryLauncher() {
    assertThat(ServiceLoader.load(TestExecutionListener.class).stream().map(ServiceLoader.Provider::type))
        .contains(WarningLog.class);
  }
}
