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
  void eachEngineReadsTheSameBytesItsOwnWayAndSaysWhere(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("stream.txt");
    Files.write(f, "\uFEFF\nid: 5\n\ndata: a\0b\n\n".getBytes(StandardCharsets.UTF_8));
    assertThat(CliRun.of("parse", f.toString()).out().split("\n")).containsExactly(
        "{\"type\":\"message\",\"data\":\"a\\u0000b\",\"lastEventId\":\"5\"}");
    assertThat(CliRun.of("parse", "--engine", "spec", f.toString()).out().split("\n")).containsExactly(
        "{\"type\":\"message\",\"data\":\"a\\u0000b\",\"lastEventId\":\"5\"}");
    // Chromium: the LF after the BOM is not a line end, so "id: 5" is lost.
    assertThat(CliRun.of("parse", "--engine", "chromium", f.toString()).out().split("\n")).containsExactly(
        "{\"departure\":\"a BOM directly followed by LF: Chromium loses the next line (the standard reads that LF as an"
            + " empty first line)\",\"byte\":3}",
        "{\"type\":\"message\",\"data\":\"a\\u0000b\",\"lastEventId\":\"\"}");
    // Firefox: the id-only block sets nothing, and the NUL in data is dropped.
    String[] firefox = CliRun.of("parse", "--engine", "FIREFOX", f.toString()).out().split("\n");
    assertThat(firefox).hasSize(3);
    assertThat(firefox[0]).startsWith("{\"departure\":\"a block with an id (\\\"5\\\") but no data").endsWith("\"byte\":9}");
    assertThat(firefox[1]).startsWith("{\"departure\":\"a NUL inside the value of field \\\"data\\\"").endsWith("\"byte\":18}");
    assertThat(firefox[2]).isEqualTo("{\"type\":\"message\",\"data\":\"ab\",\"lastEventId\":\"\"}");
  }

  @Test
  void anUnknownEngineIsExit2() {
    CliRun r = CliRun.of("parse", "--engine", "webkit", "-");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--engine takes spec, chromium or firefox, not 'webkit'");
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
