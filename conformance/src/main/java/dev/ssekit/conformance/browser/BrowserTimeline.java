package dev.ssekit.conformance.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The page's log ({@link PageReading}) split into the browser's connections: each connection's
 * events, when it opened and ended and the readyState after its end, with the readyState changes
 * as one line, the error events, the attempts that failed before opening, and the final state.
 *
 * @param events each connection's events, in order
 * @param opened when each connection's open event fired (wall ms)
 * @param ended when the error that ended each connection fired (wall ms), null while it was open
 * @param stateAfter the readyState right after each connection ended, or null
 * @param states the readyState changes, with times since the page started
 * @param errors how many error events fired
 * @param failedAttempts how many errors came without an open connection
 * @param finalState the last readyState sampled, or -1
 */
record BrowserTimeline(List<List<Parity.Ev>> events, List<Long> opened, List<Long> ended, List<Integer> stateAfter,
    String states, int errors, int failedAttempts, int finalState) {

  /** Splits the page's log at each {@code open}; an {@code error} ends the open connection. */
  static BrowserTimeline of(PageReading r) {
    List<List<Parity.Ev>> events = new ArrayList<>();
    List<Long> opened = new ArrayList<>();
    List<Long> ended = new ArrayList<>();
    List<Integer> stateAfter = new ArrayList<>();
    StringBuilder states = new StringBuilder();
    int errors = 0;
    int failedAttempts = 0;
    int finalState = -1;
    boolean open = false;
    for (JsonNode e : r.log()) {
      long t = e.get("t").asLong();
      switch (e.get("k").asText()) {
        case "state" -> {
          finalState = e.get("rs").asInt();
          states.append(states.length() == 0 ? "" : " → ").append(stateName(finalState))
              .append(" (+").append(t - r.started()).append(" ms)");
        }
        case "open" -> {
          open = true;
          opened.add(t);
          events.add(new ArrayList<>());
          ended.add(null);
          stateAfter.add(null);
        }
        case "event" -> {
          if (!events.isEmpty()) {
            events.get(events.size() - 1).add(new Parity.Ev(e.get("type").asText(), e.get("data").asText(),
                e.get("id").asText(), t));
          }
        }
        case "error" -> {
          errors++;
          if (open) {
            open = false;
            ended.set(ended.size() - 1, t);
            stateAfter.set(stateAfter.size() - 1, e.get("rs").asInt());
          } else {
            failedAttempts++;
          }
        }
        default -> { }
      }
    }
    return new BrowserTimeline(events, opened, ended, stateAfter, states.toString(), errors, failedAttempts, finalState);
  }

  /** How many events the browser dispatched in all. */
  int total() {
    return events.stream().mapToInt(List::size).sum();
  }

  /** Connection {@code c} (0 for the first) for {@link Parity#compare}. */
  Parity.BrowserConn connection(int c) {
    return new Parity.BrowserConn(events.get(c), opened.get(c), ended.get(c), stateAfter.get(c));
  }

  /** A readyState by name: CONNECTING, OPEN, CLOSED (? for none). */
  static String stateName(Integer rs) {
    if (rs == null) return "?";
    return switch (rs) {
      case 0 -> "CONNECTING";
      case 1 -> "OPEN";
      case 2 -> "CLOSED";
      default -> "?";
    };
  }
}
