package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.checks.FaultyServer.Builder;
import dev.ssekit.conformance.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A benchmark, not a test: the whole {@code quick} (and {@code standard}) profile through the command line
 * against a {@link FaultyServer} per knob, wall time per run printed and written to
 * {@code target/profile-timings.txt}. The bound is quick ≤ 10 s and standard ≤ 30 s against any
 * local server, correct or not. Off by default (tag {@code verdict-survey}); run it with
 * <pre>
 * mvn -B -q -pl conformance -am test -Dtest=QuickProfileTimingSurvey -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dssekit.excludedTestTags=none [-Dsurvey.knobs=BUFFERED,correct] [-Dsurvey.profiles=quick]
 * </pre>
 */
@Tag("verdict-survey")
class QuickProfileTimingSurvey {

  @Test
  @Timeout(3600)
  void timeEachProfilePerKnob() throws Exception {
    Map<String, Supplier<Builder>> knobs = FaultyServer.eachKnob();
    String only = System.getProperty("survey.knobs", "");
    String[] profiles = System.getProperty("survey.profiles", "quick,standard").split(",");
    List<String> rows = new ArrayList<>();
    rows.add("| knob | profile | seconds | exit | summary |");
    rows.add("|---|---|---|---|---|");
    for (var k : knobs.entrySet()) {
      if (!only.isEmpty() && !List.of(only.split(",")).contains(k.getKey())) continue;
      for (String profile : profiles) {
        try (FaultyServer s = k.getValue().get().build()) {
          long t0 = System.nanoTime();
          CliRun r = timed(t0, "--url", s.url(), "--publish-url", s.publishUrl(), "--profile", profile,
              "--report-dir", Path.of("target", "profile-timings", k.getKey().replaceAll("\\W", "_") + "-" + profile).toString(), "--no-color");
          double sec = (System.nanoTime() - t0) / 1e9;
          Files.writeString(Path.of("target", "profile-timings", k.getKey().replaceAll("\\W", "_") + "-" + profile,
              "console.txt"), r.out() + r.err());
          String summary = r.out().lines().filter(l -> l.contains("passed") && l.contains("failed")).reduce((a, b) -> b)
              .orElse("").trim();
          String row = String.format("| %s | %s | %.1f | %d | %s |", k.getKey(), profile, sec, r.status(), summary);
          System.out.println(row);
          rows.add(row);
        }
      }
    }
    Path out = Path.of("target", "profile-timings.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, String.join("\n", rows) + "\n");
    System.out.println(String.join("\n", rows));
  }

  /** Runs the command line with each console line prefixed by the seconds since {@code t0} (when it was printed). */
  private static CliRun timed(long t0, String... args) {
    java.io.PrintStream old = System.out;
    StringBuilder lines = new StringBuilder();
    java.io.OutputStream stamping = new java.io.OutputStream() {
      private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        if (b != '\n') {
          line.write(b);
          return;
        }
        lines.append(String.format("%6.2f ", (System.nanoTime() - t0) / 1e9))
            .append(line.toString(java.nio.charset.StandardCharsets.UTF_8)).append('\n');
        line.reset();
      }
    };
    try {
      System.setOut(new java.io.PrintStream(stamping, true, java.nio.charset.StandardCharsets.UTF_8));
      int status = dev.ssekit.conformance.cli.ConformanceMain.run(args);
      return new CliRun(status, lines.toString(), "");
    } finally {
      System.setOut(old);
    }
  }
}
