package dev.ssekit.protocol;

/**
 * What the oracle reports while it reads an event stream, in stream order. {@link Event} is the
 * {@code MessageEvent} a browser would fire; {@link RetryHint} is a valid {@code retry} field (it
 * takes effect when its line is processed, dispatched or not); {@link Comment} is a comment line;
 * {@link LimitExceeded} says the stream passed a safety limit and the rest of it was not read.
 */
public sealed interface StreamItem
    permits StreamItem.Event, StreamItem.RetryHint, StreamItem.Comment, StreamItem.LimitExceeded {

  /**
   * A dispatched event (WHATWG HTML §9.2.6, "dispatch the event").
   *
   * @param type the event type, {@code message} when the stream named none
   * @param data the data buffer without its final LF
   * @param lastEventId the last event ID string at dispatch time
   */
  record Event(String type, String data, String lastEventId) implements StreamItem {}

  /** A {@code retry} field made only of ASCII digits that fits in a {@code long}: milliseconds. */
  record RetryHint(long millis) implements StreamItem {}

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
}
