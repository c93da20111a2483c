package dev.ssekit.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The oracle: reads {@code text/event-stream} bytes exactly as the WHATWG HTML standard's
 * "interpret an event stream" algorithm (§9.2.6) does, fed in chunks of any size, with no I/O,
 * threads or clocks. Bytes go through {@link Utf8StreamDecoder}, {@link LineSplitter} and
 * {@link EventAssembler}; items come out to a consumer in stream order. Bytes after the last
 * line terminator are discarded at {@link #end()}, as a client discards them at end of stream.
 *
 * <p>Hostile streams cost bounded memory: a line or event past its limit is reported once as
 * {@link StreamItem.LimitExceeded} and the rest of the stream is ignored.
 */
public final class EventStreamParser implements StreamReader {

  /** Default cap on one line, in characters. */
  public static final int DEFAULT_MAX_LINE_CHARS = 1 << 20;
  /** Default cap on one event's data, in characters. */
  public static final int DEFAULT_MAX_EVENT_CHARS = 8 << 20;

  private final Consumer<StreamItem> sink;
  private final EventAssembler assembler;
  private final LineSplitter splitter;
  private final Utf8StreamDecoder decoder;
  private final int maxEventChars;
  private long bytesRead;
  private boolean stopped;

  /** A parser for a fresh stream with the default limits. */
  public EventStreamParser(Consumer<StreamItem> sink) {
    this(sink, "", DEFAULT_MAX_LINE_CHARS, DEFAULT_MAX_EVENT_CHARS);
  }

  /**
   * @param sink receives items in stream order
   * @param lastEventId the last event ID from an earlier connection of the same client ("" for none)
   * @param maxLineChars the longest line accepted
   * @param maxEventChars the most data one event may accumulate
   */
  public EventStreamParser(Consumer<StreamItem> sink, String lastEventId, int maxLineChars, int maxEventChars) {
    if (maxLineChars < 1 || maxEventChars < 1) throw new IllegalArgumentException("limits must be positive");
    this.sink = sink;
    this.maxEventChars = maxEventChars;
    this.assembler = new EventAssembler(sink, lastEventId, maxEventChars);
    this.splitter = new LineSplitter(new LineSplitter.Sink() {
      @Override
      public void line(CharSequence line) {
        if (!stopped && !assembler.line(line)) stop("event", EventStreamParser.this.maxEventChars);
      }

      @Override
      public void lineTooLong(int limit) {
        stop("line", limit);
      }
    }, maxLineChars);
    this.decoder = new Utf8StreamDecoder(splitter::codePoint);
  }

  /** Reads all of {@code whole} as one stream and returns what it dispatched. */
  public static List<StreamItem> parse(byte[] whole) {
    List<StreamItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(items::add);
    p.feed(whole);
    p.end();
    return items;
  }

  /**
   * Reads all of {@code whole} as one stream and returns what a client acts on: the events it
   * dispatches and the retry times it takes, in stream order (no comments; the default limits).
   */
  public static List<ParsedItem> parsedItems(byte[] whole) {
    List<ParsedItem> items = new ArrayList<>();
    EventStreamParser p = new EventStreamParser(item -> {
      if (item instanceof ParsedItem parsed) items.add(parsed);
    });
    p.feed(whole);
    p.end();
    return items;
  }

  public void feed(byte[] chunk) {
    feed(chunk, 0, chunk.length);
  }

  /** Feeds the next {@code len} bytes of the stream. */
  @Override
  public void feed(byte[] chunk, int off, int len) {
    if (stopped) return;
    // Byte by byte so a limit stops reading exactly where it was passed.
    for (int i = off; i < off + len && !stopped; i++) {
      bytesRead++;
      decoder.feed(chunk, i, 1);
    }
  }

  /** The end of the stream: an unfinished UTF-8 sequence is decoded, and the unfinished line dropped. */
  @Override
  public void end() {
    if (!stopped) decoder.end();
  }

  /** The last event ID string now (what a reconnect would send). */
  @Override
  public String lastEventId() {
    return assembler.lastEventId();
  }

  /** Bytes fed so far, up to where a limit stopped reading. */
  public long bytesRead() {
    return bytesRead;
  }

  /** True once a limit was passed. */
  @Override
  public boolean stopped() {
    return stopped;
  }

  /** Characters of the current unterminated line (what end of stream would discard). */
  public int pendingLineChars() {
    return splitter.pendingChars();
  }

  private void stop(String what, int limit) {
    if (stopped) return;
    stopped = true;
    sink.accept(new StreamItem.LimitExceeded(what, limit, bytesRead));
  }
}
