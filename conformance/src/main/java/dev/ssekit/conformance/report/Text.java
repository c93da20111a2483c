package dev.ssekit.conformance.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text shaping shared by the writers. Anything a report shows may have come from a hostile
 * server, so each output format gets its own escaping here, and nothing is trusted to be
 * well-formed UTF-16.
 */
final class Text {
  private Text() {}

  /** {@code s} with unpaired surrogates replaced by U+FFFD, so any encoder can write it; null stays null. */
  static String clean(String s) {
    if (s == null) return null;
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone = Character.isHighSurrogate(c)
          ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
      if (lone && sb == null) sb = new StringBuilder(s.length()).append(s, 0, i);
      if (sb != null) sb.append(lone ? '\uFFFD' : c);
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * {@code s} without the characters XML 1.0 cannot hold (controls other than TAB, LF, CR;
   * U+FFFE, U+FFFF; unpaired surrogates); null becomes empty.
   */
  static String xml(String s) {
    if (s == null) return "";
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      // XML 1.0 section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
      if (cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF || cp >= 0xE000 && cp <= 0xFFFD
          || cp >= 0x10000 && cp <= 0x10FFFF) {
        sb.appendCodePoint(cp);
      }
    });
    return sb.toString();
  }

  /** {@code s} escaped for HTML text and quoted attribute values ({@code & < > " '}); null becomes empty. */
  static String html(String s) {
    if (s == null) return "";
    String x = xml(s);
    StringBuilder sb = new StringBuilder(x.length() + 16);
    for (int i = 0; i < x.length(); i++) {
      char c = x.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        case '\r' -> { } // a CR alone would render as a line break the text never had
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * {@code s} safe to print on a terminal: controls (C0, DEL, C1, including ESC) shown as
   * {@code \xNN}, so a server cannot move the cursor or recolour the console; null becomes empty.
   */
  static String printable(String s) {
    if (s == null) return "";
    StringBuilder sb = new StringBuilder(s.length());
    clean(s).codePoints().forEach(cp -> {
      if (cp < 0x20 || cp >= 0x7f && cp < 0xa0) sb.append(String.format("\\x%02X", cp));
      else sb.appendCodePoint(cp);
    });
    return sb.toString();
  }

  /** The first line of {@code s} (up to CR or LF); null becomes empty. */
  static String firstLine(String s) {
    if (s == null) return "";
    int end = 0;
    while (end < s.length() && s.charAt(end) != '\n' && s.charAt(end) != '\r') end++;
    return s.substring(0, end);
  }

  /** {@code s} cut to at most {@code width} code points, ending in "…" when something was cut. */
  static String cut(String s, int width) {
    if (s.codePointCount(0, s.length()) <= width) return s;
    if (width <= 1) return "…";
    return s.substring(0, s.offsetByCodePoints(0, width - 1)) + "…";
  }

  /**
   * {@code s} (one line) wrapped at spaces into at most {@code maxLines} lines of at most
   * {@code width} code points; the last line ends in "…" when text was left over.
   */
  static List<String> wrap(String s, int width, int maxLines) {
    List<String> lines = new ArrayList<>();
    String rest = s.strip();
    while (!rest.isEmpty() && lines.size() < maxLines) {
      if (rest.codePointCount(0, rest.length()) <= width) {
        lines.add(rest);
        rest = "";
        break;
      }
      int limit = rest.offsetByCodePoints(0, width);
      int space = rest.lastIndexOf(' ', limit);
      int end = space > width / 2 ? space : limit;
      lines.add(rest.substring(0, end).stripTrailing());
      rest = rest.substring(end).strip();
    }
    if (!rest.isEmpty() && !lines.isEmpty()) {
      int last = lines.size() - 1;
      lines.set(last, cut(lines.get(last) + " " + rest, width));
    }
    return lines;
  }

  /** How long something took, for people: {@code 850 ms}, {@code 12.3 s}. */
  static String elapsed(long ms) {
    return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
