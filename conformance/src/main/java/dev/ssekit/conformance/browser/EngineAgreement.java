package dev.ssekit.conformance.browser;

import dev.ssekit.conformance.checks.Findings;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Engine;
import dev.ssekit.protocol.StreamItem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lifecycle.browser-engines-agree}: the bytes a server sent, read by the standard and by
 * each browser engine's model ({@link Engine}), must give the same events. A stream can be valid
 * and still be read differently by Chromium and Firefox (a NUL in data, an id-only block, a BOM
 * before a line end, a charset parameter): then users of one browser lose or get changed events,
 * which is what "works in one browser" bug reports are about. The failure names the engine, the
 * event, and the byte that causes it, with the line it is in. Departures that change no event
 * (a {@code retry} Firefox raises to 500 ms) are notes. Pure: judges recordings, drives no browser;
 * the browser views confirm the models against the live engines.
 */
public final class EngineAgreement {

  /** The check's id. */
  public static final String CHECK_ID = "lifecycle.browser-engines-agree";
  /** What a passing server does. */
  public static final String SUMMARY = "Chromium, Firefox and the standard read the stream's bytes into the same events";
  static final String SPEC = "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation";

  private EngineAgreement() {}

  /**
   * Judges the oracle's recordings of the browser view: the first connection, and the one after the
   * reconnect when there was one (null otherwise).
   *
   * @param live the engines whose browsers ran beside these recordings, for the notes
   */
  public static CheckResult judge(Recording first, Recording second, List<Engine> live, long began) {
    List<String> differences = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int[] compared = {0};
    boolean any = compare("connection 1", first, differences, evidence, notes, compared);
    if (second != null) any |= compare("connection 2 (after the reconnect)", second, differences, evidence, notes, compared);
    if (!live.isEmpty()) {
      notes.add("seen live in " + String.join(" and ", live.stream().map(Engine::title).toList())
          + " (their browser-view checks hold each browser to its model)");
    }
    CheckResult.Status status;
    String message = null;
    if (!any) {
      status = CheckResult.Status.SKIPPED;
      message = "no readable event stream was recorded: nothing for the engines to read";
    } else if (differences.isEmpty()) {
      status = CheckResult.Status.PASSED;
      notes.add(compared[0] + " events read alike by the standard, Chromium and Firefox");
    } else {
      status = CheckResult.Status.FAILED;
      message = differences.get(0) + (differences.size() > 1 ? " (and " + (differences.size() - 1) + " more below)" : "");
      for (String d : differences) evidence.add(0, "difference: " + d);
    }
    return new CheckResult(CHECK_ID, "lifecycle", Severity.MUST, status, message, evidence, notes, SPEC, "-", SUMMARY,
        System.currentTimeMillis() - began, Severity.MUST);
  }

  /** Adds the differences of one recording; false when it is not a readable event stream. */
  private static boolean compare(String label, Recording rec, List<String> differences, List<String> evidence,
      List<String> notes, int[] compared) {
    if (rec == null || !rec.responded() || !rec.decodable() || !Parity.isEventStream(rec)) return false;
    byte[] body = rec.body();
    List<DispatchedEvent> spec = events(rec, Engine.SPEC, null);
    compared[0] += spec.size();
    for (Engine engine : Engine.browsers()) {
      String refusal = engine.refusal(rec.header("Content-Type"));
      if (refusal != null) {
        differences.add(label + ": " + refusal + " (Content-Type: " + Findings.escape(rec.header("Content-Type"))
            + "), so its users get none of the " + spec.size() + " events the standard and the other engine read;"
            + " send Content-Type: text/event-stream or text/event-stream; charset=utf-8");
        continue;
      }
      List<StreamItem.Departure> departures = new ArrayList<>();
      List<DispatchedEvent> read = events(rec, engine, departures);
      if (!read.equals(spec)) {
        differences.add(label + ": " + difference(engine, spec, read) + cause(departures, body));
        for (StreamItem.Departure d : departures) evidence.add(engine.title() + ": " + where(d, body));
      } else {
        for (StreamItem.Departure d : departures) notes.add(label + ": " + engine.title() + " (no event changed): " + d.what());
      }
    }
    return true;
  }

  private static List<DispatchedEvent> events(Recording rec, Engine engine, List<StreamItem.Departure> departures) {
    List<DispatchedEvent> out = new ArrayList<>();
    for (Recording.Timed<StreamItem> t : rec.timedItems(engine)) {
      if (t.item() instanceof DispatchedEvent e) out.add(e);
      else if (t.item() instanceof StreamItem.Departure d && departures != null) departures.add(d);
    }
    return out;
  }

  /** The first event where {@code engine}'s reading leaves the standard's, in a sentence. */
  static String difference(Engine engine, List<DispatchedEvent> spec, List<DispatchedEvent> read) {
    int k = 0;
    while (k < Math.min(spec.size(), read.size()) && spec.get(k).equals(read.get(k))) k++;
    String n = "event " + (k + 1);
    if (k >= read.size()) {
      return engine.title() + " dispatches " + read.size() + " events where the standard dispatches " + spec.size()
          + ": it loses " + n + " " + show(spec.get(k));
    }
    if (k >= spec.size()) {
      return engine.title() + " dispatches " + n + " " + show(read.get(k)) + ", which the standard does not";
    }
    return engine.title() + " reads " + n + " as " + show(read.get(k)) + " where the standard reads " + show(spec.get(k))
        + (read.size() != spec.size() ? " (" + read.size() + " events against " + spec.size() + ")" : "");
  }

  private static String cause(List<StreamItem.Departure> departures, byte[] body) {
    if (departures.isEmpty()) return "";
    return "; the cause: " + where(departures.get(0), body);
  }

  /** A departure with its byte offset and the line it is in, escaped. */
  static String where(StreamItem.Departure d, byte[] body) {
    return d.what() + ", at byte " + d.byteOffset() + " in the line " + line(body, (int) d.byteOffset());
  }

  /** The line holding byte {@code at}, with its terminator, escaped and quoted, at most 120 bytes. */
  static String line(byte[] body, int at) {
    if (at < 0 || at >= body.length) return "";
    int start = at;
    while (start > 0 && at - start < 60 && body[start - 1] != '\n' && body[start - 1] != '\r') start--;
    int end = at;
    while (end < body.length && end - start < 120) {
      byte b = body[end++];
      if (b == '\n') break;
      if (b == '\r') {
        if (end < body.length && body[end] == '\n') end++;
        break;
      }
    }
    return Findings.escape(Arrays.copyOfRange(body, start, end), 120);
  }

  private static String show(DispatchedEvent e) {
    return "{type " + Findings.escape(e.type()) + ", data " + Findings.escape(e.data()) + ", lastEventId "
        + Findings.escape(e.lastEventId()) + "}";
  }
}
