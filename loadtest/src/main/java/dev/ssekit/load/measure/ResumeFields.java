package dev.ssekit.load.measure;

/**
 * What resuming a stream depends on, read from one Gatling message: the {@code id} (a client
 * sends the last one as {@code Last-Event-ID}), the {@code retry} hint (how long a client waits
 * before reconnecting) and whether the block carried data (was an event).
 *
 * <p>Read by scanning Gatling's fixed layout, {@code {"event":"E","id":"I","data":…,"retry":N}}
 * (absent fields omitted), not with a JSON parser: Gatling writes {@code event} and {@code id}
 * unescaped, so a parser would misread an id with a backslash or a quote, or reject it.
 *
 * @param id the id field's value ({@code ""} when the block reset it), or {@code null} when the
 *     block had no id field or one the spec says to ignore (it contains U+0000)
 * @param retryMillis the retry field's value, or {@code -1}
 * @param hasData whether the block had a data field (a browser dispatches it as an event)
 */
public record ResumeFields(String id, long retryMillis, boolean hasData) {
  private static final String EVENT = "\"event\":\"";
  private static final String ID = "\"id\":\"";
  private static final String DATA = "\"data\":";
  private static final String RETRY = "\"retry\":";
  private static final ResumeFields NOTHING = new ResumeFields(null, -1, false);

  /** Reads one Gatling message. Never throws; a message not in Gatling's layout reads as nothing. */
  public static ResumeFields of(String m) {
    if (m == null || m.length() < 2 || m.charAt(0) != '{' || m.charAt(m.length() - 1) != '}') {
      return NOTHING;
    }
    int i = 1;
    if (m.startsWith(EVENT, i)) {
      i = nextField(m, i + EVENT.length());
      if (i < 0) {
        return NOTHING;
      }
    }
    String id = null;
    if (m.startsWith(ID, i)) {
      int start = i + ID.length();
      int end = nextField(m, start);
      if (end < 0) {
        // The id is the last field: it ends at the closing quote and brace.
        if (m.length() - 2 < start || m.charAt(m.length() - 2) != '"') {
          return NOTHING;
        }
        id = m.substring(start, m.length() - 2);
        i = m.length() - 1;
      } else {
        id = m.substring(start, end - 2);
        i = end;
      }
      if (id.indexOf('\0') >= 0) {
        id = null; // spec: an id field containing NULL is ignored
      }
    }
    boolean hasData = m.startsWith(DATA, i);
    return new ResumeFields(id, retry(m), hasData);
  }

  /**
   * Where the field after a raw string value starting at {@code from} begins: just past the first
   * {@code ",} that is followed by one of the later fields' names; {@code -1} when there is none.
   */
  private static int nextField(String m, int from) {
    for (int q = m.indexOf("\",", from); q >= 0; q = m.indexOf("\",", q + 1)) {
      int next = q + 2;
      if (m.startsWith(ID, next) || m.startsWith(DATA, next) || m.startsWith(RETRY, next)) {
        return next;
      }
    }
    return -1;
  }

  /** The retry field is always last: {@code ,"retry":N}} or {@code {"retry":N}}. */
  private static long retry(String m) {
    int r = m.lastIndexOf(RETRY);
    if (r < 1 || (m.charAt(r - 1) != ',' && m.charAt(r - 1) != '{')) {
      return -1;
    }
    String digits = m.substring(r + RETRY.length(), m.length() - 1);
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Long.parseLong(digits);
  }
}
