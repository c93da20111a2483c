package dev.ssekit.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads and writes durations the way every ssekit option spells them: {@code 500ms}, {@code 15s},
 * {@code 2m}, {@code 1h}; a bare {@code 0} means "off".
 */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern FORM = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

  /** Parses {@code text}; throws {@link IllegalArgumentException} with a readable reason. */
  public static Duration parse(String text) {
    String t = text.trim();
    if (t.equals("0")) return Duration.ZERO;
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 500ms, 15s, 2m or 1h (0 turns it off)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** Formats {@code d} in the largest unit that represents it exactly. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) return "0";
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
