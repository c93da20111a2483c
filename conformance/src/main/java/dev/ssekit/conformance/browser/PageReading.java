package dev.ssekit.conformance.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the browser view's page recorded ({@link BrowserView#SCRIPT}): its log of {@code state},
 * {@code open}, {@code event}, {@code error} and {@code csp} entries with wall-clock times, when
 * it started listening for each event type, and whether it stopped recording at its caps.
 *
 * @param started when the page's script started (wall ms)
 * @param log the log entries in order
 * @param listened each event type with when its listener was added (wall ms)
 * @param overflow true when the page stopped recording at its event or character cap
 */
record PageReading(long started, List<JsonNode> log, Map<String, Long> listened, boolean overflow) {

  /** The page's Content-Security-Policy violations that blocked (not only reported) a request. */
  List<JsonNode> blockedByPolicy() {
    return log.stream().filter(e -> e.get("k").asText().equals("csp"))
        .filter(e -> !e.path("disposition").asText().equals("report")).toList();
  }

  /** Reads the JSON the page returns at the end of the window. */
  static PageReading parse(String json) {
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      List<JsonNode> log = new ArrayList<>();
      root.get("log").forEach(log::add);
      Map<String, Long> listened = new LinkedHashMap<>();
      root.get("listened").fields().forEachRemaining(e -> listened.put(e.getKey(), e.getValue().asLong()));
      return new PageReading(root.get("started").asLong(), log, listened, root.path("overflow").asBoolean(false));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable browser log: " + e.getMessage(), e);
    }
  }
}
