package dev.ssekit.protocol;

/**
 * Reads one connection's {@code text/event-stream} body, fed in chunks of any size, and pushes
 * what it reads to a consumer in stream order: the standard's algorithm ({@link EventStreamParser})
 * or a model of one browser engine's ({@link Engine#reader}).
 */
public interface StreamReader {

  /** Feeds the next {@code len} bytes of the stream. */
  void feed(byte[] chunk, int off, int len);

  /** The end of the stream: the unfinished line and block are dropped. */
  void end();

  /** The last event ID now (what a reconnect would send). */
  String lastEventId();

  /** True once a safety limit stopped reading. */
  boolean stopped();
}
