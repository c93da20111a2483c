package dev.ssekit.conformance.checks;

import dev.ssekit.protocol.LineSplitter;
import dev.ssekit.protocol.Utf8StreamDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * A body split into lines the way the oracle splits them, for the lint checks that look at lines
 * rather than at dispatched events: field names, raw values, comments, and which terminators
 * were used.
 */
final class LineScan {

  /** One line and the block (events separated by blank lines) it belongs to. */
  record Line(String text, int block, int number) {
    boolean isBlank() {
      return text.isEmpty();
    }

    boolean isComment() {
      return text.startsWith(":");
    }

    /** The field name: everything before the first colon, or the whole line. */
    String field() {
      int colon = text.indexOf(':');
      return colon < 0 ? text : text.substring(0, colon);
    }

    /** The value with one leading space removed, as a client reads it. */
    String value() {
      int colon = text.indexOf(':');
      if (colon < 0) return "";
      String v = text.substring(colon + 1);
      return v.startsWith(" ") ? v.substring(1) : v;
    }
  }

  final List<Line> lines = new ArrayList<>();
  int crlf;
  int lf;
  int cr;
  /** Characters after the last line terminator (an unterminated tail). */
  String tail = "";

  static LineScan of(byte[] body, int maxLineChars) {
    LineScan scan = new LineScan();
    int[] block = {0};
    LineSplitter splitter = new LineSplitter(new LineSplitter.Sink() {
      @Override
      public void line(CharSequence line) {
        scan.lines.add(new Line(line.toString(), block[0], scan.lines.size() + 1));
        if (line.length() == 0) block[0]++;
      }

      @Override
      public void lineTooLong(int limit) {
        // FramingChecks reports the limit through the oracle; the scan just stops.
      }
    }, maxLineChars);
    StringBuilder current = new StringBuilder();
    Utf8StreamDecoder decoder = new Utf8StreamDecoder(cp -> {
      splitter.codePoint(cp);
      if (cp == '\r' || cp == '\n') current.setLength(0);
      else if (current.length() < 4096) current.appendCodePoint(cp);
    });
    decoder.feed(body, 0, body.length);
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\r') {
        if (i + 1 < body.length && body[i + 1] == '\n') {
          scan.crlf++;
          i++;
        } else {
          scan.cr++;
        }
      } else if (body[i] == '\n') {
        scan.lf++;
      }
    }
    scan.tail = current.toString();
    return scan;
  }

  /** Terminator styles seen, for evidence. */
  String terminators() {
    return "CRLF " + crlf + ", LF " + lf + ", CR " + cr;
  }
}
