package dev.ssekit.conformance.checks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Why a published payload arrived other than as published, in the words a developer fixing the
 * server needs: the first cause, not the symptom. Each cause is recognised from the payload as
 * published and the data a browser dispatched for it (the oracle's reading of the server's bytes).
 */
final class Causes {
  private Causes() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A cause, with the sentence that explains it (said once per run, however many payloads it hit). */
  enum Cause {
    JSON_ENCODED("data arrives JSON-encoded: the server serialises each payload as a JSON string (quotes and "
        + "escapes included) before writing it after \"data:\", so event.data in a browser is the quoted text, not "
        + "the text published; write the string itself, one \"data:\" line per line"),
    LEADING_SPACE_LOST("a leading space is lost: the server writes \"data:\" with no space after the colon, and a "
        + "browser drops the first space after the colon as the separator, so a value that starts with a space "
        + "loses it; write \"data: \" (colon, space) before every line"),
    RAW_CR("a CR inside the data was written raw inside one \"data:\" line: a browser ends a line at a lone CR as "
        + "at LF, so the text after it became a field of its own (lost, or an injected field); split the data on "
        + "CR, LF and CRLF alike"),
    RAW_LINE_BREAK("the data's line breaks were written raw: a browser reads each line after the first as a field "
        + "of its own, not as data; every line of the data needs its own \"data:\" prefix"),
    TRAILING_LINE_BREAK_LOST("a line break at the end of the data is lost: the server splits the data into lines "
        + "with something that drops a trailing empty line (Java's String.split or BufferedReader.readLine, a "
        + "lines() helper), so a payload that ends with a line break arrives without it and an empty payload sends no "
        + "\"data:\" line at all, which a browser never dispatches; write an empty \"data:\" line for every empty line"),
    EMPTY_NOT_SENT("an empty payload was written without a \"data:\" line, so a browser never dispatches it (an event "
        + "with no data line is dropped); write \"data:\" followed by the blank line for empty data"),
    SPLIT("one publish became several events: an empty line inside the data was written as an empty line, which "
        + "ends the event in a browser; write it as a \"data:\" line with nothing after the colon"),
    MERGED("events merged: an event was not ended with a blank line, so a browser joined it with the next one into "
        + "one event; end every event with an empty line"),
    OTHER("the data differs from what was published");

    final String explanation;

    Cause(String explanation) {
      this.explanation = explanation;
    }
  }

  /**
   * Every cause that explains {@code got} (the data of the events dispatched for one publish, in
   * order) differing from {@code published} (its CRLF and CR count as LF); {@code next} is the data
   * published right after it (for merges), or null. Several causes can explain one payload (a
   * trailing CR lost fits a raw CR and a dropped last line alike); {@link #choose} picks among them
   * with what the other payloads show.
   */
  static java.util.EnumSet<Cause> candidates(String published, List<String> got, String next) {
    java.util.EnumSet<Cause> out = java.util.EnumSet.noneOf(Cause.class);
    String expected = normalize(published);
    if (got.size() > 1) {
      if (String.join("\n", got).equals(expected) || joinedWithEmptyLines(got, expected)) out.add(Cause.SPLIT);
      return out;
    }
    String g = got.get(0);
    if (isJsonOf(g, expected) || isJsonOf(g, published)) out.add(Cause.JSON_ENCODED);
    if (g.equals(withoutOneLeadingSpacePerLine(expected))) out.add(Cause.LEADING_SPACE_LOST);
    if (next != null && (g.equals(expected + "\n" + normalize(next)) || g.startsWith(expected + "\n")
        && g.contains(normalize(next)))) {
      out.add(Cause.MERGED);
    }
    if (expected.endsWith("\n") && (g.equals(expected.substring(0, expected.length() - 1))
        || g.equals(expected.replaceAll("\n+$", "")))) {
      out.add(Cause.TRAILING_LINE_BREAK_LOST);
    }
    if (published.indexOf('\r') >= 0 && g.equals(linesBeforeEachLoneCr(published))) out.add(Cause.RAW_CR);
    if (expected.contains("\n") && g.equals(expected.substring(0, expected.indexOf('\n')))) out.add(Cause.RAW_LINE_BREAK);
    return out;
  }

  /**
   * One cause per payload: among each payload's candidates, the one that explains the most
   * payloads on its own (unambiguously), so that a run is explained by as few causes as its
   * clearest payloads show; {@link Cause#OTHER} when nothing fits.
   */
  static List<Cause> choose(List<java.util.EnumSet<Cause>> candidates) {
    java.util.Map<Cause, Integer> alone = new java.util.EnumMap<>(Cause.class);
    java.util.Map<Cause, Integer> any = new java.util.EnumMap<>(Cause.class);
    for (java.util.EnumSet<Cause> c : candidates) {
      if (c.size() == 1) alone.merge(c.iterator().next(), 1, Integer::sum);
      for (Cause x : c) any.merge(x, 1, Integer::sum);
    }
    List<Cause> out = new ArrayList<>();
    for (java.util.EnumSet<Cause> c : candidates) {
      Cause best = Cause.OTHER;
      for (Cause x : c) {
        if (best == Cause.OTHER || alone.getOrDefault(x, 0) > alone.getOrDefault(best, 0)
            || alone.getOrDefault(x, 0).equals(alone.getOrDefault(best, 0)) && any.get(x) > any.get(best)) {
          best = x;
        }
      }
      out.add(best);
    }
    return out;
  }

  /** The cause of one payload judged alone (tests, and runs of one payload). */
  static Cause of(String published, List<String> got, String next) {
    return choose(List.of(candidates(published, got, next))).get(0);
  }

  /** The spec's view of data: CRLF and lone CR are line breaks, as LF. */
  static String normalize(String s) {
    return s.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** True when {@code got} is a JSON string literal whose value is {@code want}. */
  static boolean isJsonOf(String got, String want) {
    if (got.length() < 2 || got.charAt(0) != '"' || got.charAt(got.length() - 1) != '"') return false;
    try {
      JsonNode n = JSON.readTree(got);
      return n != null && n.isTextual() && (n.asText().equals(want) || normalize(n.asText()).equals(normalize(want)));
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static String withoutOneLeadingSpacePerLine(String expected) {
    String[] lines = expected.split("\n", -1);
    boolean any = false;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith(" ")) {
        lines[i] = lines[i].substring(1);
        any = true;
      }
    }
    return any ? String.join("\n", lines) : null;
  }

  /**
   * What a browser reads from {@code data: <published, split on LF only>}: in each LF-line, the
   * text before its first lone CR (what follows the CR is a line of its own, a field, not data).
   */
  private static String linesBeforeEachLoneCr(String published) {
    List<String> out = new ArrayList<>();
    for (String line : published.split("\n", -1)) {
      int cr = line.indexOf('\r');
      out.add(cr < 0 ? line : line.substring(0, cr));
    }
    return String.join("\n", out);
  }

  private static boolean joinedWithEmptyLines(List<String> got, String expected) {
    List<String> parts = Arrays.asList(expected.split("\n\n+", -1));
    List<String> nonEmpty = parts.stream().filter(p -> !p.isEmpty()).toList();
    return nonEmpty.equals(got);
  }
}
