package dev.ssekit.conformance.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.report.CheckResult.Status;
import dev.ssekit.conformance.config.Target;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.w3c.dom.Document;

/**
 * Real checks through the real Launcher, in parallel, into all the listeners and writers: what the
 * CLI does. {@link SampleChecks} pass, fail, warn, abort, are disabled, crash, and one class cannot
 * start; no server is needed.
 */
class ReportPipelineTest {

  private static ResultCollector collector;
  private static StringWriter console;
  private static RunReport report;

  @BeforeAll
  static void runSampleChecks() {
    console = new StringWriter();
    ConsoleReporter reporter = new ConsoleReporter(new PrintWriter(console), false);
    collector = new ResultCollector(reporter);
    // Only our listeners: nothing the classpath registers (session listeners, reporting) joins in.
    Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
        .enableTestExecutionListenerAutoRegistration(false)
        .enableLauncherSessionListenerAutoRegistration(false)
        .enableLauncherDiscoveryListenerAutoRegistration(false)
        .enablePostDiscoveryFilterAutoRegistration(false)
        .build());
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(SampleChecks.class), selectClass(SampleChecks.Broken.class))
        .enableImplicitConfigurationParameters(false)
        .configurationParameter(SampleChecks.ENABLE, "true")
        .configurationParameter(Target.URL, "http://127.0.0.1:9/events")
        .configurationParameter(Target.PROFILE, "standard")
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .build();
    Instant started = Instant.now();
    launcher.execute(request, collector);
    report = collector.report("test", "http://127.0.0.1:9/events", null, started, 42);
  }

  private static Map<String, CheckResult> byId() {
    return report.checks().stream().collect(Collectors.toMap(CheckResult::id, Function.identity()));
  }

  @Test
  void everyOutcomeMapsToItsStatus() {
    Map<String, CheckResult> checks = byId();
    assertThat(checks.keySet()).containsExactlyInAnyOrder("http.sample-pass", "framing.sample-fail",
        "retry.sample-warn", "reconnect.sample-below", "http.sample-info", "id.sample-abort", "lifecycle.sample-full-only", "delivery.sample-publish",
        "data.sample-crash", "event.sample-never-runs");

    CheckResult pass = checks.get("http.sample-pass");
    assertThat(pass.status()).isEqualTo(Status.PASSED);
    assertThat(pass.evidence()).containsExactly("status line: \"HTTP/1.1 200 OK\\r\\n\"");
    assertThat(pass.notes()).containsExactly("headers after 3 ms");
    assertThat(pass.rule()).isEqualTo("H-01");

    CheckResult fail = checks.get("framing.sample-fail");
    assertThat(fail.status()).isEqualTo(Status.FAILED);
    assertThat(fail.message()).isEqualTo("the last event was never terminated by a blank line");
    assertThat(fail.severity()).isEqualTo(Severity.MUST);
    assertThat(fail.evidence()).containsExactly("body: \"<script>alert(1)</script>\\n\"");

    CheckResult warn = checks.get("retry.sample-warn");
    assertThat(warn.status()).isEqualTo(Status.WARNED);
    assertThat(warn.severity()).isEqualTo(Severity.SHOULD);
    assertThat(warn.message()).isEqualTo("retry: 0 makes clients reconnect in a tight loop");

    assertThat(checks.get("reconnect.sample-below")).extracting(CheckResult::status, CheckResult::severity,
        CheckResult::declaredSeverity, CheckResult::message)
        .containsExactly(Status.WARNED, Severity.SHOULD, Severity.MUST, "the witness comparison did not apply: 2 reused ids");
    assertThat(checks.get("http.sample-info")).extracting(CheckResult::status, CheckResult::message)
        .containsExactly(Status.INFO, "plain http means HTTP/1.1: a browser allows six connections per origin");

    assertThat(checks.get("id.sample-abort")).extracting(CheckResult::status, CheckResult::message)
        .containsExactly(Status.SKIPPED, "no ids seen in the stream");
    assertThat(checks.get("lifecycle.sample-full-only")).extracting(CheckResult::status, CheckResult::message,
        CheckResult::severity, CheckResult::summary)
        .containsExactly(Status.SKIPPED, "runs in the full profile", Severity.SHOULD, "Keeps streams open past 100 s");
    assertThat(checks.get("delivery.sample-publish")).extracting(CheckResult::status, CheckResult::message)
        .containsExactly(Status.SKIPPED, "needs a publish URL (--publish-url)");
    assertThat(checks.get("data.sample-crash")).extracting(CheckResult::status, CheckResult::message)
        .containsExactly(Status.FAILED,
            "java.lang.IllegalStateException: unexpected (caused by java.io.IOException: connection reset)");
    assertThat(checks.get("event.sample-never-runs").status()).isEqualTo(Status.SKIPPED);
    assertThat(checks.get("event.sample-never-runs").message())
        .isEqualTo("not run: SampleChecks$Broken failed: java.lang.IllegalStateException: cannot open the shared recording");
  }

  @Test
  void theVerdictAndInternalErrorsAreExposedForTheCli() {
    assertThat(report.summary()).isEqualTo(new RunReport.Summary(1, 2, 2, 4, 1));
    assertThat(collector.exitStatus()).isEqualTo(1);
    assertThat(collector.anyCheckRan()).isTrue();
    assertThat(collector.anyContainerFailed()).isTrue();
    assertThat(report.problems()).containsExactly(
        new RunReport.Problem("SampleChecks$Broken", "java.lang.IllegalStateException: cannot open the shared recording"));
    assertThat(report.checks()).extracting(CheckResult::category)
        .containsExactly("http", "http", "framing", "data", "event", "id", "retry", "reconnect", "delivery", "lifecycle");
  }

  @Test
  void theConsoleShowedEachCheckOnceAsItFinished() {
    List<String> lines = console.toString().lines().toList();
    assertThat(lines).hasSize(11).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100)).contains(
        "WARN  reconnect.sample-below  the witness comparison did not apply: 2 reused ids",
        "INFO  http.sample-info  plain http means HTTP/1.1: a browser allows six connections per origin",
        "PASS  http.sample-pass  Answers 200 OK",
        "FAIL  framing.sample-fail  the last event was never terminated by a blank line",
        "WARN  retry.sample-warn  retry: 0 makes clients reconnect in a tight loop",
        "SKIP  id.sample-abort  no ids seen in the stream",
        "SKIP  lifecycle.sample-full-only  runs in the full profile",
        "SKIP  delivery.sample-publish  needs a publish URL (--publish-url)",
        "FAIL  data.sample-crash  java.lang.IllegalStateException: unexpected (caused by java.io.IOException…",
        "SKIP  event.sample-never-runs  not run: SampleChecks$Broken failed: java.lang.IllegalStateException…",
        "ERROR  SampleChecks$Broken: java.lang.IllegalStateException: cannot open the shared recording");
    // The class's own check is reported skipped before the class's error: JUnit ends children first.
    assertThat(lines.indexOf("ERROR  SampleChecks$Broken: java.lang.IllegalStateException: cannot open the shared recording"))
        .isGreaterThan(lines.stream().filter(l -> l.contains("event.sample-never-runs")).findFirst().map(lines::indexOf).orElseThrow());
  }

  @Test
  void allThreeReportsAgreeWithTheRun(@TempDir Path dir) throws Exception {
    for (ReportWriter w : ReportWriter.standard()) w.writeTo(report, dir);

    JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("conformance.json")));
    assertThat(json.at("/summary/failed").asInt()).isEqualTo(2);
    assertThat(json.at("/summary/skipped").asInt()).isEqualTo(4);
    assertThat(json.get("checks")).hasSize(10);
    assertThat(json.at("/summary/info").asInt()).isEqualTo(1);
    assertThat(json.at("/summary/warned").asInt()).isEqualTo(2);
    for (JsonNode c : json.get("checks")) {
      if (c.get("id").asText().equals("reconnect.sample-below")) {
        assertThat(c.get("severity").asText()).isEqualTo("SHOULD");
        assertThat(c.get("declaredSeverity").asText()).isEqualTo("MUST");
        assertThat(c.get("status").asText()).isEqualTo("warned");
      }
      if (c.get("id").asText().equals("http.sample-info")) assertThat(c.get("status").asText()).isEqualTo("info");
    }
    assertThat(json.at("/errors/0/source").asText()).isEqualTo("SampleChecks$Broken");

    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
    assertThat(xml.getElementsByTagName("failure").getLength()).isEqualTo(2);
    assertThat(xml.getElementsByTagName("skipped").getLength()).isEqualTo(4);
    assertThat(xml.getElementsByTagName("error").getLength()).isEqualTo(1);

    assertThat(JunitXmlWriterTest.systemOut(JunitXmlWriterTest.testcase(xml, "reconnect.sample-below")))
        .startsWith("reconnect.sample-below (SHOULD, declared MUST): Resumes after Last-Event-ID\n")
        .contains("WARNING: the witness comparison did not apply: 2 reused ids\n");
    assertThat(JunitXmlWriterTest.systemOut(JunitXmlWriterTest.testcase(xml, "http.sample-info")))
        .contains("INFO: plain http means HTTP/1.1");

    String html = Files.readString(dir.resolve("conformance.html"));
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
    assertThat(html).contains("<span class=\"sev\">SHOULD (declared MUST)</span>", "<h2>Advisories (1)</h2>");

    // No report repeats the [SEVERITY id] prefix: the id and severity are fields.
    for (String file : List.of("conformance.json", "junit.xml", "conformance.html")) {
      assertThat(Files.readString(dir.resolve(file))).as(file)
          .doesNotContain("[MUST ").doesNotContain("[SHOULD ").doesNotContain("[MAY ");
    }
    assertThat(console.toString()).doesNotContain("[MUST ").doesNotContain("[SHOULD ");
  }
}
