package dev.ssekit.conformance.browser;

import java.util.Arrays;
import java.util.Set;

/**
 * One generated event stream: its bytes, how they are cut into writes, and the event types a
 * browser could dispatch for it (a page cannot listen for every type, so it listens for these).
 *
 * @param bytes the whole body
 * @param chunks the length of each write, in order; they add up to {@code bytes.length}
 * @param pausesMillis the pause before each write
 * @param eventTypes every string that some line of the stream could make an event type
 */
record GeneratedStream(byte[] bytes, int[] chunks, int[] pausesMillis, Set<String> eventTypes) {

  GeneratedStream {
    if (chunks.length != pausesMillis.length) throw new IllegalArgumentException("one pause per chunk");
    if (Arrays.stream(chunks).sum() != bytes.length) throw new IllegalArgumentException("chunks must cover the bytes");
    if (Arrays.stream(chunks).anyMatch(n -> n <= 0)) throw new IllegalArgumentException("an empty chunk ends a chunked body");
    eventTypes = Set.copyOf(eventTypes);
  }

  /** The bytes as an escaped ASCII string: printable ASCII as is, {@code \r \n \\}, others {@code \xNN}. */
  static String escape(byte[] bytes, int off, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = off; i < off + len; i++) {
      int b = bytes[i] & 0xFF;
      switch (b) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (b >= 0x20 && b < 0x7F) sb.append((char) b);
          else sb.append(String.format("\\x%02X", b));
        }
      }
    }
    return sb.toString();
  }

  /** The whole body escaped, for failure messages. */
  String escaped() {
    return escape(bytes, 0, bytes.length);
  }

  /** Each write escaped and quoted, for failure messages: {@code ["data: a\r" "\nda" …]}. */
  String escapedChunks() {
    StringBuilder sb = new StringBuilder("[");
    int at = 0;
    for (int i = 0; i < chunks.length; i++) {
      if (i > 0) sb.append(' ');
      if (pausesMillis[i] > 0) sb.append('(').append(pausesMillis[i]).append(" ms)");
      sb.append('"').append(escape(bytes, at, chunks[i])).append('"');
      at += chunks[i];
    }
    return sb.append(']').toString();
  }
}
