package dev.ssekit.conformance.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.protocol.Engine;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code lifecycle.browser-engines-agree} without a browser: recorded bytes read by the standard and
 * by the engines asked for; the Firefox session's values and proxy hosts; the types the view
 * listens for in Firefox.
 */
class EngineAgreementTest {

  static Recording recording(String contentType, Recording.End end, String... writes) {
    List<Recording.Chunk> chunks = new java.util.ArrayList<>();
    for (int i = 0; i < writes.length; i++) {
      chunks.add(new Recording.Chunk(Duration.ofMillis(10L * i), writes[i].getBytes(StandardCharsets.UTF_8)));
    }
    return new Recording(URI.create("http://x/s"), URI.create("http://x/s"), 200, "HTTP/1.1",
        List.of(new Recording.Header("Content-Type", contentType)), Duration.ZERO, chunks, chunks, end, null, null,
        Duration.ofMillis(100), true);
  }

  static CheckResult judge(Recording r, List<Engine> engines) {
    return EngineAgreement.judge(r, null, engines, List.of(), System.currentTimeMillis());
  }

  @Test
  void aStreamEveryEngineReadsAlikePasses() {
    Recording r = recording("text/event-stream", Recording.End.EOF, "id: 1\ndata: a\n\n", "data: b\n\n");
    CheckResult c = judge(r, Engine.browsers());
    assertThat(c.status()).isEqualTo(CheckResult.Status.PASSED);
    assertThat(c.notes()).contains("2 events read alike by Chromium, Firefox and the standard");
  }

  @Test
  void aNulInDataFailsNamingFirefoxTheEventAndTheByte() {
    Recording r = recording("text/event-stream", Recording.End.WINDOW, "data: x\n\n", "data: a\0b\n\n");
    CheckResult c = judge(r, Engine.browsers());
    assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED);
    assertThat(c.message()).isEqualTo("connection 1: Firefox reads event 2 as {type \"message\", data \"ab\", lastEventId \"\"}"
        + " where the standard reads {type \"message\", data \"a\\x00b\", lastEventId \"\"}; the cause: a NUL inside the"
        + " value of field \"data\", which Firefox drops (the standard keeps it), at byte 16 in the line \"data: a\\x00b\\n\"");
    // Asked about Chromium alone, the same bytes agree: Chromium keeps the NUL as the standard does.
    assertThat(judge(r, List.of(Engine.CHROMIUM)).status()).isEqualTo(CheckResult.Status.PASSED);
  }

  @Test
  void aTrailingIdOnlyBlockChangesWhereFirefoxResumes() {
    // No event differs, but after the end Firefox reconnects without the id the standard sends.
    Recording r = recording("text/event-stream", Recording.End.EOF, "data: a\n\nid: 9\n\n");
    CheckResult c = judge(r, List.of(Engine.FIREFOX));
    assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED);
    assertThat(c.message()).startsWith("connection 1: after the server ended the stream, Firefox reconnects with no"
        + " Last-Event-ID where the standard sends \"9\", so it resumes from another position; the cause: a block with an"
        + " id (\"9\") but no data").contains("in the line \"id: 9\\n\"");
    // While the stream is open nothing is resumed yet: the departure is a note, not a failure.
    Recording open = recording("text/event-stream", Recording.End.WINDOW, "data: a\n\nid: 9\n\n");
    CheckResult o = judge(open, List.of(Engine.FIREFOX));
    assertThat(o.status()).isEqualTo(CheckResult.Status.PASSED);
    assertThat(String.join("\n", o.notes())).contains("Firefox (no event changed): a block with an id");
  }

  @Test
  void chromiumsCharsetRefusalLosesEveryEvent() {
    Recording r = recording("text/event-stream; charset=iso-8859-1", Recording.End.WINDOW, "data: a\n\n");
    CheckResult c = judge(r, Engine.browsers());
    assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED);
    assertThat(c.message()).contains("Chromium fails a response whose charset (iso-8859-1) is not UTF-8")
        .contains("so its users get none of the 1 events the standard reads");
    assertThat(judge(r, List.of(Engine.FIREFOX)).status()).isEqualTo(CheckResult.Status.PASSED);
  }

  @Test
  void aSafetyLimitIsNotAnEngineDifference() {
    // A comment longer than the line limit stops every reader at the same line.
    String huge = ":" + "c".repeat((1 << 20) + 10) + "\n";
    Recording r = recording("text/event-stream", Recording.End.EOF, "data: a\n\n", huge, "data: b\n\n");
    CheckResult c = judge(r, Engine.browsers());
    assertThat(c.status()).as(String.valueOf(c.message())).isEqualTo(CheckResult.Status.PASSED);
    assertThat(String.join("\n", c.notes())).contains("a safety limit stopped reading");
  }

  @Test
  void aDifferenceBeforeASafetyLimitIsStillFound() {
    // Firefox loses "B" (the line after an id with a NUL); then a line past the limit stops every reader.
    String huge = "data: " + "x".repeat((1 << 20) + 10) + "\n";
    Recording r = recording("text/event-stream", Recording.End.EOF, "data: A\n\nid: a\0b\ndata: B\n\n", huge);
    CheckResult c = judge(r, List.of(Engine.FIREFOX));
    assertThat(c.status()).isEqualTo(CheckResult.Status.FAILED);
    assertThat(c.message()).contains("Firefox dispatches 1 events where the standard dispatches 2: it loses event 2");
  }

  @Test
  void aBrokenConnectionResumesLikeAnEndedOne() {
    Recording r = recording("text/event-stream", Recording.End.ERROR, "data: a\n\nid: 9\n\n");
    assertThat(judge(r, List.of(Engine.FIREFOX)).message()).contains("Firefox reconnects with no Last-Event-ID");
  }

  /** A recording whose head came after 10 ms and whose body came in {@code writes} at the given times. */
  static Recording timed(long[] atMs, long durationMs, String... writes) {
    List<Recording.Chunk> chunks = new java.util.ArrayList<>();
    for (int i = 0; i < writes.length; i++) {
      chunks.add(new Recording.Chunk(Duration.ofMillis(atMs[i]), writes[i].getBytes(StandardCharsets.UTF_8)));
    }
    return new Recording(URI.create("http://x/s"), URI.create("http://x/s"), 200, "HTTP/1.1",
        List.of(new Recording.Header("Content-Type", "text/event-stream")), Duration.ofMillis(10), chunks, chunks,
        Recording.End.WINDOW, null, null, Duration.ofMillis(durationMs), true);
  }

  @Test
  void aServerThatHoldsItsFirstByteWarnsForFirefoxOnly() {
    Recording late = timed(new long[] {2600}, 5000, "data: a\n\n");
    CheckResult c = judge(late, Engine.browsers());
    assertThat(c.status()).isEqualTo(CheckResult.Status.WARNED);
    assertThat(c.severity()).isEqualTo(dev.ssekit.conformance.checks.Severity.SHOULD);
    assertThat(c.message()).startsWith("Firefox fires open only when the first body byte arrives, and this server sent"
        + " its first body byte 2590 ms after its response head").endsWith("send a comment line (\":\\n\") right after the head");
    assertThat(EngineAgreement.judge(late, null, Engine.browsers(), List.of(), true, 0).status())
        .as("strict").isEqualTo(CheckResult.Status.FAILED);
    assertThat(judge(late, List.of(Engine.CHROMIUM)).status()).isEqualTo(CheckResult.Status.PASSED);
    // Nothing at all in the window, and a first byte within 2 s.
    assertThat(judge(timed(new long[] {}, 5000), List.of(Engine.FIREFOX)).message())
        .contains("sent no body byte in the 4990 ms after its response head");
    assertThat(judge(timed(new long[] {1500}, 5000, ":\n"), List.of(Engine.FIREFOX)).status())
        .isEqualTo(CheckResult.Status.PASSED);
  }

  @Test
  void notAnEventStreamIsSkipped() {
    Recording r = recording("text/html", Recording.End.EOF, "<p>hi</p>");
    assertThat(judge(r, Engine.browsers()).status()).isEqualTo(CheckResult.Status.SKIPPED);
  }

  @Test
  void theViewListensForTheTypesFirefoxMakesOfNulBearingNames() {
    assertThat(BrowserView.withEngineVariants(Set.of("a\0b", "\0c\0d", "plain"), Engine.FIREFOX))
        .containsExactlyInAnyOrder("a\0b", "ab", "\0c\0d", "cd", "\0cd", "plain");
    assertThat(BrowserView.withEngineVariants(Set.of("a\0b"), Engine.CHROMIUM)).containsExactly("a\0b");
  }

  @Test
  void bidiValuesRoundTripAsWebDriverClassicReturnsThem() throws Exception {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("n", 3L);
    map.put("list", List.of("x", true));
    var local = Bidi.local(List.of(map, 1.5, "s"));
    assertThat(local.get("type").asText()).isEqualTo("array");
    // What Firefox returns for the same value: the RemoteValue form.
    String remote = "{\"type\":\"array\",\"value\":[{\"type\":\"object\",\"value\":[[\"n\",{\"type\":\"number\",\"value\":3}],"
        + "[\"list\",{\"type\":\"array\",\"value\":[{\"type\":\"string\",\"value\":\"x\"},{\"type\":\"boolean\",\"value\":true}]}]]},"
        + "{\"type\":\"number\",\"value\":1.5},{\"type\":\"string\",\"value\":\"s\"},{\"type\":\"undefined\"},"
        + "{\"type\":\"number\",\"value\":\"NaN\"}]}";
    @SuppressWarnings("unchecked")
    List<Object> back = (List<Object>) Bidi.remote(new ObjectMapper().readTree(remote));
    assertThat(back).hasSize(5);
    assertThat(back.subList(0, 3)).containsExactly(map, 1.5, "s");
    assertThat(back.get(3)).isNull();
    assertThat((Double) back.get(4)).isNaN();
  }

  @Test
  void firefoxLetsOnlyTheStreamsHostsOut() {
    assertThat(FirefoxBrowser.pacHost(URI.create("http://[::1]:8080/s"))).isEqualTo("::1");
    assertThat(FirefoxBrowser.pacHost(URI.create("https://Example.COM/s"))).isEqualTo("example.com");
    assertThat(FirefoxBrowser.pacHost(URI.create("http://b\u00FCcher.example/s"))).isEqualTo("xn--bcher-kva.example");
    String userJs = FirefoxBrowser.userJs(new java.util.LinkedHashSet<>(List.of("127.0.0.1", "example.com")));
    assertThat(userJs).contains("user_pref(\"network.proxy.type\", 2);")
        .contains("%27example.com%27").contains("PROXY%20127.0.0.1%3A9")
        .contains("user_pref(\"toolkit.telemetry.enabled\", false);");
  }
}
