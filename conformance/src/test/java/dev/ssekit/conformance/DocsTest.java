package dev.ssekit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.browser.BrowserView;
import dev.ssekit.conformance.checks.CheckClasses;
import dev.ssekit.conformance.checks.SseCheck;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation holds: {@code docs/checks.md} is what the checks declare (rewrite it with
 * {@code -Dssekit.writeDocs=true} after changing a check), every rule a check cites is explained
 * in {@code docs/spec-rules.md}, every link between the repository's documents resolves, and the
 * README stays short enough to read.
 */
class DocsTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> CATEGORY_ORDER = List.of("http", "framing", "data", "event", "id", "retry",
      "comments", "reconnect", "delivery", "lifecycle");

  /** The check reference, generated from the {@link SseCheck} declarations. */
  static String checkReference() {
    Map<String, List<SseCheck>> byCategory = new TreeMap<>(Comparator.comparingInt((String c) -> {
      int i = CATEGORY_ORDER.indexOf(c);
      return i < 0 ? CATEGORY_ORDER.size() : i;
    }).thenComparing(Comparator.naturalOrder()));
    for (Class<?> c : CheckClasses.all()) {
      for (Method m : c.getDeclaredMethods()) {
        SseCheck check = m.getAnnotation(SseCheck.class);
        if (check != null) byCategory.computeIfAbsent(check.id().split("\\.")[0], k -> new ArrayList<>()).add(check);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# The checks\n\n")
        .append("Every check the suite runs, by category: its severity (MUST fails, SHOULD warns and fails with\n")
        .append("`--strict`, MAY informs), the [rule](spec-rules.md) it enforces, the smallest profile that runs\n")
        .append("it, whether it needs `--publish-url`, and what a passing server does. Generated from the checks'\n")
        .append("own declarations: `DocsTest` fails when this file is out of date, and rewrites it when run with\n")
        .append("`-Dssekit.writeDocs=true`.\n");
    for (var e : byCategory.entrySet()) {
      sb.append("\n## ").append(e.getKey()).append("\n\n")
          .append("| check | severity | rule | profile | publish | a passing server |\n")
          .append("|---|---|---|---|---|---|\n");
      List<SseCheck> checks = new ArrayList<>(e.getValue());
      checks.sort(Comparator.comparing(SseCheck::id));
      for (SseCheck c : checks) {
        sb.append("| `").append(c.id()).append("` | ").append(c.severity()).append(" | ").append(rules(c.rule()))
            .append(" | ").append(c.profile().name().toLowerCase(Locale.ROOT)).append(" | ")
            .append(c.needsPublish() ? "yes" : "").append(" | ").append(c.summary().replace("|", "\\|")).append(" |\n");
      }
    }
    sb.append("\nWith `--browser ENGINE` (chromium, firefox or all), one check per engine and one across them (MUST):\n\n");
    for (dev.ssekit.protocol.Engine engine : dev.ssekit.protocol.Engine.browsers()) {
      String summary = BrowserView.summary(engine);
      sb.append("- `").append(BrowserView.checkId(engine)).append("`: ")
          .append(summary.substring(0, 1).toLowerCase(Locale.ROOT)).append(summary.substring(1)).append(";\n");
    }
    sb.append("- `").append(dev.ssekit.conformance.browser.EngineAgreement.CHECK_ID).append("`: ")
        .append(dev.ssekit.conformance.browser.EngineAgreement.SUMMARY)
        .append(" (see [the conformance guide](conformance.md#real-browsers-as-the-judges)).\n");
    return sb.toString();
  }

  private static String rules(String rule) {
    if (rule.isEmpty() || rule.equals("-")) return "";
    List<String> links = new ArrayList<>();
    for (String r : rule.split("/")) links.add("[" + r + "](spec-rules.md#" + r + ")");
    return String.join(", ", links);
  }

  @Test
  void theCheckReferenceIsWhatTheChecksDeclare() throws IOException {
    Path file = ROOT.resolve("docs/checks.md");
    String generated = checkReference();
    if (Boolean.getBoolean("ssekit.writeDocs")) Files.writeString(file, generated, StandardCharsets.UTF_8);
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as("docs/checks.md is out of date: run DocsTest with -Dssekit.writeDocs=true").isEqualTo(generated);
  }

  @Test
  void everyRuleACheckCitesIsExplained() throws IOException {
    String rules = Files.readString(ROOT.resolve("docs/spec-rules.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("spec-rules\\.md#([A-Z]-\\d\\d)").matcher(checkReference());
    int cited = 0;
    while (m.find()) {
      cited++;
      assertThat(rules).as("docs/spec-rules.md explains " + m.group(1)).contains("<a id=\"" + m.group(1) + "\"></a>");
    }
    assertThat(cited).isGreaterThan(30);
  }

  @Test
  void everyLinkBetweenTheDocumentsResolves() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("matrix/README.md")));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
    }
    Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    List<String> broken = new ArrayList<>();
    for (Path doc : docs) {
      String text = Files.readString(doc, StandardCharsets.UTF_8);
      Matcher m = link.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) continue; // http(s), mailto: outside the repository
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          broken.add(ROOT.relativize(doc) + ": " + target);
        } else if (anchor != null && resolved.toString().endsWith(".md")
            && !anchors(Files.readString(resolved, StandardCharsets.UTF_8)).contains(anchor)) {
          broken.add(ROOT.relativize(doc) + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).as("links that do not resolve inside the repository").isEmpty();
  }

  /** The anchors a Markdown file offers: explicit {@code <a id>}s and GitHub's heading slugs. */
  private static List<String> anchors(String markdown) {
    List<String> out = new ArrayList<>();
    Matcher a = Pattern.compile("<a id=\"([^\"]+)\"></a>").matcher(markdown);
    while (a.find()) out.add(a.group(1));
    boolean fence = false;
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) fence = !fence;
      if (fence || !line.matches("^#{1,6} .*")) continue;
      String slug = line.replaceFirst("^#+ ", "").toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-');
      out.add(slug);
    }
    return out;
  }

  @Test
  void theReadmeIsShortEnoughToRead() throws IOException {
    long lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8).size();
    assertThat(lines).as("README.md lines (the guides are in docs/)").isLessThanOrEqualTo(200);
  }
}
