package dev.ssekit.conformance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, through the real launcher once the jars are packaged: {@code
 * ./ssekit check} with no {@code --url} starts the embedded reference server, hands the suite its
 * stream, publish and metrics URLs and its pid, and passes.
 */
class LauncherIT {
  @TempDir Path tmp;

  @Test
  void checkWithoutAUrlChecksTheEmbeddedReferenceServerAndPasses() throws Exception {
    Path launcher = Path.of(System.getProperty("ssekit.launcher", "../ssekit")).toAbsolutePath().normalize();
    Path reports = tmp.resolve("check");
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p = new ProcessBuilder("bash", launcher.toString(), "check", "--no-color", "--report-dir", reports.toString())
        .directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      fail("./ssekit check did not finish in 240 s:\n" + Files.readString(err, StandardCharsets.UTF_8));
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stdout + stderr).isZero();
    assertThat(stderr).contains("against the embedded reference server at http://127.0.0.1:");

    JsonNode report = new ObjectMapper().readTree(Files.readString(reports.resolve("conformance.json")));
    assertThat(report.at("/summary/failed").asInt()).isZero();
    assertThat(report.at("/target/publishUrl").asText()).endsWith("/publish");
    assertThat(report.at("/summary/passed").asInt()).isGreaterThan(30);
    // The launcher gave the suite both the pid and the metrics URL: both gauges were read.
    String junit = Files.readString(reports.resolve("junit.xml"), StandardCharsets.UTF_8);
    assertThat(junit).contains("sse_connections_open (at http://127.0.0.1:").contains("sockets: ");
    assertThat(reports.resolve("conformance.html")).exists();
  }
}
