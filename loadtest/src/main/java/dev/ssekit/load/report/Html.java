package dev.ssekit.load.report;

import java.util.Locale;

/**
 * Text into {@code capacity.html} and its SVG charts: escaping, a table row, and the page's ways
 * of writing a count and a millisecond figure ("n/a" when not measured).
 */
final class Html {
  private Html() {}

  /** A table row: a header cell naming the figure and its value, both escaped. */
  static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th scope=\"row\">").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  /** A count with thousands separators, or "n/a". */
  static String count(Long v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%,d", v);
  }

  /** Milliseconds to one decimal, or "n/a". */
  static String ms(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** Text for HTML or XML content and attribute values: {@code & < > " '} escaped. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // Control characters are not allowed in XML (the SVGs): show them as U+FFFD.
          b.append(ch < 0x20 && ch != '\n' && ch != '\t' ? '\uFFFD' : ch);
        }
      }
    }
    return b.toString();
  }
}
