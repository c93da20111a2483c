package dev.ssekit.protocol;

/**
 * What the oracle reports while it reads an event stream, in stream order. The items a conforming
 * client acts on are {@link ParsedItem}s: a {@link DispatchedEvent} is the {@code MessageEvent} a
 * browser would fire; a {@link Retry} is a valid {@code retry} field (it takes effect when its line
 * is processed, dispatched or not). Beside them the oracle reports {@link Comment}, a comment line,
 * and {@link LimitExceeded}: the stream passed a safety limit and the rest of it was not read. An
 * engine model ({@link Engine}) also reports each {@link Departure} it takes from the standard.
 */
public sealed interface StreamItem permits ParsedItem, StreamItem.Comment, StreamItem.LimitExceeded, StreamItem.Departure {

  /** A comment line, without its leading colon. */
  record Comment(String text) implements StreamItem {}

  /**
   * The stream passed a limit that keeps a hostile stream from costing unbounded memory.
   *
   * @param what {@code line} or {@code event}
   * @param limit the limit, in characters
   * @param byteOffset how many bytes had been read when it was passed
   */
  record LimitExceeded(String what, int limit, long byteOffset) implements StreamItem {}

  /**
   * A browser engine's model read these bytes differently from the standard (never reported by the
   * standard's own reader).
   *
   * @param engine whose departure it is
   * @param what what the engine does, in a sentence a developer can act on
   * @param byteOffset where in the body the byte that causes it is (0-based)
   */
  record Departure(Engine engine, String what, long byteOffset) implements StreamItem {}
}
