package dev.ssekit.conformance.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conformance.json} has the shape docs/conformance.md documents. */
class JsonReportWriterTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static JsonNode json(RunReport report) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new JsonReportWriter().write(report, out);
    return MAPPER.readTree(out.toByteArray());
  }

  static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void topLevelFieldsAreTheDocumentedOnesInTheirOrder() throws Exception {
    JsonNode root = json(Fixtures.mixed());

    assertThat(fields(root)).containsExactly("tool", "target", "run", "startedAt", "durationMs", "summary", "checks");
    assertThat(root.get("run").isNull()).as("a report made without a record of the run").isTrue();
    assertThat(fields(root.get("tool"))).containsExactly("name", "version");
    assertThat(root.at("/tool/name").asText()).isEqualTo("ssekit-conformance");
    assertThat(root.at("/tool/version").asText()).isEqualTo("1.2.3");
    assertThat(fields(root.get("target"))).containsExactly("url", "publishUrl");
    assertThat(root.at("/target/url").asText()).isEqualTo("http://localhost:8080/events?x=1&y=2");
    assertThat(root.at("/target/publishUrl").isNull()).isTrue();
    assertThat(root.get("startedAt").asText()).isEqualTo("2026-03-01T10:15:30.123Z");
    assertThat(root.get("durationMs").isIntegralNumber()).isTrue();
    assertThat(root.get("durationMs").asLong()).isEqualTo(3456);
    assertThat(MAPPER.convertValue(root.get("summary"), Map.class))
        .containsExactly(Map.entry("passed", 1), Map.entry("failed", 1), Map.entry("warned", 1), Map.entry("skipped", 1),
            Map.entry("info", 0));
  }

  @Test
  void theRunObjectSaysHowTheRunWasMade() throws Exception {
    RunReport.Run run = new RunReport.Run("quick", true, 2500, true,
        new RunReport.Browser("chromium", "http://h/page", true, 5000), List.of("--profile", "quick", "--strict"));
    JsonNode r = json(Fixtures.mixed().withRun(run)).get("run");
    assertThat(fields(r)).containsExactly("profile", "strict", "window", "windowMs", "windowFrom", "browser", "options");
    assertThat(r.get("profile").asText()).isEqualTo("quick");
    assertThat(r.get("strict").asBoolean()).isTrue();
    assertThat(r.get("window").asText()).isEqualTo("2500ms");
    assertThat(r.get("windowMs").asLong()).isEqualTo(2500);
    assertThat(r.get("windowFrom").asText()).isEqualTo("--window");
    assertThat(fields(r.get("browser"))).containsExactly("engine", "page", "pageFrom", "window");
    assertThat(r.at("/browser/engine").asText()).isEqualTo("chromium");
    assertThat(r.at("/browser/page").asText()).isEqualTo("http://h/page");
    assertThat(r.at("/browser/pageFrom").asText()).isEqualTo("--browser-page");
    assertThat(r.at("/browser/window").asText()).isEqualTo("5s");
    assertThat(r.get("options").toString()).isEqualTo("[\"--profile\",\"quick\",\"--strict\"]");

    JsonNode plain = json(Fixtures.mixed().withRun(new RunReport.Run("full", false, 40_000, false, null, List.of()))).get("run");
    assertThat(plain.get("window").asText()).isEqualTo("40s");
    assertThat(plain.get("windowFrom").asText()).isEqualTo("profile");
    assertThat(plain.get("browser").isNull()).isTrue();
  }

  @Test
  void eachCheckHasTheSchemaFieldsWithLowerCaseStatusInReportOrder() throws Exception {
    JsonNode checks = json(Fixtures.mixed()).get("checks");

    assertThat(checks).hasSize(4);
    List<String> ids = new ArrayList<>();
    for (JsonNode c : checks) {
      ids.add(c.get("id").asText());
      assertThat(fields(c)).startsWith("id", "category", "severity", "declaredSeverity", "status", "message", "evidence",
              "spec")
          .contains("summary", "rule", "notes", "durationMs");
      assertThat(c.get("id").asText()).startsWith(c.get("category").asText() + ".");
      assertThat(c.get("severity").asText()).isIn("MUST", "SHOULD", "MAY");
      assertThat(c.get("status").asText()).isIn("passed", "failed", "warned", "skipped");
      assertThat(c.get("spec").asText()).startsWith("https://");
    }
    assertThat(ids).containsExactly("http.status-200", "framing.blank-line-terminates", "id.no-nul", "retry.sane-value");

    JsonNode passed = checks.get(0);
    assertThat(passed.get("status").asText()).isEqualTo("passed");
    assertThat(passed.get("message").isNull()).isTrue();
    assertThat(passed.get("evidence").asText()).isEqualTo("status: \"HTTP/1.1 200 OK\\r\\n\"");
    assertThat(passed.get("notes").get(0).asText()).isEqualTo("headers after 3 ms");
    assertThat(passed.get("rule").asText()).isEqualTo("H-01");
    assertThat(passed.get("durationMs").asLong()).isEqualTo(12);

    JsonNode failed = checks.get(1);
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("message").asText()).isEqualTo(Fixtures.failed().message());
    assertThat(failed.get("evidence").asText()).isEqualTo(Fixtures.HOSTILE + "\nidle for 2000 ms after the last byte");

    JsonNode skipped = checks.get(2);
    assertThat(skipped.get("status").asText()).isEqualTo("skipped");
    assertThat(skipped.get("message").asText()).isEqualTo("no ids seen in the stream");
    assertThat(skipped.get("evidence").isNull()).isTrue();

    JsonNode warned = checks.get(3);
    assertThat(warned.get("status").asText()).isEqualTo("warned");
    assertThat(warned.get("message").asText()).isEqualTo("retry: 0 makes clients reconnect in a tight loop\nsecond warning");
    assertThat(warned.get("severity").asText()).isEqualTo("SHOULD");
    assertThat(warned.get("declaredSeverity").asText()).isEqualTo("SHOULD");
    assertThat(warned.get("rule").asText()).isEqualTo("-");
  }

  @Test
  void infoIsItsOwnStatusAndCountAndTheSeverityIsTheDecidingOne() throws Exception {
    JsonNode root = json(Fixtures.signal());
    assertThat(root.at("/summary/info").asInt()).isEqualTo(1);
    assertThat(root.at("/summary/warned").asInt()).isEqualTo(1);
    assertThat(root.at("/summary/passed").asInt()).isEqualTo(1);
    JsonNode info = root.at("/checks/0");
    assertThat(info.get("id").asText()).isEqualTo("http.h2-offered");
    assertThat(info.get("status").asText()).isEqualTo("info");
    assertThat(info.get("message").asText()).startsWith("plain http means HTTP/1.1");
    assertThat(root.at("/checks/1/id").asText()).isEqualTo("http.status-200");
    JsonNode warned = root.at("/checks/2");
    assertThat(warned.get("id").asText()).isEqualTo("reconnect.resume-after-last-event-id");
    assertThat(warned.get("status").asText()).isEqualTo("warned");
    assertThat(warned.get("severity").asText()).isEqualTo("SHOULD");
    assertThat(warned.get("declaredSeverity").asText()).isEqualTo("MUST");
    assertThat(warned.get("message").asText()).isEqualTo("the witness comparison did not apply: 2 reused ids");
  }

  @Test
  void errorsOfTheSuiteAppearOnlyWhenThereAreAny() throws Exception {
    assertThat(json(Fixtures.mixed()).has("errors")).isFalse();

    RunReport withProblem = new RunReport(RunReport.TOOL_NAME, "1", "http://h/", "http://h/publish", Fixtures.STARTED, 1,
        List.of(Fixtures.passed()), List.of(new RunReport.Problem("FramingChecks", "cannot open the recording")));
    JsonNode root = json(withProblem);
    assertThat(root.at("/target/publishUrl").asText()).isEqualTo("http://h/publish");
    assertThat(root.at("/errors/0/source").asText()).isEqualTo("FramingChecks");
    assertThat(root.at("/errors/0/message").asText()).isEqualTo("cannot open the recording");
  }

  @Test
  void anyTextIsWrittenAsValidJsonEvenControlsAndLoneSurrogates() throws Exception {
    CheckResult odd = new CheckResult("data.odd", null, null, CheckResult.Status.FAILED, "nul \0 esc \u001B lone \uD800 end",
        List.of("pair \uD83D\uDE00 ok"), List.of(), null, null, null, 0);
    JsonNode c = json(Fixtures.report(odd)).at("/checks/0");
    assertThat(c.get("message").asText()).isEqualTo("nul \0 esc \u001B lone \uFFFD end");
    assertThat(c.get("evidence").asText()).isEqualTo("pair \uD83D\uDE00 ok");
    assertThat(c.get("category").asText()).isEqualTo("data");
    assertThat(c.get("severity").isNull()).isTrue();
  }

  @Test
  void writesConformanceJsonIntoTheReportDirectory(@TempDir Path dir) throws Exception {
    Path file = new JsonReportWriter().writeTo(Fixtures.mixed(), dir.resolve("nested/reports"));
    assertThat(file).isEqualTo(dir.resolve("nested/reports/conformance.json"));
    assertThat(MAPPER.readTree(Files.readAllBytes(file)).get("checks")).hasSize(4);
  }
}
