package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue point 10: options through picocli, durations, exit codes. */
class MainTest {

  @Test
  void durationsReadTheHouseForm() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Durations.format(Duration.ZERO)).as("the server writes an option that is off as 0").isEqualTo("0");
  }

  @Test
  void helpListsEveryOptionAndExitsZero() {
    Captured c = capture(() -> Main.run("--help"));
    assertThat(c.status).isZero();
    for (String option : new String[] {"--host", "--port", "--tick", "--heartbeat", "--retry", "--history", "--history-bytes",
        "--max-connections", "--max-queue-bytes", "--max-event-bytes", "--cors-origin", "--publish-token",
        "--allow-anonymous-publish", "--shutdown-grace"}) {
      assertThat(c.out).contains(option);
    }
  }

  @Test
  void badDurationIsAUsageErrorWithAReason() {
    Captured c = capture(() -> Main.run("--tick", "soon"));
    assertThat(c.status).isEqualTo(2);
    assertThat(c.err).contains("'soon' is not a duration").doesNotContain("Exception");
  }

  @Test
  void nonLoopbackWithoutTokenRefusesToStart() {
    Captured c = capture(() -> Main.run("--host", "0.0.0.0", "--port", "0"));
    assertThat(c.status).isEqualTo(2);
    assertThat(c.err).contains("--publish-token").contains("--allow-anonymous-publish");
  }

  record Captured(int status, String out, String err) {}

  private static Captured capture(java.util.function.IntSupplier run) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int status = run.getAsInt();
      return new Captured(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
