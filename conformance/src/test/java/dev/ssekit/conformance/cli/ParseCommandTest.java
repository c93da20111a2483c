package dev.ssekit.conformance.cli;

import dev.ssekit.conformance.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code parse FILE|-}: JSON lines in stream order, exit codes, limits. */
class ParseCommandTest {


  @Test
  void printsEventsAndRetriesAsJsonLinesInStreamOrder(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("stream.txt");
    Files.write(f, "retry: 1500\n\nid: 7\nevent: up\ndata: a\ndata: \"b\"\n\n: comment\ndata: \u20ac\0\n\ndata: dropped".getBytes(StandardCharsets.UTF_8));
    CliRun r = CliRun.of("parse", f.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out().split("\n")).containsExactly(
        "{\"retry\":1500}",
        "{\"type\":\"up\",\"data\":\"a\\n\\\"b\\\"\",\"lastEventId\":\"7\"}",
        "{\"type\":\"message\",\"data\":\"\u20ac\\u0000\",\"lastEventId\":\"7\"}");
  }

  @Test
  void lastEventIdCarriesOver(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s");
    Files.writeString(f, "data: x\n\n");
    assertThat(CliRun.of("parse", "--last-event-id", "41", f.toString()).out()).contains("\"lastEventId\":\"41\"");
  }

  @Test
  void aMissingFileIsExit2WithAReason() {
    CliRun r = CliRun.of("parse", "/no/such/file");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("no such file: /no/such/file").doesNotContain("Exception");
  }

  @Test
  void aLimitIsExit1AfterPrintingWhatCameBefore(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("endless");
    Files.writeString(f, "data: ok\n\ndata: " + "x".repeat(10_000));
    CliRun r = CliRun.of("parse", "--max-line-chars", "100", f.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).contains("\"data\":\"ok\"");
    assertThat(r.err()).contains("a line longer than 100 characters");
  }

  @Test
  void noCommandIsAUsageError() {
    CliRun r = CliRun.of();
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("parse");
  }
}
