package dev.ssekit.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Who reads an event stream: the WHATWG standard ({@link #SPEC}, the oracle) or a model of a
 * browser engine's {@code EventSource}. Each engine model departs from the standard exactly where
 * that engine does (confirmed against the engine's source and pinned against the real browser by
 * the parity tests) and nowhere else.
 */
public enum Engine {

  /** The standard's algorithm (WHATWG HTML §9.2.6), as {@link EventStreamParser} implements it. */
  SPEC("the standard", 0),

  /**
   * Chromium (Blink). Parsing: a leading BOM directly followed by CR or LF loses the next line
   * ({@link BlinkStreamReader}). Response: a {@code Content-Type} with a {@code charset} other than
   * UTF-8 fails the connection. Reconnects after 3 s unless the stream says otherwise.
   */
  CHROMIUM("Chromium", 3000),

  /**
   * Firefox (Gecko). Parsing: NULs in field values dropped, an {@code id} with a NUL loses the next
   * field line, NULs at a line's start skipped, an id-only block does not set the last event ID,
   * {@code retry} at least 500 ms ({@link GeckoStreamReader}). Fires {@code open} only at the
   * first body byte ({@link #opensAtFirstByte()}). Reconnects after 5 s unless the stream says
   * otherwise.
   */
  FIREFOX("Firefox", 5000);

  private final String title;
  private final long defaultRetryMillis;

  Engine(String title, long defaultRetryMillis) {
    this.title = title;
    this.defaultRetryMillis = defaultRetryMillis;
  }

  /** How people call it: "the standard", "Chromium", "Firefox". */
  public String title() {
    return title;
  }

  /** The lower-case name used on command lines and in reports: spec, chromium, firefox. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The engine named {@code id} (spec, chromium, firefox; any case), or null. */
  public static Engine byId(String id) {
    for (Engine e : values()) if (e.id().equalsIgnoreCase(id)) return e;
    return null;
  }

  /**
   * True when the engine fires {@code open} (readyState OPEN) only once the first byte of the body
   * (or the body's end) arrives, not when the response head does as the standard says ("announce
   * the connection" on the response): Firefox. A stream whose server sends its head and then nothing stays CONNECTING
   * there until its first event (measured: open 2.5 s after the head when the first byte came
   * 2.5 s later; Chromium opened after 5 ms).
   */
  public boolean opensAtFirstByte() {
    return this == FIREFOX;
  }

  /** The browser engines (all but the standard). */
  public static List<Engine> browsers() {
    return List.of(CHROMIUM, FIREFOX);
  }

  /**
   * The reconnection delay the engine starts with, in ms, before any {@code retry} field; 0 for
   * the standard, which leaves it to the user agent.
   */
  public long defaultRetryMillis() {
    return defaultRetryMillis;
  }

  /**
   * A reader of one connection's body as this engine reads it.
   *
   * @param sink receives items in stream order
   * @param lastEventId the last event ID from an earlier connection ("" for none)
   * @param maxLineChars the longest line accepted
   * @param maxEventChars the most data one event may accumulate
   */
  public StreamReader reader(Consumer<StreamItem> sink, String lastEventId, int maxLineChars, int maxEventChars) {
    return switch (this) {
      case SPEC -> new EventStreamParser(sink, lastEventId, maxLineChars, maxEventChars);
      case CHROMIUM -> new BlinkStreamReader(sink, lastEventId, maxLineChars, maxEventChars);
      case FIREFOX -> new GeckoStreamReader(sink, lastEventId, maxLineChars, maxEventChars);
    };
  }

  /** Reads all of {@code whole} as one connection's body (default limits) and returns what it yields. */
  public List<StreamItem> parse(byte[] whole) {
    List<StreamItem> items = new ArrayList<>();
    StreamReader r = reader(items::add, "", EventStreamParser.DEFAULT_MAX_LINE_CHARS,
        EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    r.feed(whole, 0, whole.length);
    r.end();
    return items;
  }

  /** The events alone of {@link #parse}. */
  public List<DispatchedEvent> events(byte[] whole) {
    List<DispatchedEvent> events = new ArrayList<>();
    for (StreamItem i : parse(whole)) if (i instanceof DispatchedEvent e) events.add(e);
    return events;
  }

  /**
   * Why this engine fails a {@code 200} response with this {@code Content-Type} that the standard
   * reads, or null when it reads it as the standard does. Only Chromium refuses one: a
   * {@code charset} parameter other than UTF-8 (the standard ignores MIME type parameters).
   */
  public String refusal(String contentType) {
    if (this != CHROMIUM || contentType == null) return null;
    String[] parts = contentType.split(";");
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase("charset")) continue;
      String charset = p.substring(eq + 1).trim();
      if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
        charset = charset.substring(1, charset.length() - 1);
      }
      if (!charset.isEmpty() && !charset.equalsIgnoreCase("utf-8")) {
        return "Chromium fails a response whose charset (" + charset + ") is not UTF-8";
      }
    }
    return null;
  }
}
