package dev.ssekit.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real-server verdict matrix: each server of {@code expected-verdicts.json} is started as a
 * process, the packaged conformance CLI runs against it ({@code --profile standard}, with its
 * publish adapter and, where there is one, the pid that holds its sockets), and every check's
 * status in {@code conformance.json} must equal the expected one. A non-pass must carry a
 * {@code why} in the expectations. Reports land in {@code target/matrix/<server>/}; the statuses
 * seen, with the expected {@code why}s kept where the status did not change, are written to
 * {@code target/matrix/actual-verdicts.json} so an intended change is one copy away.
 */
class VerdictMatrixIT {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Path ROOT = Path.of(System.getProperty("ssekit.root", "..")).toAbsolutePath().normalize();
  private static final Path OUT = Path.of(System.getProperty("matrix.out", "target/matrix")).toAbsolutePath();
  private static final long CHECK_TIMEOUT_S = Long.parseLong(System.getProperty("matrix.checkTimeout", "200"));

  private static ObjectNode expected;
  private static final Map<String, JsonNode> ACTUAL = new LinkedHashMap<>();
  /** How long each conformance run took (its report's durationMs), by "server profile". */
  private static final Map<String, Long> TIMINGS = new LinkedHashMap<>();

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = VerdictMatrixIT.class.getResourceAsStream("/expected-verdicts.json")) {
      expected = (ObjectNode) JSON.readTree(in);
    }
    Files.createDirectories(OUT);
  }

  static Stream<String> servers() throws IOException {
    try (InputStream in = VerdictMatrixIT.class.getResourceAsStream("/expected-verdicts.json")) {
      List<String> names = new ArrayList<>();
      JSON.readTree(in).get("servers").fieldNames().forEachRemaining(names::add);
      String only = System.getProperty("matrix.only");
      if (only != null && !only.isBlank()) names.retainAll(List.of(only.split(",")));
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void verdictsMatchExpectations(String server) throws Exception {
    Path out = OUT.resolve(server);
    deleteTree(out);
    Path jar = ROOT.resolve("conformance/target/sse-conformance.jar");
    assertTrue(Files.isRegularFile(jar), "no " + jar + ": the conformance module must be packaged before the matrix");
    JsonNode want = expected.get("servers").get(server).get("verdicts");
    long t0 = System.nanoTime();
    JsonNode report;
    try (Servers.Running running = Servers.start(server, ROOT, out)) {
      long started = System.nanoTime();
      report = check(running, out, "standard");
      long checked = System.nanoTime();
      System.out.printf("[matrix] %s: started in %.1f s, checked in %.1f s%n", server,
          (started - t0) / 1e9, (checked - started) / 1e9);
      TIMINGS.put(server + " standard", report.path("durationMs").asLong());
      if (Boolean.getBoolean("matrix.timeQuick")) {
        // Opt-in (the figures in README.md and docs/conformance.md): the quick profile's run time on the same server; verdicts not compared.
        JsonNode quick = check(running, out.resolve("quick"), "quick");
        TIMINGS.put(server + " quick", quick.path("durationMs").asLong());
      }
    }
    Map<String, JsonNode> got = new LinkedHashMap<>();
    for (JsonNode c : report.get("checks")) got.put(c.get("id").asText(), c);
    ACTUAL.put(server, actualEntry(want, got));

    List<String> problems = new ArrayList<>();
    TreeSet<String> ids = new TreeSet<>(got.keySet());
    want.fieldNames().forEachRemaining(ids::add);
    for (String id : ids) {
      JsonNode w = want.get(id);
      JsonNode g = got.get(id);
      // a status, or {"status": S | [S, …], "why": …}: a list is for verdicts that depend on timing
      String wantStatus = w == null ? null : (w.isTextual() ? w.asText() : w.path("status").toString().replace("\"", ""));
      List<String> accepted = new ArrayList<>();
      if (w != null && w.path("status").isArray()) w.path("status").forEach(x -> accepted.add(x.asText()));
      else if (wantStatus != null) accepted.add(wantStatus);
      if (w != null && !"passed".equals(wantStatus) && w.path("why").asText("").isBlank()) {
        problems.add(id + ": expected " + wantStatus + " without a \"why\" in expected-verdicts.json");
      }
      if (g == null) {
        problems.add(id + ": expected " + wantStatus + ", but the report has no such check");
      } else if (w == null) {
        problems.add(id + ": new check (not in expected-verdicts.json), " + g.get("status").asText() + ": "
            + g.path("message").asText());
      } else if (!accepted.contains(g.get("status").asText())) {
        problems.add(id + ": expected " + wantStatus + ", got " + g.get("status").asText() + ": "
            + g.path("message").asText());
      }
    }
    if (!problems.isEmpty()) {
      fail(server + ": " + problems.size() + " verdict(s) differ from matrix/src/test/resources/expected-verdicts.json"
          + " (report: " + out.resolve("report/conformance.json") + "; all verdicts seen: "
          + OUT.resolve("actual-verdicts.json") + ")\n  " + String.join("\n  ", problems));
    }
  }

  /** Runs the conformance CLI as a process against the running server and returns its conformance.json. */
  private static JsonNode check(Servers.Running running, Path out, String profile)
      throws IOException, InterruptedException {
    Files.createDirectories(out);
    Path reportDir = out.resolve("report");
    List<String> cmd = new ArrayList<>(List.of(Servers.java(), "-Xmx512m", "-jar",
        ROOT.resolve("conformance/target/sse-conformance.jar").toString(),
        "--url", running.streamUrl, "--publish-url", running.publishUrl, "--profile", profile,
        "--browser", "all", "--report-dir", reportDir.toString(), "--no-color"));
    if (running.socketPid != null) {
      cmd.add("--server-pid");
      cmd.add(String.valueOf(running.socketPid));
    }
    Path console = out.resolve("check-console.txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.toFile()).start();
    if (!p.waitFor(CHECK_TIMEOUT_S, TimeUnit.SECONDS)) {
      Servers.kill(p);
      fail("the conformance run took over " + CHECK_TIMEOUT_S + " s; console " + console + ":\n" + Servers.tail(console));
    }
    assertTrue(p.exitValue() == 0 || p.exitValue() == 1,
        "the conformance CLI exited " + p.exitValue() + " (bad usage or internal error):\n" + Servers.tail(console));
    Path json = reportDir.resolve("conformance.json");
    assertTrue(Files.isRegularFile(json), "no " + json + "; console:\n" + Servers.tail(console));
    JsonNode report = JSON.readTree(json.toFile());
    assertEquals(running.streamUrl, report.path("target").path("url").asText(), "report of another target");
    return report;
  }

  /** This run's verdicts in the expectations' format, keeping the expected {@code why} where the status held. */
  private static JsonNode actualEntry(JsonNode want, Map<String, JsonNode> got) {
    ObjectNode verdicts = JSON.createObjectNode();
    for (Map.Entry<String, JsonNode> e : got.entrySet()) {
      String status = e.getValue().get("status").asText();
      if (status.equals("passed")) {
        verdicts.put(e.getKey(), status);
        continue;
      }
      JsonNode w = want.get(e.getKey());
      boolean same = w != null && w.isObject() && (status.equals(w.path("status").asText())
          || w.path("status").isArray() && w.path("status").toString().contains("\"" + status + "\""));
      String why = same ? w.path("why").asText()
          : "TODO (tool's message: " + e.getValue().path("message").asText() + ")";
      ObjectNode v = verdicts.putObject(e.getKey());
      if (same && w.path("status").isArray()) v.set("status", w.path("status"));
      else v.put("status", status);
      v.put("why", why);
    }
    return verdicts;
  }

  @AfterAll
  static void writeActual() throws IOException {
    if (expected == null) return;
    ObjectNode all = expected.deepCopy();
    ObjectNode servers = (ObjectNode) all.get("servers");
    for (Map.Entry<String, JsonNode> e : ACTUAL.entrySet()) {
      ((ObjectNode) servers.get(e.getKey())).set("verdicts", e.getValue());
    }
    JSON.writeValue(OUT.resolve("actual-verdicts.json").toFile(), all);
    JSON.writeValue(OUT.resolve("timings.json").toFile(), TIMINGS);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Iterator<Path> it = s.sorted(java.util.Comparator.reverseOrder()).iterator(); it.hasNext(); ) {
        Path p = it.next();
        // keep an express-sse install between runs of the same build (npm ci is the slow part)
        if (p.toString().contains("/app/node_modules")) continue;
        try {
          Files.deleteIfExists(p);
        } catch (java.nio.file.DirectoryNotEmptyException keptNodeModules) {
          // a parent of the kept node_modules
        }
      }
    }
  }
}
