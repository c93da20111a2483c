package dev.ssekit.server;

/**
 * One event to publish. The compact constructor refuses what cannot be framed safely: a type or
 * id containing CR or LF would end its field early and inject fields or events (WHATWG HTML
 * §9.2.5: field values exclude CR and LF), and an id containing U+0000 is ignored by every client
 * (§9.2.6, the {@code id} field rule), which would silently break resumption.
 *
 * @param type event type, {@code null} or empty for the default {@code message}
 * @param data payload; any line terminator (CRLF, CR, LF) becomes a new {@code data:} line
 * @param id event id, never empty or {@code null} once published
 */
record OutboundEvent(String type, String data, String id) {

  OutboundEvent {
    if (data == null) throw new IllegalArgumentException("data must be a string");
    if (type != null && hasLineBreak(type)) {
      throw new IllegalArgumentException("event must not contain CR or LF");
    }
    if (id != null) {
      if (hasLineBreak(id)) throw new IllegalArgumentException("id must not contain CR or LF");
      if (id.indexOf('\0') >= 0) throw new IllegalArgumentException("id must not contain NUL");
    }
  }

  private static boolean hasLineBreak(String s) {
    return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
  }
}
