package dev.ssekit.server.scenario;

import static dev.ssekit.testkit.RawHttp.escape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Retry;
import dev.ssekit.server.ServerConfig;
import dev.ssekit.server.SseServer;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Kind;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.testkit.RawHttp.End;
import dev.ssekit.testkit.RawHttp.Piece;
import dev.ssekit.testkit.RawHttp.Response;
import dev.ssekit.testkit.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The scenario catalog end to end: the real reference server on a loopback port, read with a raw
 * socket client. Correct scenarios are parsed by the independent {@link EventStreamParser} (protocol's oracle) and must match
 * both the published {@code /expected} items and the hand-written catalog items, write for write;
 * every fault is checked for the misbehaviour it promises.
 */
class ScenarioCatalogTest {

  private static final Duration READ = Duration.ofSeconds(15);
  private static final ScenarioCatalog CATALOG = ScenarioCatalog.standard();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static SseServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) server.close();
  }

  // ------------------------------------------------------------------ the catalog as data

  @Test
  @DisplayName("the catalog has at least 30 uniquely named scenarios; every correct one expects items")
  void catalogShape() {
    List<Scenario> all = CATALOG.all();
    assertThat(all).hasSizeGreaterThanOrEqualTo(30);
    assertThat(all.stream().map(Scenario::name)).doesNotHaveDuplicates();
    for (Scenario s : all) {
      if (s.kind() == Kind.CORRECT) {
        assertThat(s.expected()).as("expected items of " + s.name()).isNotEmpty();
      }
    }
    Set<String> faults = all.stream().filter(s -> s.kind() == Kind.FAULT).map(Scenario::name).collect(Collectors.toSet());
    assertThat(faults).contains("wrong-content-type", "missing-content-type", "status-204", "status-500", "html-200",
        "buffered-output", "raw-newline-in-data", "dropped-mid-event", "never-answering", "endless-line",
        "content-length-stream");
  }

  @Test
  @DisplayName("every vector V01-V63 of vectors.jsonl is cited by some scenario")
  void everyVectorIsCovered() {
    Set<String> cited = CATALOG.all().stream().flatMap(s -> s.rules().stream()).collect(Collectors.toSet());
    Set<String> missing = IntStream.rangeClosed(1, 63).mapToObj(i -> String.format("V%02d", i))
        .filter(id -> !cited.contains(id)).collect(Collectors.toCollection(TreeSet::new));
    assertThat(missing).as("vectors no scenario cites").isEmpty();
  }

  // ------------------------------------------------------------------ listing and expected

  @Test
  @DisplayName("GET /scenarios and /scenarios/ list every scenario with its urls")
  void listing() throws IOException {
    for (String path : List.of("/scenarios", "/scenarios/")) {
      Response response = RawHttp.fetch(server.port(), path, READ);
      assertEquals(200, response.head().status(), path);
      assertThat(response.head().header("content-type")).startsWith("application/json");
      JsonNode list = JSON.readTree(response.body());
      assertEquals(CATALOG.all().size(), list.size(), "entries in " + path);
      for (int i = 0; i < list.size(); i++) {
        Scenario s = CATALOG.all().get(i);
        JsonNode entry = list.get(i);
        assertEquals(s.name(), entry.get("name").asText());
        assertEquals(s.description(), entry.get("description").asText());
        assertEquals(s.kind().name(), entry.get("kind").asText());
        assertEquals(s.rules(), JSON.convertValue(entry.get("rules"), List.class));
        assertEquals("/scenarios/" + s.name(), entry.get("url").asText());
        if (s.kind() == Kind.CORRECT) {
          assertEquals("/scenarios/" + s.name() + "/expected", entry.get("expectedUrl").asText());
        } else {
          assertThat(entry.get("expectedUrl").isNull()).as("expectedUrl of fault " + s.name()).isTrue();
        }
      }
    }
  }

  @Test
  @DisplayName("faults and unknown names have no expected items (404); unknown scenarios 404; other methods 405")
  void errors() throws IOException {
    Response fault = RawHttp.fetch(server.port(), "/scenarios/status-500/expected", READ);
    assertEquals(404, fault.head().status());
    assertThat(new String(fault.body(), StandardCharsets.UTF_8)).contains("fault");
    assertEquals(404, RawHttp.fetch(server.port(), "/scenarios/no-such-thing/expected", READ).head().status());
    Response unknown = RawHttp.fetch(server.port(), "/scenarios/no-such-thing", READ);
    assertEquals(404, unknown.head().status());
    assertThat(new String(unknown.body(), StandardCharsets.UTF_8)).contains("no-such-thing");
    assertEquals(404, RawHttp.fetch(server.port(), "/scenarios/basic/expected/more", READ).head().status());
    for (String method : List.of("POST", "HEAD", "DELETE")) {
      try (RawHttp client = RawHttp.send(server.port(), method, "/scenarios/basic")) {
        RawHttp.Head head = client.head(READ);
        assertEquals(405, head.status(), method);
        assertEquals("GET", head.header("allow"), method);
      }
    }
  }

  // ------------------------------------------------------------------ correct scenarios

  @TestFactory
  @DisplayName("correct scenarios: the oracle's parse equals /expected and the catalog, write for write")
  Stream<DynamicTest> correctScenarios() {
    return CATALOG.all().stream().filter(s -> s.kind() == Kind.CORRECT)
        .map(s -> DynamicTest.dynamicTest(s.name(), () -> checkCorrect(s)));
  }

  private void checkCorrect(Scenario scenario) throws IOException {
    String path = "/scenarios/" + scenario.name();
    Response response = RawHttp.fetch(server.port(), path, READ);
    Scenario played = scenario;
    if (response.head().status() / 100 == 3) {
      // H-04: a client follows the redirect; the stream it then reads must match this scenario's items
      String location = response.head().header("location");
      assertThat(location).as("Location of " + path).startsWith("/scenarios/");
      played = CATALOG.find(location.substring("/scenarios/".length())).orElseThrow();
      response = RawHttp.fetch(server.port(), location, READ);
    }
    assertEquals(200, response.head().status(), path);
    assertThat(response.head().header("content-type").toLowerCase(Locale.ROOT)).startsWith("text/event-stream");
    assertEquals("no-cache", response.head().header("cache-control"));
    assertEquals("*", response.head().header("access-control-allow-origin"));

    byte[] body = response.body();
    List<ParsedItem> parsed = EventStreamParser.parsedItems(body);
    List<ParsedItem> published = fetchExpected(scenario.name());
    List<ParsedItem> catalog = scenario.expected();
    String evidence = path + " body " + escape(body);
    assertEquals(catalog, published, "/expected differs from the catalog for " + evidence);
    assertEquals(published, parsed, "the oracle's parse differs from /expected for " + evidence);

    // Write boundaries: each step is one chunk (or, close-delimited, at least the bytes in order).
    assertThat(body).as("body of " + path).isEqualTo(played.body());
    if (played.head().framing() == Framing.CHUNKED) {
      List<String> chunks = response.pieces().stream().map(p -> escape(p.bytes())).toList();
      List<String> steps = played.steps().stream().map(st -> escape(st.bytes())).toList();
      assertEquals(steps, chunks, "chunks of " + path);
      assertEquals(End.LAST_CHUNK, response.end(), "a correct stream ends with the last chunk: " + path);
    } else {
      assertEquals(End.EOF, response.end(), "a close-delimited stream ends with FIN: " + path);
    }
  }

  @Test
  @DisplayName("one-byte-at-a-time really arrives as one chunk per byte")
  void oneByteAtATime() throws IOException {
    Response response = RawHttp.fetch(server.port(), "/scenarios/one-byte-at-a-time", READ);
    assertThat(response.pieces()).hasSizeGreaterThan(80);
    assertThat(response.pieces()).allSatisfy(p -> assertThat(p.bytes()).hasSize(1));
    assertEquals(response.pieces().size(), response.body().length);
  }

  @Test
  @DisplayName("paced-events delivers its writes apart in time, not in one burst")
  void pacedEventsArriveApart() throws IOException {
    Response response = RawHttp.fetch(server.port(), "/scenarios/paced-events", READ);
    List<Piece> pieces = response.pieces();
    assertThat(pieces).hasSize(3);
    long spreadMillis = (pieces.get(2).arrivalNanos() - pieces.get(0).arrivalNanos()) / 1_000_000;
    // 2 x 400 ms are scheduled; a generous lower bound only (a late first read can shrink the gap)
    assertThat(spreadMillis).as("ms between the first and last write").isGreaterThanOrEqualTo(300);
  }

  // ------------------------------------------------------------------ faults

  /** What each fault must look like on the wire; a fault without a check fails the factory. */
  private final Map<String, FaultCheck> faultChecks = Map.ofEntries(
      Map.entry("wrong-content-type", s -> checkContentType(s, "text/plain; charset=utf-8")),
      Map.entry("missing-content-type", s -> checkContentType(s, null)),
      Map.entry("bogus-content-type", s -> checkContentType(s, "text/x-bogus")),
      Map.entry("status-204", this::checkNoBody),
      Map.entry("status-500", s -> checkFixedBody(s, 500)),
      Map.entry("status-503-retry-after", s -> {
        checkFixedBody(s, 503);
        assertEquals("5", RawHttp.fetch(server.port(), "/scenarios/" + s.name(), READ).head().header("retry-after"));
      }),
      Map.entry("html-200", s -> {
        Response r = checkFixedBody(s, 200);
        assertThat(r.head().header("content-type")).startsWith("text/html");
      }),
      Map.entry("content-length-stream", s -> {
        Response r = checkFixedBody(s, 200);
        assertThat(r.head().header("content-type")).startsWith("text/event-stream");
      }),
      Map.entry("redirect-missing-location", s -> {
        Response r = checkFixedBody(s, 307);
        assertThat(r.head().header("location")).isNull();
      }),
      Map.entry("buffered-output", this::checkBuffered),
      Map.entry("raw-newline-in-data", this::checkRawNewline),
      Map.entry("dropped-mid-event", this::checkDropped),
      Map.entry("never-answering", this::checkNeverAnswering),
      Map.entry("endless-line", this::checkEndlessLine));

  @FunctionalInterface
  private interface FaultCheck {
    void check(Scenario scenario) throws Exception;
  }

  @TestFactory
  @DisplayName("faults: each misbehaves exactly as described")
  Stream<DynamicTest> faults() {
    return CATALOG.all().stream().filter(s -> s.kind() == Kind.FAULT)
        .map(s -> DynamicTest.dynamicTest(s.name(), () -> {
          FaultCheck check = faultChecks.get(s.name());
          if (check == null) throw new AssertionError("no wire check for fault scenario " + s.name());
          check.check(s);
        }));
  }

  private void checkContentType(Scenario s, String contentType) throws IOException {
    Response r = RawHttp.fetch(server.port(), "/scenarios/" + s.name(), READ);
    assertEquals(200, r.head().status());
    assertEquals(contentType, r.head().header("content-type"), "Content-Type of " + s.name());
    assertEquals(escape(s.body()), escape(r.body()));
    assertEquals(End.LAST_CHUNK, r.end());
  }

  private void checkNoBody(Scenario s) throws IOException {
    try (RawHttp client = RawHttp.send(server.port(), "GET", "/scenarios/" + s.name())) {
      RawHttp.Head head = client.head(READ);
      assertEquals(204, head.status());
      assertThat(head.header("content-length")).isNull();
      assertThat(head.header("transfer-encoding")).isNull();
      assertThat(client.closedWithin(READ)).as("204 is followed by a close and no body").isTrue();
    }
  }

  private Response checkFixedBody(Scenario s, int status) throws IOException {
    Response r = RawHttp.fetch(server.port(), "/scenarios/" + s.name(), READ);
    assertEquals(status, r.head().status(), s.name());
    assertEquals(String.valueOf(s.body().length), r.head().header("content-length"));
    assertThat(r.head().header("transfer-encoding")).isNull();
    assertEquals(escape(s.body()), escape(r.body()));
    assertEquals(End.CONTENT_LENGTH, r.end());
    return r;
  }

  private void checkBuffered(Scenario s) throws IOException {
    try (RawHttp client = RawHttp.send(server.port(), "GET", "/scenarios/" + s.name())) {
      assertEquals(200, client.head(Duration.ofSeconds(5)).status(), "the head is sent at once");
      long headAt = System.nanoTime();
      assertThat(client.silentFor(Duration.ofSeconds(1))).as("no event during the first second").isTrue();
      Response rest = client.readResponse(READ);
      assertThat(rest.pieces()).as("everything arrives in one write").hasSize(1);
      long heldMillis = (rest.pieces().get(0).arrivalNanos() - headAt) / 1_000_000;
      assertThat(heldMillis).as("ms the events were held (3 s scheduled)").isGreaterThanOrEqualTo(1_500);
      assertEquals(escape(s.body()), escape(rest.body()));
      assertThat(EventStreamParser.parsedItems(rest.body())).hasSize(5);
      assertEquals(End.LAST_CHUNK, rest.end());
    }
  }

  private void checkRawNewline(Scenario s) throws IOException {
    Response r = RawHttp.fetch(server.port(), "/scenarios/" + s.name(), READ);
    assertEquals(escape(s.body()), escape(r.body()));
    // F-04: the payload's own LFs end the data line, so the client sees only its first line
    assertEquals(List.of(new DispatchedEvent("message", "{\"user\":\"ann\",", "")), EventStreamParser.parsedItems(r.body()));
  }

  private void checkDropped(Scenario s) throws IOException {
    Response r = RawHttp.fetch(server.port(), "/scenarios/" + s.name(), READ);
    List<String> chunks = r.pieces().stream().map(p -> escape(p.bytes())).toList();
    List<String> steps = s.steps().stream().map(st -> escape(st.bytes())).toList();
    assertEquals(steps, chunks, "the event and the half event arrive as written");
    assertThat(r.end()).as("ends without a terminating chunk").isIn(End.RESET, End.EOF);
    List<ParsedItem> items = new ArrayList<>();
    EventStreamParser parser = new EventStreamParser(item -> {
      if (item instanceof ParsedItem p) items.add(p);
    });
    parser.feed(r.body());
    parser.end();
    assertEquals(List.of(new DispatchedEvent("message", "Hello", "abc")), items);
    assertEquals("abc", parser.lastEventId(), "M8: the reconnect must send abc, not def");
  }

  private void checkNeverAnswering(Scenario s) throws IOException {
    try (RawHttp client = RawHttp.send(server.port(), "GET", "/scenarios/" + s.name())) {
      assertThat(client.silentFor(Duration.ofMillis(1_500))).as("not a byte, and the connection stays open").isTrue();
    }
    // The server still serves others while holding the silent connection.
    assertEquals(200, RawHttp.fetch(server.port(), "/scenarios", READ).head().status());
  }

  private void checkEndlessLine(Scenario s) throws IOException {
    long wanted = 3L << 19; // 1.5 MiB
    try (RawHttp client = RawHttp.send(server.port(), "GET", "/scenarios/" + s.name())) {
      assertEquals(200, client.head(READ).status());
      Piece first = client.next(READ);
      assertEquals(escape("data: ".getBytes(StandardCharsets.US_ASCII)), escape(first.bytes()));
      long received = 0;
      while (received < wanted) {
        Piece piece = client.next(READ);
        if (piece == null) throw new AssertionError("the endless line ended after " + received + " bytes: " + client.end());
        for (byte b : piece.bytes()) {
          if (b != 'x') throw new AssertionError("byte " + (received) + " of the endless line is " + escape(new byte[] {b}));
          received++;
        }
        assertThat(piece.bytes().length).as("one filler write per chunk").isLessThanOrEqualTo(ScriptedStream.ENDLESS_CHUNK_BYTES);
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private List<ParsedItem> fetchExpected(String name) throws IOException {
    Response response = RawHttp.fetch(server.port(), "/scenarios/" + name + "/expected", READ);
    assertEquals(200, response.head().status(), "/expected of " + name);
    assertEquals("application/x-ndjson; charset=utf-8", response.head().header("content-type"));
    List<ParsedItem> items = new ArrayList<>();
    String text = new String(response.body(), StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isEmpty()) continue;
      JsonNode node = JSON.readTree(line);
      Set<String> keys = new HashSet<>();
      node.fieldNames().forEachRemaining(keys::add);
      if (keys.equals(Set.of("retry"))) {
        items.add(new Retry(node.get("retry").asLong()));
      } else {
        assertEquals(Set.of("type", "data", "lastEventId"), keys, "fields of " + line);
        items.add(new DispatchedEvent(node.get("type").asText(), node.get("data").asText(),
            node.get("lastEventId").asText()));
      }
    }
    return items;
  }
}
