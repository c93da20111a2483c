package dev.ssekit.server;

import java.nio.charset.StandardCharsets;

/**
 * Encodes events to {@code text/event-stream} bytes (WHATWG HTML §9.2.5). Stateless; each event
 * is encoded once per publish and the bytes are shared by every subscriber. The id line is
 * encoded apart ({@link #idLine}) so the body can be encoded before the publish lock is taken.
 */
final class EventEncoder {

  private EventEncoder() {}

  /**
   * {@code id: <id>\n}. A space after the colon: the client strips exactly one, so an id's own
   * leading space survives. The caller has refused CR, LF and NUL
   * ({@link PublishHandler#validate}).
   */
  static byte[] idLine(String id) {
    return ("id: " + id + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The event's type and data lines and the blank line that dispatches it. */
  static byte[] body(String type, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 32);
    if (type != null && !type.isEmpty()) sb.append("event: ").append(type).append('\n');
    appendData(sb, data);
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One {@code data:} line per line of the payload, split at every CRLF, lone CR and lone LF, so
   * the client rebuilds the payload with LF between the lines (§9.2.6, the {@code data} rule).
   * A trailing line terminator yields a last empty {@code data:} line, which the client's
   * trailing-LF removal turns back into the payload's final LF.
   */
  static void appendData(StringBuilder sb, String data) {
    int start = 0;
    int n = data.length();
    for (int i = 0; i < n; i++) {
      char c = data.charAt(i);
      if (c == '\r' || c == '\n') {
        appendDataLine(sb, data, start, i);
        if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') i++;
        start = i + 1;
      }
    }
    appendDataLine(sb, data, start, n);
  }

  private static void appendDataLine(StringBuilder sb, String data, int from, int to) {
    if (from == to) {
      sb.append("data:\n");
    } else {
      sb.append("data: ").append(data, from, to).append('\n');
    }
  }

  /** A comment block: every line of {@code text} prefixed with a colon, CR and LF neutralised. */
  static byte[] comment(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    sb.append(": ");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') sb.append(' ');
      else sb.append(c);
    }
    sb.append("\n\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
