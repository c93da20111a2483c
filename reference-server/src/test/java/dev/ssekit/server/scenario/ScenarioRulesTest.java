package dev.ssekit.server.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.Vector;
import dev.ssekit.protocol.Vectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ids the scenarios list (which {@code GET /scenarios} shows to users) are explained in the
 * repository: a rule id by its entry in {@code docs/spec-rules.md}, a vector id by its line in
 * protocol's {@code vectors.jsonl}. The rules the vectors themselves cite are held to the same.
 */
class ScenarioRulesTest {

  private static final Path SPEC_RULES = Path.of("..", "docs", "spec-rules.md");

  /** A rule's entry: its anchor, then its id again in bold, as in {@code - <a id="F-03"></a>**F-03 Line endings.**}. */
  private static final Pattern ENTRY = Pattern.compile("(?m)^- <a id=\"([A-Z]+-?\\d+)\"></a>\\*\\*\\1 ");

  /** The rule ids {@code docs/spec-rules.md} defines. */
  static Set<String> definedRules() throws IOException {
    Matcher entry = ENTRY.matcher(Files.readString(SPEC_RULES, StandardCharsets.UTF_8));
    Set<String> ids = new TreeSet<>();
    while (entry.find()) ids.add(entry.group(1));
    return ids;
  }

  @Test
  @DisplayName("every id a scenario lists is a rule in docs/spec-rules.md or a vector in vectors.jsonl")
  void everyIdAScenarioListsIsDefined() throws IOException {
    Set<String> rules = definedRules();
    assertThat(rules).as("rule entries read from " + SPEC_RULES).hasSizeGreaterThan(30);
    Set<String> vectors = Vectors.all().stream().map(Vector::id).collect(Collectors.toSet());
    List<String> undefined = new ArrayList<>();
    for (Scenario s : ScenarioCatalog.standard().all()) {
      for (String id : s.rules()) {
        if (!rules.contains(id) && !vectors.contains(id)) undefined.add(s.name() + " lists " + id);
      }
    }
    assertThat(undefined).as("ids that neither docs/spec-rules.md nor vectors.jsonl defines").isEmpty();
  }

  @Test
  @DisplayName("every rule a vector cites is defined in docs/spec-rules.md")
  void everyRuleAVectorCitesIsDefined() throws IOException {
    Set<String> rules = definedRules();
    List<String> undefined = Vectors.all().stream().filter(v -> !rules.contains(v.rule()))
        .map(v -> v.id() + " cites " + v.rule()).toList();
    assertThat(undefined).as("rules vectors.jsonl cites that docs/spec-rules.md does not define").isEmpty();
  }
}
