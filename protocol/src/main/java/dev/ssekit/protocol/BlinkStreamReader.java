package dev.ssekit.protocol;

import java.util.function.Consumer;

/**
 * A model of how Chromium's {@code EventSource} (Blink's {@code EventSourceParser}) reads an event
 * stream: the standard's algorithm ({@link EventStreamParser}) with Blink's one departure in
 * parsing. A leading BOM directly followed by CR or LF: the standard decodes first (the BOM is
 * removed), so that CR or LF ends an empty first line; Blink recognises the BOM only when the byte
 * after it arrives and then skips that byte's line-end handling, so the CR or LF becomes the first
 * character of the next line's field name and that line is lost (e.g. {@code EF BB BF 0A "id: 7"}
 * leaves the last event ID unset). A CR LF pair after the BOM loses nothing: the LF still ends the
 * (ignored) line. This holds however the bytes are split into chunks.
 */
final class BlinkStreamReader implements StreamReader {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final Consumer<StreamItem> sink;
  private final EventStreamParser parser;
  private final byte[] head = new byte[4];
  private int held;
  private boolean passing;

  BlinkStreamReader(Consumer<StreamItem> sink, String lastEventId, int maxLineChars, int maxEventChars) {
    this.sink = sink;
    parser = new EventStreamParser(sink, lastEventId, maxLineChars, maxEventChars);
  }

  /**
   * The bytes Blink effectively reads for a whole stream: the same bytes, or, where the BOM
   * departure applies, with the CR or LF after the BOM replaced by a byte that is not a line end
   * and spoils the field name the same way; {@code null} when it does not apply.
   */
  static byte[] effectiveBytes(byte[] bytes) {
    if (!bomThenLineEnd(bytes, bytes.length)) return null;
    byte[] read = bytes.clone();
    read[3] = 0x01;
    return read;
  }

  private static boolean bomThenLineEnd(byte[] b, int n) {
    if (n < 4) return false;
    for (int i = 0; i < 3; i++) if (b[i] != BOM[i]) return false;
    return b[3] == '\r' || b[3] == '\n';
  }

  @Override
  public void feed(byte[] chunk, int off, int len) {
    int i = off;
    while (!passing && i < off + len) {
      head[held++] = chunk[i++];
      boolean bomSoFar = true;
      for (int k = 0; k < Math.min(held, 3); k++) bomSoFar &= head[k] == BOM[k];
      if (!bomSoFar || held == 4) release();
    }
    if (i < off + len) parser.feed(chunk, i, off + len - i);
  }

  private void release() {
    if (bomThenLineEnd(head, held)) {
      sink.accept(new StreamItem.Departure(Engine.CHROMIUM, "a BOM directly followed by " + (head[3] == '\r' ? "CR" : "LF")
          + ": Chromium loses the next line (the standard reads that " + (head[3] == '\r' ? "CR" : "LF")
          + " as an empty first line)", 3));
      head[3] = 0x01;
    }
    parser.feed(head, 0, held);
    passing = true;
  }

  @Override
  public void end() {
    if (!passing) release();
    parser.end();
  }

  @Override
  public String lastEventId() {
    return parser.lastEventId();
  }

  @Override
  public boolean stopped() {
    return parser.stopped();
  }
}
