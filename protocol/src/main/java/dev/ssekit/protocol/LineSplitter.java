package dev.ssekit.protocol;

/**
 * Splits decoded code points into lines at CRLF, lone LF and lone CR (WHATWG HTML §9.2.5
 * {@code end-of-line}); a CR at the end of one chunk and an LF at the start of the next are one
 * terminator, because the splitter remembers the CR across calls. U+0085, U+2028, U+2029, VT and
 * FF are ordinary characters. A line longer than the limit is reported instead of buffered.
 */
public final class LineSplitter {

  /** Receives complete lines, without their terminator. */
  public interface Sink {
    void line(CharSequence line);

    /** The current line passed {@code limit} characters; nothing more will be delivered. */
    void lineTooLong(int limit);
  }

  private final Sink sink;
  private final int maxLineChars;
  private final StringBuilder line = new StringBuilder();
  private boolean afterCr;
  private boolean overflowed;

  public LineSplitter(Sink sink, int maxLineChars) {
    this.sink = sink;
    this.maxLineChars = maxLineChars;
  }

  public void codePoint(int cp) {
    if (overflowed) return;
    if (cp == '\n') {
      if (afterCr) {
        afterCr = false; // the LF of a CRLF: the line already ended at the CR
        return;
      }
      endLine();
      return;
    }
    afterCr = false;
    if (cp == '\r') {
      afterCr = true;
      endLine();
      return;
    }
    line.appendCodePoint(cp);
    if (line.length() > maxLineChars) {
      overflowed = true;
      line.setLength(0);
      line.trimToSize();
      sink.lineTooLong(maxLineChars);
    }
  }

  /** Characters of the unterminated line held now (what end of stream discards). */
  public int pendingChars() {
    return line.length();
  }

  private void endLine() {
    sink.line(line);
    line.setLength(0);
    if (line.capacity() > 1 << 16) line.trimToSize();
  }
}
