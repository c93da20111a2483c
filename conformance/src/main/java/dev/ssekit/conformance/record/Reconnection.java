package dev.ssekit.conformance.record;

import dev.ssekit.conformance.record.BrowserStream.Stop;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.Retry;
import java.time.Duration;

/**
 * What a browser's {@code EventSource} does when one of its connections ends (WHATWG HTML
 * §9.2.3), with the bounds {@link BrowserStream} adds: after a 200 {@code text/event-stream} that
 * the server ended, reconnect after the reconnection time with {@code Last-Event-ID} set to the
 * last event ID string; after anything else, fail for good. Keeps what the next connection needs
 * (its index, the Last-Event-ID it sends, the last {@code retry}, the streams ended empty in a row).
 * One per follow, used by its follower thread only.
 */
final class Reconnection {

  /**
   * Whether following stops after a connection.
   *
   * @param stop why, or null to reconnect
   * @param why a sentence for the stop, or null
   */
  record Verdict(Stop stop, String why) {
    static final Verdict RECONNECT = new Verdict(null, null);
  }

  private int index;
  private String sent;
  private String lastEventId = "";
  private long retryNanos = BrowserStream.DEFAULT_RETRY.toNanos();
  private int emptyInARow;

  /** The first connection, sending {@code lastEventId} (null: no header). */
  Reconnection(String lastEventId) {
    this.sent = lastEventId;
  }

  /** The connection this is (0 for the first). */
  int index() {
    return index;
  }

  /** The Last-Event-ID this connection sent, or null. */
  String lastEventIdSent() {
    return sent;
  }

  /**
   * Reads the ended connection's recording as the spec's parser leaves it (the last event ID
   * string, the last valid {@code retry}) and returns it as a {@link BrowserStream.Connection}.
   */
  BrowserStream.Connection ended(Recording r) {
    long[] retry = {-1};
    EventStreamParser p = new EventStreamParser(item -> {
      if (item instanceof Retry h) retry[0] = h.millis();
    }, sent == null ? "" : sent, EventStreamParser.DEFAULT_MAX_LINE_CHARS, EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    for (Recording.Chunk c : r.chunks()) p.feed(c.bytes());
    lastEventId = p.lastEventId();
    if (retry[0] >= 0) retryNanos = Duration.ofMillis(retry[0]).toNanos();
    return new BrowserStream.Connection(index, sent, r, lastEventId);
  }

  /**
   * Whether the follow stops after the connection that recorded {@code r}, and why.
   *
   * @param stopped whether the follow was stopped from outside
   * @param deadline the follow's window end ({@link System#nanoTime})
   */
  Verdict verdict(Recording r, boolean stopped, long deadline) {
    Stop end = switch (r.end()) {
      case ENOUGH -> stopped ? Stop.WINDOW : Stop.ENOUGH;
      case WINDOW -> Stop.WINDOW;
      case BYTE_CAP -> Stop.BYTE_CAP;
      case NO_RESPONSE -> Stop.NO_RESPONSE;
      case EOF, ERROR -> null;
    };
    if (end == null && !isEventStream(r)) {
      // The spec fails the connection for good: no reconnect after anything but a 200 event stream.
      end = r.responded() ? Stop.FAILED : index == 0 ? Stop.NO_RESPONSE : Stop.FAILED;
    }
    emptyInARow = r.status() == 200 && r.bodyLength() == 0 && r.end() == Recording.End.EOF ? emptyInARow + 1 : 0;
    if (end == null && emptyInARow >= BrowserStream.EMPTY_IN_A_ROW) {
      return new Verdict(Stop.FAILED, "the server ended the stream at once with an empty body " + emptyInARow
          + " times in a row (200, 0 bytes, then the end): nothing published can arrive, and a browser reconnects for ever");
    }
    if (end == null && index >= BrowserStream.MAX_RECONNECTS) end = Stop.RECONNECT_LIMIT;
    if (end == null && (stopped || System.nanoTime() >= deadline)) end = Stop.WINDOW;
    return end == null ? Verdict.RECONNECT : new Verdict(end, describe(end, r));
  }

  /** How long to wait before reconnecting: the reconnection time, at most {@link BrowserStream#MAX_RETRY_WAIT}. */
  long waitNanos() {
    return Math.min(retryNanos, BrowserStream.MAX_RETRY_WAIT.toNanos());
  }

  /** Moves on to the next connection, which sends the last event ID string (none when it is empty). */
  void next() {
    index++;
    sent = lastEventId.isEmpty() ? null : lastEventId;
  }

  private static boolean isEventStream(Recording r) {
    if (r.status() != 200) return false;
    String ct = r.header("Content-Type");
    return ct != null && ct.split(";", 2)[0].trim().equalsIgnoreCase("text/event-stream");
  }

  private String describe(Stop stop, Recording r) {
    return switch (stop) {
      case FAILED -> (index == 0 ? "the stream was answered with " : "reconnect #" + index + " was answered with ")
          + (r.responded() ? r.status() + " " + (r.header("Content-Type") == null ? "without Content-Type"
              : r.header("Content-Type")) : "no response (" + r.error() + ")")
          + (index == 0 ? "" : ": a browser fails the connection and never reconnects");
      case NO_RESPONSE -> "no response head within " + Recorder.HEAD_TIMEOUT.toSeconds() + " s";
      case RECONNECT_LIMIT -> "the server ended the stream " + (index + 1) + " times; the tool stopped following";
      case BYTE_CAP -> "a connection passed the tool's byte cap";
      default -> null;
    };
  }
}
