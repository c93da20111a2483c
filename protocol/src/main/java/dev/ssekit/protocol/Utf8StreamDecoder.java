package dev.ssekit.protocol;

/**
 * The WHATWG Encoding standard's UTF-8 decoder, fed in chunks: invalid bytes become U+FFFD one
 * maximal subpart at a time, sequences split across chunks are joined, and one leading BOM (EF BB
 * BF) is removed, even when its bytes arrive in different chunks ("UTF-8 decode", as the event
 * stream algorithm requires in WHATWG HTML §9.2.6). Code points are pushed to a {@link Sink}.
 */
public final class Utf8StreamDecoder {

  /** Receives decoded code points. */
  @FunctionalInterface
  public interface Sink {
    void codePoint(int cp);
  }

  private static final int REPLACEMENT = 0xFFFD;
  private final Sink sink;
  private int needed;
  private int seen;
  private int codePoint;
  private int lower = 0x80;
  private int upper = 0xBF;
  private boolean atStart = true;

  public Utf8StreamDecoder(Sink sink) {
    this.sink = sink;
  }

  /** Decodes {@code len} bytes of {@code bytes} from {@code off}. */
  public void feed(byte[] bytes, int off, int len) {
    for (int i = off; i < off + len; i++) {
      int b = bytes[i] & 0xFF;
      if (!decode(b)) {
        // The byte did not continue the sequence: the sequence is an error, and the byte is
        // processed again from the start (the Encoding standard "prepends" it to the stream).
        decode(b);
      }
    }
  }

  /** Ends the stream: an unfinished sequence is one U+FFFD. */
  public void end() {
    if (needed != 0) {
      reset();
      emit(REPLACEMENT);
    }
  }

  /** Returns false when {@code b} must be processed again after an error was emitted. */
  private boolean decode(int b) {
    if (needed == 0) {
      if (b <= 0x7F) {
        emit(b);
      } else if (b >= 0xC2 && b <= 0xDF) {
        needed = 1;
        codePoint = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lower = 0xA0;
        if (b == 0xED) upper = 0x9F;
        needed = 2;
        codePoint = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lower = 0x90;
        if (b == 0xF4) upper = 0x8F;
        needed = 3;
        codePoint = b & 0x07;
      } else {
        emit(REPLACEMENT);
      }
      return true;
    }
    if (b < lower || b > upper) {
      reset();
      emit(REPLACEMENT);
      return false;
    }
    lower = 0x80;
    upper = 0xBF;
    codePoint = (codePoint << 6) | (b & 0x3F);
    if (++seen == needed) {
      int cp = codePoint;
      reset();
      emit(cp);
    }
    return true;
  }

  private void reset() {
    needed = 0;
    seen = 0;
    codePoint = 0;
    lower = 0x80;
    upper = 0xBF;
  }

  private void emit(int cp) {
    // EF BB BF is the only byte sequence that decodes to a first U+FEFF: dropping that code
    // point is exactly "UTF-8 decode"'s BOM sniffing, however the three bytes were chunked.
    if (atStart) {
      atStart = false;
      if (cp == 0xFEFF) return;
    }
    sink.codePoint(cp);
  }
}
