package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.Causes.Cause;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cause named for a payload that arrived altered, as the oracle read real servers' bytes:
 * where one payload fits several causes, the run's unambiguous payloads decide.
 */
class CausesTest {

  /** payload as published, then what a browser dispatched for it. */
  private static List<Cause> run(String[][] cases) {
    List<EnumSet<Cause>> candidates = new ArrayList<>();
    for (String[] c : cases) candidates.add(Causes.candidates(c[0], List.of(c[1]), null));
    return Causes.choose(candidates);
  }

  @Test
  void aDroppedTrailingLineBreakIsNotBlamedOnCr() {
    // Javalin and Jetty's EventSourceServlet split data with something that drops a trailing empty line.
    List<Cause> causes = run(new String[][] {
        {"ends with CR\r", "ends with CR"},
        {"\r\n", ""},
        {"\n", ""},
        {"before a trailing newline\n", "before a trailing newline"},
        {"\n\nsurrounded\n\n", "\n\nsurrounded\n"}});
    assertThat(causes).containsOnly(Cause.TRAILING_LINE_BREAK_LOST);
  }

  @Test
  void dataWrittenWholeAfterOneDataPrefixIsARawLineBreak() {
    // pushpin's docs-style publisher writes "data: " + the text, line breaks and all.
    List<Cause> causes = run(new String[][] {
        {"line one\nline two", "line one"},
        {"line one\r\nline two", "line one"},
        {"line one\rline two", "line one"}});
    assertThat(causes).containsOnly(Cause.RAW_LINE_BREAK);
  }

  @Test
  void anLfOnlySplitLeavesTheCrRaw() {
    // LF split correctly, CR written raw: "a\rb\nc\r\nd" reads as a, (b a field), c, d.
    List<Cause> causes = run(new String[][] {
        {"line one\rline two", "line one"},
        {"a\rb\nc\r\nd", "a\nc\nd"}});
    assertThat(causes).containsOnly(Cause.RAW_CR);
  }

  @Test
  void theSingleCausesAreRecognised() {
    assertThat(Causes.of("line one\nline two", List.of("\"line one\\nline two\""), null)).isEqualTo(Cause.JSON_ENCODED);
    assertThat(Causes.of(" one leading space", List.of("one leading space"), null)).isEqualTo(Cause.LEADING_SPACE_LOST);
    assertThat(Causes.of("above\n\nbelow", List.of("above", "below"), null)).isEqualTo(Cause.SPLIT);
    assertThat(Causes.of("first", List.of("first\nsecond"), "second")).isEqualTo(Cause.MERGED);
    assertThat(Causes.of("x", List.of("y"), null)).isEqualTo(Cause.OTHER);
  }
}
