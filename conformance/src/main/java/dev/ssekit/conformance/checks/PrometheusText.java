package dev.ssekit.conformance.checks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * Reads one metric out of Prometheus's text exposition format (version 0.0.4; OpenMetrics text
 * reads the same for gauges): the sum of its samples over every label set. Comments
 * ({@code # HELP}, {@code # TYPE}, {@code # EOF}) and other metrics are skipped; label values may
 * hold escaped quotes, braces, commas and spaces; values may be {@code +Inf}, {@code -Inf} or
 * {@code NaN}, followed by an optional timestamp. Pure: no I/O.
 */
final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern NUMBER = Pattern.compile("[+-]?+(?>\\d++(?:\\.\\d*+)?+|\\.\\d++)(?:[eE][+-]?+\\d++)?+");
  /** Longer than any number a real exporter writes (a double prints in at most 25 characters). */
  static final int MAX_NUMBER_CHARS = 64;

  private PrometheusText() {}

  /** True when {@code name} is a valid metric name. */
  static boolean isMetricName(String name) {
    return NAME.matcher(name).matches();
  }

  /**
   * What the exposition holds for one metric.
   *
   * @param series how many label sets of the metric were found (0: the metric is absent)
   * @param sum their values added up (NaN if any is NaN; 0 when absent)
   */
  record Reading(int series, double sum) {
    boolean present() {
      return series > 0;
    }
  }

  /** The samples named exactly {@code metric}, summed. Malformed lines are skipped. */
  static Reading read(String text, String metric) {
    int series = 0;
    double sum = 0;
    for (String line : text.split("\n", -1)) {
      Sample s = sample(line);
      if (s == null || !s.name.equals(metric)) continue;
      series++;
      sum += s.value;
    }
    return new Reading(series, sum);
  }

  /** Each metric name in the text with its number of samples, in order of appearance (for messages). */
  static Map<String, Integer> names(String text) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      Sample s = sample(line);
      if (s != null) out.merge(s.name, 1, Integer::sum);
    }
    return out;
  }

  private record Sample(String name, double value) {}

  /** One sample line ({@code name[{labels}] value [timestamp]}), or null for comments, blanks and junk. */
  private static Sample sample(String raw) {
    String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    line = line.strip();
    if (line.isEmpty() || line.startsWith("#")) return null;
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) i++;
    String name = line.substring(0, i);
    if (!isMetricName(name)) return null;
    if (i < line.length() && line.charAt(i) == '{') {
      i = endOfLabels(line, i + 1);
      if (i < 0) return null;
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) return null;
    OptionalDouble value = value(rest[0]);
    return value.isPresent() ? new Sample(name, value.getAsDouble()) : null;
  }

  /** The index after the closing brace of a label set starting at {@code from}, or -1 when unterminated. */
  private static int endOfLabels(String line, int from) {
    boolean quoted = false;
    for (int i = from; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\') i++; // \" \\ \n: the escaped character cannot end the value
        else if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == '}') {
        return i + 1;
      }
    }
    return -1;
  }

  /** A Go-style float as Prometheus writes it, with its spellings of infinity and NaN. */
  private static OptionalDouble value(String text) {
    switch (text) {
      case "+Inf", "Inf" -> {
        return OptionalDouble.of(Double.POSITIVE_INFINITY);
      }
      case "-Inf" -> {
        return OptionalDouble.of(Double.NEGATIVE_INFINITY);
      }
      case "NaN" -> {
        return OptionalDouble.of(Double.NaN);
      }
      default -> {
        // Java would also take "Infinity", hex floats and a trailing 'd'/'f': not Prometheus numbers.
        // Length first, and a pattern that never backtracks: a hostile page's endless digit run
        // must cost linear time.
        if (text.length() > MAX_NUMBER_CHARS || !NUMBER.matcher(text).matches()) return OptionalDouble.empty();
        return OptionalDouble.of(Double.parseDouble(text));
      }
    }
  }
}
