package dev.ssekit.conformance.browser;

import dev.ssekit.conformance.checks.Findings;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Engine;
import dev.ssekit.protocol.StreamItem;
import dev.ssekit.protocol.StreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code lifecycle.browser-engines-agree}: the bytes a server sent, read by the standard and by
 * the model ({@link Engine}) of each engine {@code --browser} asked for, must give the same events
 * and leave the same last event ID (what a reconnect sends). A stream can be valid
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
  public static final String SUMMARY = "The browser engines asked for and the standard read the stream's bytes into the same"
      + " events, and resume from the same last event ID; a Firefox page is not left waiting for open (SHOULD)";
  static final String SPEC = "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation";

  private EngineAgreement() {}

  /** How long after the response head a first body byte may come before an engine that opens on it is a warning. */
  static final Duration OPEN_WAIT = Duration.ofSeconds(2);

  /**
   * Judges the oracle's recordings of the browser view: the first connection, and the one after the
   * reconnect when there was one (null otherwise), for the engines asked for.
   *
   * @param live the engines whose browsers ran beside these recordings, for the notes
   */
  public static CheckResult judge(Recording first, Recording second, List<Engine> engines, List<Engine> live,
      long began) {
    return judge(first, second, engines, live, false, began);
  }

  /**
   * As {@link #judge(Recording, Recording, List, List, long)}; with {@code strict}, a SHOULD finding
   * (an engine that fires {@code open} late because the server holds its first byte) fails.
   */
  public static CheckResult judge(Recording first, Recording second, List<Engine> engines, List<Engine> live,
      boolean strict, long began) {
    List<String> differences = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int[] compared = {0};
    boolean any = compare("connection 1", first, engines, differences, evidence, notes, compared);
    if (second != null) {
      any |= compare("connection 2 (after the reconnect)", second, engines, differences, evidence, notes, compared);
    }
    if (!live.isEmpty()) {
      notes.add("seen live in " + String.join(" and ", live.stream().map(Engine::title).toList())
          + " (their browser-view checks hold each browser to its model)");
    }
    String readers = String.join(", ", engines.stream().map(Engine::title).toList()) + " and the standard";
    String lateOpen = any ? lateOpen(first, engines) : null;
    CheckResult.Status status;
    String message = null;
    Severity severity = Severity.MUST;
    if (!any) {
      status = CheckResult.Status.SKIPPED;
      message = first == null ? "no browser view recorded the stream (each ended before its recording): nothing for the"
          + " engines to read" : "the recorded response is not a readable event stream (" + (first.responded()
          ? "status " + first.status() + ", Content-Type " + (first.header("Content-Type") == null ? "none"
              : first.header("Content-Type")) + (first.decodable() ? "" : ", a coding the oracle cannot decode")
          : "no response within the window")
          + "): nothing for the engines to read";
    } else if (differences.isEmpty() && lateOpen != null) {
      severity = Severity.SHOULD;
      status = strict ? CheckResult.Status.FAILED : CheckResult.Status.WARNED;
      message = lateOpen;
      notes.add(compared[0] + " events read alike by " + readers);
    } else if (differences.isEmpty()) {
      status = CheckResult.Status.PASSED;
      notes.add(compared[0] + " events read alike by " + readers);
    } else {
      if (lateOpen != null) notes.add(lateOpen);
      status = CheckResult.Status.FAILED;
      message = differences.get(0) + (differences.size() > 1 ? " (and " + (differences.size() - 1) + " more below)" : "");
      for (int i = differences.size() - 1; i >= 0; i--) evidence.add(0, "difference: " + differences.get(i));
    }
    return new CheckResult(CHECK_ID, "lifecycle", severity, status, message, evidence, notes, SPEC, "-", SUMMARY,
        System.currentTimeMillis() - began, Severity.MUST);
  }

  /**
   * The warning for an engine asked for that fires {@code open} only at the first body byte, when
   * the server sent its head and then nothing for longer than {@link #OPEN_WAIT}; else null.
   */
  static String lateOpen(Recording rec, List<Engine> engines) {
    if (rec == null || !rec.responded() || !Parity.isEventStream(rec)) return null;
    Engine late = engines.stream().filter(Engine::opensAtFirstByte).findFirst().orElse(null);
    if (late == null) return null;
    if (rec.headersAfter() == null) return null; // when the head came is unknown: no claim
    Duration head = rec.headersAfter();
    Duration firstByte = rec.chunks().isEmpty() ? null : rec.chunks().get(0).at();
    long waitedMs = (firstByte == null ? rec.duration() : firstByte).minus(head).toMillis();
    if (waitedMs <= OPEN_WAIT.toMillis()) return null;
    return late.title() + " fires open only when the first body byte arrives, and this server sent "
        + (firstByte == null ? "no body byte in the " + waitedMs + " ms after its response head"
            : "its first body byte " + waitedMs + " ms after its response head")
        + ": " + late.title() + " users' pages stay CONNECTING, with no open event, until then (Chromium opens at the"
        + " head, as the standard says); send a comment line (\":\\n\") right after the head";
  }

  /** Adds the differences of one recording; false when it is not a readable event stream. */
  private static boolean compare(String label, Recording rec, List<Engine> engines, List<String> differences,
      List<String> evidence, List<String> notes, int[] compared) {
    if (rec == null || !rec.responded() || !rec.decodable() || !Parity.isEventStream(rec)) return false;
    byte[] body = rec.body();
    List<StreamItem.LimitExceeded> specLimits = new ArrayList<>();
    Recording.Reading specReading = rec.read(Engine.SPEC);
    List<DispatchedEvent> spec = events(specReading, null, specLimits);
    // The server ended the connection (or it broke): a browser reconnects with the last event ID it holds.
    boolean ended = rec.end() == Recording.End.EOF || rec.end() == Recording.End.ERROR;
    String specId = specReading.lastEventId();
    compared[0] += spec.size();
    boolean limited = !specLimits.isEmpty();
    for (Engine engine : engines) {
      String refusal = engine.refusal(rec.header("Content-Type"));
      if (refusal != null) {
        differences.add(label + ": " + refusal + " (Content-Type: " + Findings.escape(rec.header("Content-Type"))
            + "), so its users get none of the " + spec.size() + " events the standard reads;"
            + " send Content-Type: text/event-stream or text/event-stream; charset=utf-8");
        continue;
      }
      List<StreamItem.Departure> departures = new ArrayList<>();
      List<StreamItem.LimitExceeded> limits = new ArrayList<>(specLimits);
      Recording.Reading reading = rec.read(engine);
      List<DispatchedEvent> read = events(reading, departures, limits);
      List<DispatchedEvent> expected = spec;
      if (!limits.isEmpty()) {
        // A safety limit stopped a reader: both read again only the bytes before the earliest limit.
        limited = true;
        long cut = limits.stream().mapToLong(StreamItem.LimitExceeded::byteOffset).min().orElseThrow();
        String initial = rec.lastEventIdSent() == null ? "" : rec.lastEventIdSent();
        expected = eventsBefore(Engine.SPEC, body, cut, initial, null);
        departures.clear();
        read = eventsBefore(engine, body, cut, initial, departures);
      }
      String engineId = reading.lastEventId();
      if (!read.equals(expected)) {
        differences.add(label + ": " + difference(engine, expected, read) + cause(departures, body));
        for (StreamItem.Departure d : departures) evidence.add(engine.title() + ": " + where(d, body));
      } else if (ended && limits.isEmpty() && !engineId.equals(specId)) {
        differences.add(label + ": after the server ended the stream, " + engine.title() + " reconnects with "
            + (engineId.isEmpty() ? "no Last-Event-ID" : "Last-Event-ID " + Findings.escape(engineId)) + " where the"
            + " standard sends " + (specId.isEmpty() ? "none" : Findings.escape(specId)) + ", so it resumes from"
            + " another position" + cause(departures, body));
        for (StreamItem.Departure d : departures) evidence.add(engine.title() + ": " + where(d, body));
      } else {
        for (StreamItem.Departure d : departures) notes.add(label + ": " + engine.title() + " (no event changed): " + d.what());
      }
    }
    if (limited) {
      notes.add(label + ": a safety limit stopped reading: only the events every reader dispatched before it were"
          + " compared");
    }
    return true;
  }

  /** The events of a reading; its departures and limits go to the lists given (departures only when not null). */
  private static List<DispatchedEvent> events(Recording.Reading reading, List<StreamItem.Departure> departures,
      List<StreamItem.LimitExceeded> limits) {
    List<DispatchedEvent> out = new ArrayList<>();
    for (Recording.Timed<StreamItem> t : reading.items()) {
      if (t.item() instanceof DispatchedEvent e) out.add(e);
      else if (t.item() instanceof StreamItem.Departure d && departures != null) departures.add(d);
      else if (t.item() instanceof StreamItem.LimitExceeded l) limits.add(l);
    }
    return out;
  }

  /** What {@code engine} dispatches in the first {@code cut} bytes of {@code body} (the stream not ended). */
  private static List<DispatchedEvent> eventsBefore(Engine engine, byte[] body, long cut, String initialId,
      List<StreamItem.Departure> departures) {
    List<DispatchedEvent> out = new ArrayList<>();
    StreamReader r = engine.reader(i -> {
      if (i instanceof DispatchedEvent e) out.add(e);
      else if (i instanceof StreamItem.Departure d && departures != null) departures.add(d);
    }, initialId, Integer.MAX_VALUE - 16, Integer.MAX_VALUE - 16);
    r.feed(body, 0, (int) Math.min(cut, body.length));
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
