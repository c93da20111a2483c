package dev.ssekit.load.e2e;

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
 * The README's promise, through the real launcher once the jars are packaged: {@code ./ssekit
 * load} with no {@code --url} starts the embedded reference server, runs a short fanout against
 * it and writes its report.
 */
class LauncherIT {
  @TempDir Path tmp;

  @Test
  void loadWithoutAUrlRunsAgainstTheEmbeddedReferenceServer() throws Exception {
    Path launcher = Path.of(System.getProperty("ssekit.launcher", "../ssekit")).toAbsolutePath().normalize();
    Path reports = tmp.resolve("load");
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p = new ProcessBuilder("bash", launcher.toString(), "load",
        "--connections", "20", "--ramp", "0s", "--hold", "2s", "--report-dir", reports.toString())
        .directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      fail("./ssekit load did not finish in 180 s:\n" + Files.readString(err, StandardCharsets.UTF_8));
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(stdout + stderr).isZero();
    assertThat(stderr).contains("against the embedded reference server at http://127.0.0.1:");
    assertThat(stdout).contains("ssekit load: fanout against http://127.0.0.1:").contains("OK: nothing lost or duplicated");

    JsonNode c = new ObjectMapper().readTree(Files.readString(reports.resolve("capacity.json")));
    assertThat(c.at("/connections/opened").asLong()).isEqualTo(20);
    assertThat(c.at("/target/publishUrl").asText()).as("it published through the embedded server").endsWith("/publish");
    assertThat(c.at("/events/delivered").asLong()).isPositive();
    assertThat(c.at("/events/lost").asLong()).isZero();
    assertThat(c.at("/server/rssBytesBaseline").asLong()).as("the launcher passed the server's pid").isPositive();
    assertThat(reports.resolve("capacity.html")).exists();
    assertThat(reports.resolve("histograms.json")).exists();
  }
}
