package dev.ssekit.protocol;

import java.util.function.Consumer;

/**
 * A model of how Firefox's {@code EventSource} (Gecko's {@code EventSourceImpl}) reads an event
 * stream: a character state machine fed by the same UTF-8 decoder as the standard (one leading BOM
 * removed, invalid bytes replaced), which departs from the standard's algorithm where Gecko does
 * and nowhere else. Each departure is listed in {@link Engine#FIREFOX} and pinned against a real
 * Firefox by the browser parity tests:
 *
 * <ul>
 *   <li>A NUL in a field value is dropped, except as the value's first character (directly after
 *       the colon), where it is kept; the standard keeps every NUL in {@code data} and
 *       {@code event}.
 *   <li>A NUL later in an {@code id} value drops the id, and the line's end is not processed: the
 *       field name "id" stays and the next field line's name is appended to it, so that line is
 *       lost too (until a dispatch clears it). The standard ignores only that {@code id} line.
 *       An {@code id} whose only NUL is its first character is kept, NUL and all.
 *   <li>NULs at the start of a line after an LF are skipped: {@code "\0data: x"} is a data line, and
 *       a line of only NULs is an empty line (it dispatches).
 *   <li>A block with no data sets nothing: its {@code id} does not become the last event ID.
 *   <li>{@code retry} values are read as unsigned 32-bit numbers (wrapping past 4,294,967,295), an
 *       empty value counts as 0, and the result is raised to at least 500 ms; the {@link Retry}
 *       items this reader reports carry the delay Firefox takes.
 * </ul>
 *
 * <p>Memory is bounded as in {@link EventStreamParser}: a line or an event past its limit is
 * reported once as {@link StreamItem.LimitExceeded} and the rest of the stream is ignored.
 */
final class GeckoStreamReader implements StreamReader {

  /** Firefox's shortest reconnection delay, in ms ({@code MIN_RECONNECTION_TIME_VALUE}). */
  static final long MIN_RETRY_MILLIS = 500;

  private enum State { BEGIN_OF_STREAM, AFTER_CR, COMMENT, NAME, FIRST_VALUE_CHAR, VALUE, IGNORED_ID, BEGIN_OF_LINE }

  /** The block being read: Gecko creates it at the first named field line. */
  private static final class Block {
    String type = "";
    final StringBuilder data = new StringBuilder();
    String id; // null: no id field in this block
    long idOffset; // where the id line ended
  }

  private final Consumer<StreamItem> sink;
  private final int maxLineChars;
  private final int maxEventChars;
  private final Utf8StreamDecoder decoder;
  private final StringBuilder name = new StringBuilder();
  private final StringBuilder value = new StringBuilder();
  private State state = State.BEGIN_OF_STREAM;
  private Block block;
  private String lastEventId;
  private long bytesRead;
  private boolean stopped;
  private boolean ended;
  private int lineChars;

  GeckoStreamReader(Consumer<StreamItem> sink, String lastEventId, int maxLineChars, int maxEventChars) {
    if (maxLineChars < 1 || maxEventChars < 1) throw new IllegalArgumentException("limits must be positive");
    this.sink = sink;
    this.lastEventId = lastEventId;
    this.maxLineChars = maxLineChars;
    this.maxEventChars = maxEventChars;
    this.decoder = new Utf8StreamDecoder(this::character);
  }

  @Override
  public void feed(byte[] chunk, int off, int len) {
    for (int i = off; i < off + len && !stopped && !ended; i++) {
      bytesRead++;
      decoder.feed(chunk, i, 1);
    }
  }

  @Override
  public void end() {
    // Gecko drops the decoder and the fields at the end of a connection: the unfinished line and
    // block are lost, and nothing more is read.
    ended = true;
  }

  @Override
  public String lastEventId() {
    return lastEventId;
  }

  @Override
  public boolean stopped() {
    return stopped;
  }

  private void depart(String what) {
    sink.accept(new StreamItem.Departure(Engine.FIREFOX, what, bytesRead - 1));
  }

  private void character(int c) {
    if (stopped || ended) return;
    // The line limit counts every character of a line, as the standard's reader (LineSplitter) does.
    if (c == '\r' || c == '\n') {
      lineChars = 0;
    } else {
      lineChars += Character.charCount(c);
      if (lineChars > maxLineChars) {
        stop("line", maxLineChars);
        return;
      }
    }
    switch (state) {
      case BEGIN_OF_STREAM, AFTER_CR -> {
        if (c == '\r') {
          if (state == State.AFTER_CR) dispatch(); // an empty line ended by CR
          state = State.AFTER_CR;
        } else if (c == '\n') {
          state = State.BEGIN_OF_LINE;
        } else if (c == ':') {
          state = State.COMMENT;
        } else {
          appendName(c); // a NUL here is part of the name, as in the standard
        }
      }
      case BEGIN_OF_LINE -> {
        if (c == '\r') {
          dispatch();
          state = State.AFTER_CR;
        } else if (c == '\n') {
          dispatch();
        } else if (c == ':') {
          state = State.COMMENT;
        } else if (c != 0) {
          appendName(c);
        } else {
          depart("a NUL at the start of a line, which Firefox skips (the standard keeps it in the field name)");
        }
      }
      case COMMENT -> {
        if (c == '\r') state = State.AFTER_CR;
        else if (c == '\n') state = State.BEGIN_OF_LINE;
      }
      case NAME -> {
        if (c == '\r' || c == '\n') {
          endField(c);
        } else if (c == ':') {
          state = State.FIRST_VALUE_CHAR;
        } else {
          appendName(c);
        }
      }
      case FIRST_VALUE_CHAR -> {
        if (c == '\r' || c == '\n') {
          endField(c);
        } else if (c == ' ') {
          state = State.VALUE;
        } else {
          if (c == 0 && name.toString().equals("id")) {
            depart("an id value starting with NUL, which Firefox keeps as the last event ID (the standard ignores an id"
                + " containing NUL)");
          }
          appendValue(c); // kept even when it is a NUL
          state = State.VALUE;
        }
      }
      case VALUE -> {
        if (c == '\r' || c == '\n') {
          endField(c);
        } else if (c != 0) {
          appendValue(c);
        } else if (name.toString().equals("id")) {
          depart("a NUL inside an id value: Firefox ignores the id and also loses the next field line (the standard"
              + " ignores only the id)");
          value.setLength(0);
          state = State.IGNORED_ID; // the name stays "id": the line end below does not clear it
        } else if (name.toString().equals("data") || name.toString().equals("event")) {
          depart("a NUL inside the value of field \"" + name + "\", which Firefox drops (the standard keeps it)");
        }
        // a NUL in any other field's value is dropped too, with no effect: those fields are ignored
      }
      case IGNORED_ID -> {
        if (c == '\r') state = State.AFTER_CR;
        else if (c == '\n') state = State.BEGIN_OF_LINE;
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void appendName(int c) {
    name.appendCodePoint(c);
    state = State.NAME;
  }

  private void appendValue(int c) {
    value.appendCodePoint(c);
  }

  /** A field line ended by {@code c} (CR or LF): the field is set, then the next line begins. */
  private void endField(int c) {
    setField();
    state = c == '\r' ? State.AFTER_CR : State.BEGIN_OF_LINE;
  }

  private void setField() {
    if (name.length() == 0) {
      value.setLength(0);
      return;
    }
    if (block == null) block = new Block();
    switch (name.toString()) {
      case "data" -> {
        if (block.data.length() + value.length() + 1 > maxEventChars) {
          stop("event", maxEventChars);
          return;
        }
        block.data.append(value).append('\n');
      }
      case "event" -> block.type = value.toString();
      case "id" -> {
        block.id = value.toString();
        block.idOffset = bytesRead - 1;
      }
      case "retry" -> retry();
      default -> {
        // other names are ignored
      }
    }
    name.setLength(0);
    value.setLength(0);
  }

  /** Digits only, read as an unsigned 32-bit number (it wraps), then at least 500 ms. */
  private void retry() {
    long n = 0;
    for (int i = 0; i < value.length(); i++) {
      char d = value.charAt(i);
      if (d < '0' || d > '9') return;
      n = (n * 10 + (d - '0')) & 0xFFFF_FFFFL;
    }
    long taken = Math.max(MIN_RETRY_MILLIS, n);
    long standard = -1; // what the standard takes: digits within a long, else the field is ignored
    if (value.length() > 0) {
      try {
        standard = Long.parseLong(value.toString());
      } catch (NumberFormatException tooLarge) {
        // the standard ignores it
      }
    }
    if (taken != standard) {
      depart("retry \"" + value + "\", which Firefox takes as " + taken + " ms (at least 500, read as 32 bits)");
    }
    sink.accept(new Retry(taken));
  }

  private void dispatch() {
    Block b = block;
    block = null;
    name.setLength(0);
    value.setLength(0);
    if (b == null || b.data.length() == 0) {
      if (b != null && b.id != null && !b.id.equals(lastEventId)) {
        sink.accept(new StreamItem.Departure(Engine.FIREFOX, "a block with an id (\"" + b.id + "\") but no data, which"
            + " Firefox drops whole: the last event ID stays \"" + lastEventId + "\" (the standard sets it)", b.idOffset));
      }
      return; // its id, if any, is dropped with it
    }
    if (b.id != null) lastEventId = b.id;
    b.data.setLength(b.data.length() - 1);
    sink.accept(new DispatchedEvent(b.type.isEmpty() ? "message" : b.type, b.data.toString(), lastEventId));
  }

  private void stop(String what, int limit) {
    if (stopped) return;
    stopped = true;
    name.setLength(0);
    value.setLength(0);
    block = null;
    sink.accept(new StreamItem.LimitExceeded(what, limit, bytesRead));
  }
}
