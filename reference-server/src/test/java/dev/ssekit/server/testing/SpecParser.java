package dev.ssekit.server.testing;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Retry;
import java.util.ArrayList;
import java.util.List;

/**
 * A test-only, independent implementation of the WHATWG "interpret an event stream" algorithm
 * (HTML §9.2.6), push-fed with byte chunks of any size. It decodes UTF-8 with the WHATWG decoder
 * (each invalid sequence becomes U+FFFD, never an error), strips one leading BOM, splits lines at
 * CR, LF and CRLF (a CR ending one chunk and an LF starting the next are one line end), applies the
 * field rules and records, in stream order, every {@link DispatchedEvent} and every valid
 * {@link Retry}. No I/O, threads or clocks; not thread-safe.
 *
 * <p>The last event ID is the one dispatch step 1 copies from the buffer; an id in a block that
 * never reaches its blank line does not change it. A digits-only {@code retry} too large for a
 * {@code long} is ignored (as Blink does); an empty {@code retry} reports nothing (D-09).
 */
public final class SpecParser {

  private static final int REPLACEMENT = 0xFFFD;
  private static final int BOM = 0xFEFF;

  private final List<ParsedItem> items = new ArrayList<>();

  // UTF-8 decoder state (WHATWG Encoding, "UTF-8 decoder").
  private int codePoint;
  private int bytesNeeded;
  private int bytesSeen;
  private int lowerBoundary = 0x80;
  private int upperBoundary = 0xBF;
  private boolean firstCodePoint = true;

  // Line splitter state.
  private final StringBuilder line = new StringBuilder();
  private boolean afterCr;

  // Event assembler state (§9.2.6 buffers).
  private final StringBuilder data = new StringBuilder();
  private String eventType = "";
  private String lastEventIdBuffer = "";
  private String lastEventId = "";
  private boolean ended;

  /**
   * Parses a whole stream that then ends.
   *
   * @param whole every byte of the body
   * @return the reported items
   */
  public static List<ParsedItem> parse(byte[] whole) {
    SpecParser parser = new SpecParser();
    parser.feed(whole);
    parser.end();
    return parser.items();
  }

  /**
   * Feeds the next chunk of the body.
   *
   * @param chunk bytes in stream order, possibly empty
   * @throws IllegalStateException after {@link #end()}
   */
  public void feed(byte[] chunk) {
    if (ended) throw new IllegalStateException("the stream has ended");
    for (byte b : chunk) decode(b & 0xFF);
  }

  /** Ends the stream: pending bytes, the unterminated line and the undispatched block are discarded. */
  public void end() {
    // The decoder's end-of-queue U+FFFD would only join the discarded unterminated line.
    ended = true;
    bytesNeeded = 0;
    line.setLength(0);
    data.setLength(0);
    eventType = "";
  }

  /** The items reported so far, in stream order. */
  public List<ParsedItem> items() {
    return List.copyOf(items);
  }

  /** The last event ID string: what a reconnect would send as {@code Last-Event-ID} ("" = none). */
  public String lastEventId() {
    return lastEventId;
  }

  private void decode(int b) {
    while (true) {
      if (bytesNeeded == 0) {
        if (b <= 0x7F) {
          codePoint(b);
        } else if (b >= 0xC2 && b <= 0xDF) {
          bytesNeeded = 1;
          codePoint = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
          if (b == 0xE0) lowerBoundary = 0xA0;
          if (b == 0xED) upperBoundary = 0x9F;
          bytesNeeded = 2;
          codePoint = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
          if (b == 0xF0) lowerBoundary = 0x90;
          if (b == 0xF4) upperBoundary = 0x8F;
          bytesNeeded = 3;
          codePoint = b & 0x07;
        } else {
          codePoint(REPLACEMENT); // F-01: an invalid lead byte
        }
        return;
      }
      if (b < lowerBoundary || b > upperBoundary) {
        // F-01: a truncated sequence is one U+FFFD, and the byte is processed again on its own.
        codePoint = 0;
        bytesNeeded = 0;
        bytesSeen = 0;
        lowerBoundary = 0x80;
        upperBoundary = 0xBF;
        codePoint(REPLACEMENT);
        continue;
      }
      lowerBoundary = 0x80;
      upperBoundary = 0xBF;
      codePoint = (codePoint << 6) | (b & 0x3F);
      if (++bytesSeen == bytesNeeded) {
        int complete = codePoint;
        codePoint = 0;
        bytesNeeded = 0;
        bytesSeen = 0;
        codePoint(complete);
      }
      return;
    }
  }

  private void codePoint(int cp) {
    boolean first = firstCodePoint;
    firstCodePoint = false;
    if (first && cp == BOM) return; // F-02: exactly one leading BOM is stripped, however it was chunked
    if (cp == '\n' && afterCr) {
      afterCr = false; // F-03: the LF of a CRLF, possibly from the next chunk
      return;
    }
    afterCr = cp == '\r';
    if (cp == '\r' || cp == '\n') {
      String complete = line.toString();
      line.setLength(0);
      processLine(complete);
    } else {
      line.appendCodePoint(cp);
    }
  }

  private void processLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') return; // D-11: comment
    int colon = text.indexOf(':');
    String name;
    String value;
    if (colon >= 0) {
      name = text.substring(0, colon);
      value = text.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1); // D-01: one space only
    } else {
      name = text; // D-02: the whole line is the name, the value is empty
      value = "";
    }
    switch (name) { // D-03: compared literally
      case "event" -> eventType = value;
      case "data" -> data.append(value).append('\n');
      case "id" -> {
        if (value.indexOf('\0') < 0) lastEventIdBuffer = value; // D-06: an id with NUL is ignored
      }
      case "retry" -> retry(value);
      default -> { } // D-12: unknown fields are ignored
    }
  }

  private void retry(String value) {
    if (value.isEmpty()) return; // D-09: no number to read
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') return; // D-08: ASCII digits only
    }
    try {
      items.add(new Retry(Long.parseLong(value)));
    } catch (NumberFormatException tooLarge) {
      // D-10: digits beyond 64 bits are ignored
    }
  }

  private void dispatch() {
    lastEventId = lastEventIdBuffer; // X-02 step 1, before the empty-data check
    if (data.length() == 0) {
      eventType = ""; // X-02 step 2: type reset although nothing is dispatched
      return;
    }
    data.setLength(data.length() - 1); // step 3: one trailing LF
    String type = eventType.isEmpty() ? "message" : eventType;
    items.add(new DispatchedEvent(type, data.toString(), lastEventId));
    data.setLength(0);
    eventType = "";
  }
}
