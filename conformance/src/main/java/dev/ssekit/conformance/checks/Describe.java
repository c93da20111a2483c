package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import java.util.List;
import java.util.Locale;

/**
 * How the checks' messages show what they saw, in one wording for every check family: a
 * response head ({@code 200 text/event-stream}, {@code no response (eof)}), how a recording
 * ended, an event ({@code {id "7", type "message", data "x"}}) and a list of ids, each value
 * escaped and cut short.
 */
final class Describe {
  private Describe() {}

  /** Why a recording has no response head: the recorder's error, or how it ended ({@code eof}, {@code window}). */
  static String noResponse(Recording r) {
    return r.error() == null ? r.end().name().toLowerCase(Locale.ROOT) : r.error();
  }

  /** The response head in brief: {@code 200 text/event-stream}, {@code 404 without Content-Type}, {@code no response (…)}. */
  static String head(Recording r) {
    if (!r.responded()) return "no response (" + noResponse(r) + ")";
    String ct = r.header("Content-Type");
    return r.status() + " " + (ct == null ? "without Content-Type" : ct);
  }

  /** How a recording ended, for a note: "the server ended it after 3 event(s)", "it stayed open and got 2 event(s)". */
  static String end(Recording r) {
    return switch (r.end()) {
      case EOF -> "the server ended it after " + r.events().size() + " event(s)";
      case ERROR -> "it failed after " + r.events().size() + " event(s): " + r.error();
      default -> "it stayed open and got " + r.events().size() + " event(s)";
    };
  }

  /** An event as messages and assertion failures show it: {@code {id "7", type "message", data "x"}}. */
  static String event(DispatchedEvent e) {
    return "{id " + brief(e.lastEventId(), 80) + ", type " + brief(e.type(), 80) + ", data " + brief(e.data(), 60) + "}";
  }

  /** At most {@code max} characters of {@code s} (then "…"), escaped. */
  static String brief(String s, int max) {
    return Findings.escape(s.length() > max ? s.substring(0, max) + "…" : s);
  }

  /** The ids of the first {@code max} of {@code events}, with how many there are in all. */
  static String ids(List<DispatchedEvent> events, int max) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < events.size() && i < max; i++) {
      if (i > 0) sb.append(", ");
      sb.append(brief(events.get(i).lastEventId(), 80));
    }
    if (events.size() > max) sb.append(", … ").append(events.size() - max).append(" more");
    return sb.append("] (").append(events.size()).append(" events)").toString();
  }
}
