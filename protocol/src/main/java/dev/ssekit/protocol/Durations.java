package dev.ssekit.protocol;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as every ssekit option, system property and configuration parameter spells them.
 *
 * <pre>
 *   duration = [spaces] ( "0" | digits unit ) [spaces]
 *   digits   = one or more of 0-9 (leading zeros allowed)
 *   unit     = "ms" | "s" | "m" | "h"     (lower case)
 * </pre>
 *
 * <p>So {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}, and a bare {@code 0} (where an option
 * documents {@code 0} as "off", that is what it means). Nothing else: no sign, no fraction, no space
 * between the number and its unit, no other unit. A duration longer than {@link #MAX} (what a
 * {@code long} of nanoseconds holds, about 292 years) is refused as too long rather than wrapped.
 */
public final class Durations {

  /** The longest duration accepted: {@link Long#MAX_VALUE} nanoseconds. */
  public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

  private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses {@code text} in the grammar above.
   *
   * @throws IllegalArgumentException with a one-line reason ("'…' is not a duration; …" or
   *     "'…' is too long a duration; …") when it is not one
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equals("0")) return Duration.ZERO;
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 500ms, 15s, 2m or 1h (or 0)");
    }
    long nanosPerUnit = switch (m.group(2)) {
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
    try {
      return Duration.ofNanos(Math.multiplyExact(Long.parseLong(m.group(1)), nanosPerUnit));
    } catch (NumberFormatException | ArithmeticException tooLong) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration; at most "
          + MAX.toHours() + "h");
    }
  }

  /**
   * Formats {@code d} in the largest unit that holds it exactly, so that {@link #parse} reads it
   * back: {@code 1500ms}, {@code 15s}, {@code 2m}, {@code 1h}, and zero as {@code 0s}. Below a
   * millisecond is cut off ({@code 1500us} is {@code 1ms}).
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) return "0s";
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }
}
