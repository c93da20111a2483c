package dev.ssekit.protocol;

import java.util.function.Consumer;

/**
 * Interprets lines as the WHATWG HTML standard's event stream algorithm does (§9.2.6): comments,
 * fields split at the first colon with one leading space removed, the four field names compared
 * literally, {@code id} values containing NUL ignored, {@code retry} accepted only as ASCII
 * digits, and dispatch on every empty line. The last event ID outlives dispatches and, seeded
 * through the constructor, reconnections (as browsers and web-platform-tests behave).
 */
public final class EventAssembler {

  private final Consumer<StreamItem> sink;
  private final int maxEventChars;
  private final StringBuilder data = new StringBuilder();
  private String eventType = "";
  private String lastEventIdBuffer;
  private String lastEventId;
  private boolean overflowed;

  /**
   * @param sink receives items in stream order
   * @param initialLastEventId the last event ID carried over from an earlier connection ("" for none)
   * @param maxEventChars the most characters the data buffer may hold before the stream is refused
   */
  public EventAssembler(Consumer<StreamItem> sink, String initialLastEventId, int maxEventChars) {
    this.sink = sink;
    this.lastEventIdBuffer = initialLastEventId;
    this.lastEventId = initialLastEventId;
    this.maxEventChars = maxEventChars;
  }

  /** The last event ID string: what a reconnect sends as {@code Last-Event-ID} (when not empty). */
  public String lastEventId() {
    return lastEventId;
  }

  /** True once the data buffer passed its limit; later lines are ignored. */
  public boolean overflowed() {
    return overflowed;
  }

  /** Processes one line (without its terminator); returns false once the event limit was passed. */
  public boolean line(CharSequence line) {
    if (overflowed) return false;
    int n = line.length();
    if (n == 0) {
      dispatch();
      return true;
    }
    if (line.charAt(0) == ':') {
      sink.accept(new StreamItem.Comment(line.subSequence(1, n).toString()));
      return true;
    }
    int colon = indexOf(line, ':');
    String field;
    String value;
    if (colon >= 0) {
      field = line.subSequence(0, colon).toString();
      int start = colon + 1;
      if (start < n && line.charAt(start) == ' ') start++; // exactly one space is removed
      value = line.subSequence(start, n).toString();
    } else {
      field = line.toString(); // the whole line is the name; the value is empty
      value = "";
    }
    return field(field, value);
  }

  private boolean field(String name, String value) {
    switch (name) {
      case "event" -> eventType = value;
      case "data" -> {
        if (data.length() + value.length() + 1 > maxEventChars) {
          overflowed = true;
          data.setLength(0);
          data.trimToSize();
          return false;
        }
        data.append(value).append('\n');
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) lastEventIdBuffer = value; // a NUL makes the field ignored
      }
      case "retry" -> {
        if (!value.isEmpty() && allAsciiDigits(value)) {
          // Digits only; values past 64 bits are ignored (as Blink does) rather than wrapped.
          try {
            sink.accept(new Retry(Long.parseLong(value)));
          } catch (NumberFormatException tooLarge) {
            // ignored
          }
        }
      }
      default -> {
        // Unknown field names (Data, " data", "data ", ...) are ignored, per the spec.
      }
    }
    return true;
  }

  private void dispatch() {
    lastEventId = lastEventIdBuffer; // step 1: even when nothing is dispatched
    if (data.length() == 0) { // step 2
      eventType = "";
      return;
    }
    data.setLength(data.length() - 1); // step 3: one trailing LF
    String type = eventType.isEmpty() ? "message" : eventType;
    DispatchedEvent event = new DispatchedEvent(type, data.toString(), lastEventId);
    data.setLength(0);
    if (data.capacity() > 1 << 16) data.trimToSize();
    eventType = "";
    sink.accept(event);
  }

  private static int indexOf(CharSequence s, char c) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) return i;
    return -1;
  }

  private static boolean allAsciiDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
}
