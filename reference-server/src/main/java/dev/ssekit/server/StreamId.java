package dev.ssekit.server;

/**
 * A Redis stream entry id, {@code <milliseconds>-<sequence>}, as the broker's events carry it in
 * their {@code id} field: the order in which Redis appended them, the same on every instance.
 */
record StreamId(long millis, long sequence) implements Comparable<StreamId> {

  /** The id in {@code text}, or null when it is not one (then it was not issued by a broker). */
  static StreamId parse(String text) {
    int dash = text.indexOf('-');
    if (dash <= 0 || dash == text.length() - 1 || dash > 20 || text.length() - dash > 21) return null;
    try {
      long ms = Long.parseUnsignedLong(text.substring(0, dash));
      long seq = Long.parseUnsignedLong(text.substring(dash + 1));
      if (ms < 0 || seq < 0 || !text.equals(ms + "-" + seq)) return null; // no signs, no leading zeros
      return new StreamId(ms, seq);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public int compareTo(StreamId o) {
    int c = Long.compare(millis, o.millis);
    return c != 0 ? c : Long.compare(sequence, o.sequence);
  }

  @Override
  public String toString() {
    return millis + "-" + sequence;
  }
}
