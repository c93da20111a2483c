package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load guide's (docs/load.md) {@code mvn gatling:test} block, run as written (issue 14): the build is not in the
 * background with the server (it raced {@code gatling:test}), the server answers before the load
 * test starts, the run passes, and its {@code capacity.html} links Gatling's report of the same
 * run. Only what a test must change is changed: a free port instead of 8080, small steps and short
 * holds, and the report directory.
 */
class ReadmeMavenRouteIT {
  @TempDir Path tmp;

  static Path root() {
    return Path.of(System.getProperty("ssekit.launcher", "../ssekit")).toAbsolutePath().normalize().getParent();
  }

  static String block(String readme) {
    Matcher m = Pattern.compile("## With Maven: `mvn gatling:test`.*?```sh\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("the load guide's Maven block").isTrue();
    return m.group(1);
  }

  @Test
  void theReadmesMavenBlockBuildsInTheForegroundWaitsForTheServerAndLinksGatlingsReport() throws Exception {
    Path root = root();
    String block = block(Files.readString(root.resolve("docs/load.md"), StandardCharsets.UTF_8));

    // Shape: only the server goes to the background, and the load test waits for it to answer.
    List<String> lines = block.lines().map(l -> l.replaceAll("\\s+#.*$", "").strip()).toList();
    Pattern background = Pattern.compile("(?<!&)&(?!&)");
    for (String l : lines) {
      if (background.matcher(l).find()) {
        assertThat(l).as("the one line sent to the background").startsWith("java -jar ").doesNotContain("mvn")
            .doesNotContain("&&");
      }
    }
    int build = indexOf(lines, "mvn -B -q -pl reference-server -am package");
    int server = indexOf(lines, "java -jar reference-server/target/sse-reference-server.jar");
    int wait = indexOf(lines, "until curl -sf http://127.0.0.1:8080/healthz");
    int load = indexOf(lines, "mvn -pl loadtest -am test-compile gatling:test");
    assertThat(build).isLessThan(server);
    assertThat(server).isLessThan(wait);
    assertThat(wait).isLessThan(load);

    // Run it.
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path reports = tmp.resolve("load-maven");
    String script = block
        .replace("sse-reference-server.jar &", "sse-reference-server.jar --port " + port + " &")
        .replace("127.0.0.1:8080", "127.0.0.1:" + port)
        .replace("-Dssekit.load.steps=500,1000,2000",
            "-Dssekit.load.steps=20,40 -Dssekit.load.ramp=1s -Dssekit.load.hold=2s")
        .replace("$PWD/reports/load-maven", reports.toString());
    assertThat(script).doesNotContain("8080").contains("--port " + port).contains("steps=20,40");
    // The harness's own lines: stop at the first failure, and never leave the server behind.
    script = "set -euo pipefail\ntrap 'kill $server 2>/dev/null || true' EXIT\n" + script;
    Path file = Files.writeString(tmp.resolve("readme-maven.sh"), script);
    Path out = tmp.resolve("out.txt");
    Process p = new ProcessBuilder("bash", file.toString()).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
      fail("the load guide's Maven block did not finish in 300 s:\n" + Files.readString(out));
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("ssekit load: capacity against http://127.0.0.1:" + port + "/events")
        .contains("OK: nothing lost or duplicated");

    JsonNode c = new ObjectMapper().readTree(reports.resolve("capacity.json").toFile());
    assertThat(c.at("/connections/opened").asLong()).isEqualTo(40);
    assertThat(c.at("/connections/failed").asLong()).as("the server was up before the load test").isZero();
    String html = Files.readString(reports.resolve("capacity.html"), StandardCharsets.UTF_8);
    Matcher link = Pattern.compile("Gatling(?:'|&#39;)s own report[^<]*<a href=\"([^\"]+)\"").matcher(html);
    assertThat(link.find()).as("capacity.html links Gatling's report").isTrue();
    assertThat(link.group(1)).contains("capacitysimulation-").endsWith("/index.html");
    Path gatling = reports.resolve(link.group(1)).normalize();
    assertThat(gatling).as("the link resolves to this run's Gatling report").isRegularFile();
    assertThat(output).contains(gatling.getParent().getFileName().toString());
  }

  private static int indexOf(List<String> lines, String start) {
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(start)) return i;
    throw new AssertionError("no line starting with '" + start + "' in the load guide's block: " + lines);
  }
}
