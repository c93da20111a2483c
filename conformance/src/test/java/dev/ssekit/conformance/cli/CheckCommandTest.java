package dev.ssekit.conformance.cli;

import dev.ssekit.conformance.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The check command end to end: exit status, the three reports, and their agreement. */
class CheckCommandTest {

  private static ReferenceServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    server = ReferenceServerProcess.start("--tick", "500ms");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void aConformingServerExitsZeroAndTheReportsAgree(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/events"), "--publish-url", server.url("/publish"),
        "--profile", "quick", "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("PASS  http.status-200").contains("0 failed");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
    assertThat(json.at("/summary/failed").asInt()).isZero();
    assertThat(json.at("/target/url").asText()).isEqualTo(server.url("/events"));
    assertThat(json.get("checks").size()).isGreaterThanOrEqualTo(40);
    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
    assertThat(xml.getElementsByTagName("failure").getLength()).isZero();
    assertThat(Files.readString(dir.resolve("conformance.html"))).contains("http.status-200");

    // How the run was made (issue 14): a quick report says it is one, and what it left out.
    JsonNode run = json.get("run");
    assertThat(run.get("profile").asText()).isEqualTo("quick");
    assertThat(run.get("strict").asBoolean()).isFalse();
    assertThat(run.get("window").asText()).isEqualTo("3s");
    assertThat(run.get("windowMs").asLong()).isEqualTo(3000);
    assertThat(run.get("windowFrom").asText()).isEqualTo("profile");
    assertThat(run.get("browser").isNull()).isTrue();
    assertThat(run.get("options").toString()).isEqualTo("[\"--url\",\"" + server.url("/events") + "\",\"--publish-url\",\""
        + server.url("/publish") + "\",\"--profile\",\"quick\",\"--report-dir\",\"" + dir + "\",\"--no-color\"]");
    long leftOut = 0;
    for (JsonNode c : json.get("checks")) if (c.get("message").asText().matches("runs in the (standard|full) profile")) leftOut++;
    assertThat(leftOut).as("a quick run leaves checks to larger profiles").isPositive();
    String html = Files.readString(dir.resolve("conformance.html"));
    assertThat(html).contains("<title>SSE conformance (quick):")
        .contains("<span class=\"profile quick\">quick profile</span>")
        .contains("<strong>" + leftOut + " checks did not run</strong>")
        .contains("<dt>Window</dt><dd>3s (the quick profile&#39;s)")
        .contains("<dt>Strict</dt><dd>no:");
    assertThat(r.out()).contains("(profile quick, 3s window, publish ")
        .contains("profile quick, 3s window; " + leftOut + " checks of larger profiles not run");
    Document props = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
    assertThat(property(props, "run.profile")).isEqualTo("quick");
    assertThat(property(props, "run.window")).isEqualTo("3s");
  }

  private static String property(Document xml, String name) {
    var list = xml.getElementsByTagName("property");
    for (int i = 0; i < list.getLength(); i++) {
      var e = (org.w3c.dom.Element) list.item(i);
      if (e.getAttribute("name").equals(name)) return e.getAttribute("value");
    }
    return null;
  }

  @Test
  void withTheServerPidAndMetricsTheLifecycleCheckCountsSocketsAndStreams(@TempDir Path dir) throws Exception {
    // Strict: the reference server has nothing to warn about, and the plain-http advisory (info)
    // never fails a run.
    CliRun r = CliRun.of("--url", server.url("/events"), "--profile", "standard", "--strict",
        "--server-pid", Long.toString(server.pid()), "--metrics-url", server.url("/metrics"),
        "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).as(r.out()).contains("\nPASSED\n").contains(" 0 failed, 0 warned, ")
        .contains("INFO  http.h2-offered");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
    assertThat(json.at("/summary/info").asInt()).as(r.out()).isGreaterThanOrEqualTo(1);
    for (JsonNode c : json.get("checks")) {
      if (c.get("id").asText().equals("http.h2-offered")) assertThat(c.get("status").asText()).isEqualTo("info");
    }
    JsonNode lifecycle = null;
    for (JsonNode c : json.get("checks")) if (c.get("id").asText().equals("lifecycle.abandoned-streams-released")) lifecycle = c;
    assertThat(lifecycle).isNotNull();
    assertThat(lifecycle.get("status").asText()).isEqualTo("passed");
    assertThat(lifecycle.toString()).contains("server sockets:").contains("streams held")
        .contains("sse_connections_open (at " + server.url("/metrics") + "):");
    assertThat(json.at("/run/profile").asText()).isEqualTo("standard");
    assertThat(json.at("/run/strict").asBoolean()).isTrue();
    assertThat(json.at("/run/window").asText()).isEqualTo("5s");
    assertThat(Files.readString(dir.resolve("conformance.html"))).contains("standard profile</span>")
        .contains("<dt>Strict</dt><dd>yes: SHOULD violations fail");
  }

  @Test
  void headerValuesAreLeftOutOfTheRecordedCommandLine() {
    assertThat(dev.ssekit.conformance.cli.ConformanceMain.commandLine(java.util.List.of("--url", "http://h/e", "--header",
        "Authorization: Bearer secret", "--publish-header=X-Token: t0k", "--window", "2s")))
        .containsExactly("--url", "http://h/e", "--header", "Authorization: …", "--publish-header=X-Token: …", "--window", "2s");
  }

  @Test
  void aFaultyServerExitsOneWithTheFailureInEveryReport(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("--url", server.url("/scenarios/status-500"), "--profile", "quick",
        "--report-dir", dir.toString(), "--no-color");
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL  http.status-200").doesNotContain("Exception");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("conformance.json").toFile());
    assertThat(json.at("/summary/failed").asInt()).isPositive();
    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("junit.xml").toFile());
    assertThat(xml.getElementsByTagName("failure").getLength()).isEqualTo(json.at("/summary/failed").asInt());
  }

  @Test
  void badUsageExitsTwoWithAReason() {
    CliRun noUrl = CliRun.of("--profile", "quick");
    assertThat(noUrl.status()).isEqualTo(2);
    assertThat(noUrl.err()).contains("--url");
    CliRun badProfile = CliRun.of("--url", "http://127.0.0.1:1/events", "--profile", "huge");
    assertThat(badProfile.status()).isEqualTo(2);
    assertThat(badProfile.err()).contains("quick, standard or full");
    CliRun badUrl = CliRun.of("--url", "ftp://example/events");
    assertThat(badUrl.status()).isEqualTo(2);
    assertThat(badUrl.err()).contains("http or https");
  }
}
