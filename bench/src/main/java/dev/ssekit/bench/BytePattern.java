package dev.ssekit.bench;

import java.nio.charset.StandardCharsets;

/**
 * Matches one ASCII pattern byte by byte with a shared KMP table; the match state is an int that
 * lives in the caller, so each of {@link HoldConnections}' thousands of connections scans its
 * bytes as they arrive without buffering them. Two patterns: {@link #EVENT_STREAM} (the
 * response's content type) and the fan-out's marker ({@link #forMarker}).
 */
final class BytePattern {

  static final BytePattern EVENT_STREAM = new BytePattern("text/event-stream".getBytes(StandardCharsets.US_ASCII));

  /** The table of the latest marker, shared by every connection. */
  private static volatile BytePattern lastMarker;

  final byte[] bytes;
  private final int[] fail;

  BytePattern(byte[] bytes) {
    this.bytes = bytes;
    this.fail = new int[bytes.length];
    for (int i = 1, k = 0; i < bytes.length; i++) {
      while (k > 0 && bytes[i] != bytes[k]) k = fail[k - 1];
      if (bytes[i] == bytes[k]) k++;
      fail[i] = k;
    }
  }

  /** One table per marker: the pattern of {@code marker} (the same array), built once. */
  static BytePattern forMarker(byte[] marker) {
    BytePattern p = lastMarker;
    if (p == null || p.bytes != marker) {
      p = new BytePattern(marker);
      lastMarker = p;
    }
    return p;
  }

  /** The next state after byte {@code b}; {@code bytes.length} means a full match. */
  int step(int state, byte b) {
    if (state == bytes.length) state = fail[state - 1];
    while (state > 0 && bytes[state] != b) state = fail[state - 1];
    return bytes[state] == b ? state + 1 : 0;
  }
}
