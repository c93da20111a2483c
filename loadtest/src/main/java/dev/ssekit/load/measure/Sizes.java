package dev.ssekit.load.measure;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory sizes as the options take them: {@code 512m}, {@code 1g}, {@code 65536k}, binary units. */
public final class Sizes {
  private static final Pattern FORM = Pattern.compile("(\\d{1,12})([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /**
   * Parses a size; {@code k}, {@code m}, {@code g}, {@code t} are powers of 1024 ({@code 1GiB}
   * and {@code 1gb} read the same).
   *
   * @throws IllegalArgumentException with a one-line reason when the text is not of that form
   */
  public static long parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size (write it like 512m, 1g or 2GiB)");
    }
    long n = Long.parseLong(m.group(1));
    int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return n << shift;
  }

  /** The shortest exact form: {@code 1g}, {@code 512m}, {@code 1000}. */
  public static String format(long bytes) {
    String[] units = {"t", "g", "m", "k"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      if (bytes > 0 && bytes % (1L << shifts[i]) == 0) {
        return (bytes >> shifts[i]) + units[i];
      }
    }
    return Long.toString(bytes);
  }

  /** For messages: {@code 64 KiB}, {@code 1 MiB}, {@code 1000 bytes}. */
  public static String describe(long bytes) {
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      if (bytes > 0 && bytes % (1L << shifts[i]) == 0) {
        return (bytes >> shifts[i]) + " " + units[i];
      }
    }
    return bytes + " bytes";
  }
}
