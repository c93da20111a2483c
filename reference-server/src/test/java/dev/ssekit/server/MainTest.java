package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

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

  /** Every option the command line has, from picocli's own model (so the list cannot drift). */
  private static List<String> options() {
    return new CommandLine(new Main()).getCommandSpec().options().stream().map(OptionSpec::longestName).toList();
  }

  @Test
  void helpListsEveryOptionAndExitsZero() {
    Captured c = capture(() -> Main.run("--help"));
    assertThat(c.status).isZero();
    List<String> options = options();
    // The options of the last sessions too, named, so a model that lost one fails here as well.
    assertThat(options).contains("--max-body-buffer", "--max-topics", "--publish-cors-origin", "--head-timeout",
        "--body-timeout", "--history-bytes", "--max-pending-connections", "--help", "--version");
    for (String option : options) {
      assertThat(c.out).as("--help lists %s", option).containsPattern("(?m)^\\s+(-\\w, )?" + Pattern.quote(option) + "\\b");
    }
  }

  @Test
  void everySettingOfTheServerHasAnOption() {
    // ServerConfig's components are the settings; each is an option named after it in kebab case.
    Map<String, String> renamed = Map.of("maxBodyBytesInFlight", "--max-body-buffer");
    List<String> options = options();
    for (RecordComponent component : ServerConfig.class.getRecordComponents()) {
      String name = component.getName();
      String option = renamed.getOrDefault(name, "--" + name.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
      assertThat(options).as("ServerConfig.%s has a command-line option", name).contains(option);
    }
  }

  @Test
  void theServerGuidesOptionTableListsExactlyTheServersOptions() throws Exception {
    String guide = Files.readString(Path.of("..", "docs", "server.md"), StandardCharsets.UTF_8);
    int from = guide.indexOf("# The reference server");
    assertThat(from).as("docs/server.md starts with 'The reference server'").isZero();
    String section = guide.substring(from, guide.indexOf("\n## ", from));
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| ([^|]*--[^|]*) \\|").matcher(section);
    while (row.find()) {
      Matcher name = Pattern.compile("`(--[a-z-]+)").matcher(row.group(1));
      while (name.find()) documented.add(name.group(1));
    }
    assertThat(documented).as("options in docs/server.md's table").isEqualTo(new TreeSet<>(options()));
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
