package dev.ssekit.conformance.browser;

import static dev.ssekit.conformance.browser.BrowserView.CHOOSE_A_PAGE;
import static dev.ssekit.conformance.browser.BrowserView.MAX_CHARS;
import static dev.ssekit.conformance.browser.BrowserView.MAX_EVENTS;
import static dev.ssekit.conformance.browser.BrowserView.SPEC;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ssekit.conformance.browser.BrowserView.Result;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.protocol.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The judging half of {@code check --browser}: what the page recorded ({@link PageReading}), split
 * into the browser's connections ({@link BrowserTimeline}) and compared with the oracle's reading of
 * the same stream ({@link Parity}); the driving half is {@link BrowserView}. Pure: no browser, no
 * socket. One instance per judgement, gathering its evidence, notes and differences.
 */
final class BrowserJudgement {

  /**
   * What the driving half observed, handed over to be judged.
   *
   * @param engine whose browser it was (its model gave the oracle's events)
   * @param reading what the page recorded
   * @param consoleRefusals what the browser logged refusing the stream's URL (CORS, mixed content)
   * @param page the URL of the page the EventSource ran in
   * @param first the oracle's recording beside the browser's first connection
   * @param second the oracle's recording after the browser reconnected, with the browser's Last-Event-ID, or null
   * @param windowEnd when the window ended (wall ms)
   */
  record Observation(Engine engine, PageReading reading, List<String> consoleRefusals, String page, Parity.OracleConn first,
      Parity.OracleConn second, long windowEnd) {}

  private final Observation seen;
  private final BrowserTimeline browser;
  private final List<String> evidence;
  private final List<String> notes;
  private final List<String> diffs = new ArrayList<>();

  private BrowserJudgement(Observation seen, List<String> evidence, List<String> notes) {
    this.seen = seen;
    this.browser = BrowserTimeline.of(seen.reading());
    this.evidence = evidence;
    this.notes = notes;
  }

  /**
   * Splits the page's log into connections and compares them with the oracle's.
   *
   * @param evidence the evidence so far, added to
   * @param notes the notes so far (the first names the browser), added to
   * @param began when the view began (wall ms), for the check's duration
   */
  static Result judge(Observation seen, List<String> evidence, List<String> notes, long began) {
    return new BrowserJudgement(seen, evidence, notes).verdict(began);
  }

  private Result verdict(long began) {
    PageReading r = seen.reading();
    browserEvidence();
    if (browser.opened().isEmpty()) {
      // A page that refused the stream: the browser never reached the server, so nothing is compared.
      String refusal = pageRefusal(r, seen.consoleRefusals(), seen.page());
      if (refusal != null) return Result.ended(seen.engine(), CheckResult.Status.SKIPPED, refusal, evidence, notes, began);
    }
    if (r.overflow()) notes.add("the page stopped recording at " + MAX_EVENTS + " events or " + MAX_CHARS + " characters");
    if (browser.events().size() >= 2) {
      notes.add("reconnected " + (browser.opened().get(1) - browser.ended().get(0)) + " ms after the server ended the stream");
    }
    int compared = compareWithOracle();
    String message = diffs.isEmpty() ? null : "[MUST " + BrowserView.checkId(seen.engine()) + "] " + seen.engine().title()
        + " and the oracle's reading (with " + seen.engine().title() + "'s known departures) differ: "
        + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
        + (diffs.size() > 3 ? "; and " + (diffs.size() - 3) + " more" : "");
    for (String d : diffs) evidence.add("difference: " + d);
    CheckResult check = result(seen.engine(), diffs.isEmpty() ? CheckResult.Status.PASSED : CheckResult.Status.FAILED, message, evidence,
        notes, began);
    return new Result(seen.engine(), check, console(compared), seen.first().recording(),
        seen.second() == null ? null : seen.second().recording());
  }

  /** The console's lines: what each side saw, then the verdict. */
  private List<String> console(int compared) {
    Parity.OracleConn o1 = seen.first();
    Parity.OracleConn o2 = seen.second();
    List<String> console = new ArrayList<>();
    console.add("Browser view (" + notes.get(0).substring("browser: ".length()) + "):");
    console.add("  browser: " + browser.opened().size() + " connection(s), " + browser.total() + " events, "
        + browser.errors() + " errors; readyState " + browser.states().replaceAll(" \\(\\+\\d+ ms\\)", ""));
    console.add("  oracle:  " + o1.events().size() + " events" + (o2 == null ? "" : " + " + o2.events().size()
        + " after the reconnect"));
    if (diffs.isEmpty()) {
      console.add("  agree: " + compared + " events compared, 0 differences");
    } else {
      for (String d : diffs.subList(0, Math.min(3, diffs.size()))) console.add("  DIFFERENCE: " + d);
    }
    return console;
  }

  /** What the browser did, for the evidence: its states, its connections, and what the page refused. */
  private void browserEvidence() {
    BrowserTimeline b = browser;
    evidence.add("browser readyState: " + b.states());
    evidence.add("browser: " + b.opened().size() + " connection(s) opened, " + b.total() + " events, " + b.errors()
        + " error events" + (b.failedAttempts() > 0 ? " (" + b.failedAttempts() + " attempts failed before opening)" : ""));
    for (int c = 0; c < b.events().size(); c++) {
      List<Parity.Ev> l = b.events().get(c);
      evidence.add("browser connection " + (c + 1) + ": " + l.size() + " events" + (l.isEmpty() ? ""
          : ", first " + l.get(0).show() + (l.size() > 1 ? ", last " + l.get(l.size() - 1).show() : ""))
          + (b.ended().get(c) == null ? ", open at the end of the window"
              : ", ended after " + (b.ended().get(c) - b.opened().get(c)) + " ms, then "
              + BrowserTimeline.stateName(b.stateAfter().get(c))));
    }
    for (JsonNode v : seen.reading().blockedByPolicy()) {
      evidence.add("page Content-Security-Policy violation: " + v.path("directive").asText() + " blocked "
          + v.path("blocked").asText() + " (policy \"" + v.path("policy").asText() + "\")");
    }
    for (String line : seen.consoleRefusals()) evidence.add("browser console: " + line);
  }

  /**
   * The browser's connections against the oracle's: the first always, the second when both the
   * server ended the first and the browser reconnected. Adds differences and notes; returns how
   * many events were compared.
   */
  private int compareWithOracle() {
    Parity.OracleConn o1 = seen.first();
    Recording rec1 = o1.recording();
    evidence.add("oracle connection 1: " + describe(rec1) + ", " + o1.events().size() + " events"
        + (o1.events().isEmpty() ? "" : ", first " + o1.events().get(0).show()));
    if (!comparable(o1)) return 0;
    boolean oracleEnded = rec1.end() == Recording.End.EOF;
    int compared = compareConn("connection 1", o1, browser.connection(0), oracleEnded && browser.ended().get(0) != null);
    if (!oracleEnded) {
      notes.add("the server kept the stream open for the whole window: no reconnect to observe");
      return compared;
    }
    return compared + compareReconnect();
  }

  /**
   * Whether the first connections can be compared at all; when not, notes why, or adds the
   * difference (a browser that opened what the spec refuses, or never opened what it reads).
   */
  private boolean comparable(Parity.OracleConn o1) {
    Recording rec1 = o1.recording();
    if (!rec1.responded()) {
      notes.add("the oracle's connection got no response (" + rec1.error() + "): nothing to compare");
      return false;
    }
    if (!rec1.decodable()) {
      notes.add("the oracle cannot decode the response's " + rec1.contentEncoding() + " coding: not compared");
      return false;
    }
    if (!Parity.isEventStream(rec1)) {
      // The spec fails the connection: no open, no events, readyState CLOSED, no reconnect.
      if (!browser.opened().isEmpty()) {
        diffs.add("the response is not an event stream (status " + rec1.status() + ", Content-Type "
            + rec1.header("Content-Type") + "), which the spec refuses, but the browser opened it");
      } else if (browser.finalState() != 2) {
        diffs.add("the response is not an event stream (status " + rec1.status() + "): the spec fails the connection"
            + " (readyState CLOSED), but the browser ended in " + BrowserTimeline.stateName(browser.finalState()));
      } else {
        notes.add("the response is not an event stream (status " + rec1.status()
            + "): the browser and the spec both failed the connection (readyState CLOSED)");
      }
      return false;
    }
    String refusal = seen.engine().refusal(rec1.header("Content-Type"));
    if (refusal != null) {
      // A known departure: this engine fails a response the standard reads.
      if (!browser.opened().isEmpty()) {
        diffs.add(refusal + " (Content-Type " + rec1.header("Content-Type") + "), as ssekit's model of it says, but the"
            + " browser opened this one");
      } else {
        notes.add(refusal + ": the browser failed the connection (readyState " + BrowserTimeline.stateName(browser.finalState())
            + "), as modelled; the standard reads " + o1.recording().events().size() + " events (see "
            + EngineAgreement.CHECK_ID + ")");
      }
      return false;
    }
    boolean heldOpenEmpty = rec1.bodyLength() == 0 && rec1.end() != Recording.End.EOF && rec1.end() != Recording.End.ERROR;
    if (browser.opened().isEmpty() && seen.engine().opensAtFirstByte() && heldOpenEmpty && browser.errors() == 0
        && browser.finalState() == 0) {
      // A known departure: this engine opens at the first body byte (or the body's end), and the server, holding
      // the stream open, sent none; the browser, still CONNECTING, had no error either.
      notes.add(seen.engine().title() + " fires open only when the first body byte arrives, and the server sent none"
          + " in the window: the browser stayed " + BrowserTimeline.stateName(browser.finalState()) + ", as modelled"
          + " (see " + EngineAgreement.CHECK_ID + ")");
      return false;
    }
    if (browser.opened().isEmpty()) {
      diffs.add("the browser never opened the stream (readyState " + BrowserTimeline.stateName(browser.finalState()) + "; the page reported"
          + " no Content-Security-Policy violation and the browser logged no refusal) but the spec reads it: "
          + "the oracle read " + o1.events().size() + " events" + (o1.events().isEmpty() ? "" : ", the first "
          + o1.events().get(0).show()));
      return false;
    }
    return true;
  }

  /**
   * After the server ended the first connection: the spec reconnects, so the browser must have
   * (unless the window ended first), and its second connection is compared with the oracle's
   * second recording. Returns how many events that compared.
   */
  private int compareReconnect() {
    Parity.OracleConn o1 = seen.first();
    Parity.OracleConn o2 = seen.second();
    if (browser.ended().get(0) == null) {
      if (seen.windowEnd() - o1.ended() > 2 * Parity.SLACK_MS) {
        diffs.add("the server ended the stream after " + o1.recording().duration().toMillis() + " ms, but the browser's"
            + " connection was still open when the window ended");
      }
    } else if (browser.stateAfter().get(0) != null && browser.stateAfter().get(0) == 2) {
      diffs.add("the server ended the stream: the spec reconnects, but the browser gave up (readyState CLOSED)");
    } else if (browser.events().size() >= 2 && o2 != null) {
      Recording rec2 = o2.recording();
      evidence.add("oracle connection 2 (Last-Event-ID " + (rec2.lastEventIdSent() == null ? "none"
          : dev.ssekit.conformance.checks.Findings.escape(rec2.lastEventIdSent())) + "): " + describe(rec2) + ", "
          + o2.events().size() + " events");
      if (Parity.isEventStream(rec2) && rec2.decodable()) {
        return compareConn("connection 2 (after the reconnect)", o2, browser.connection(1),
            rec2.end() == Recording.End.EOF && browser.ended().get(1) != null);
      }
      notes.add("the second connection's response is not a readable event stream (status " + rec2.status()
          + "): not compared");
    } else {
      notes.add("the browser had not reconnected when the window ended (retry delay): the reconnect was not compared");
    }
    return 0;
  }

  /** Control characters a server could have sent, escaped so they cannot drive the terminal. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      if (c < 0x20 || (c >= 0x7F && c < 0xA0)) b.append(String.format(Locale.ROOT, "\\u%04X", c));
      else b.appendCodePoint(c);
    });
    return b.toString();
  }

  /**
   * Why the page kept its EventSource from the server, or null: a Content-Security-Policy that
   * blocked the request, or a refusal the browser logged (CORS, mixed content) for the stream's URL.
   * Only asked when the browser never opened the stream.
   */
  static String pageRefusal(PageReading r, List<String> consoleRefusals, String page) {
    List<JsonNode> csp = r.blockedByPolicy();
    if (!csp.isEmpty()) {
      JsonNode v = csp.get(0);
      return "the page " + page + " blocked the EventSource before it reached the server: its Content-Security-Policy \""
          + v.path("policy").asText() + "\" does not allow " + v.path("directive").asText("connect-src")
          + " to " + v.path("blocked").asText() + " (the browser's securitypolicyviolation event); " + CHOOSE_A_PAGE;
    }
    if (!consoleRefusals.isEmpty()) {
      return "the page " + page + " kept the EventSource from the stream: the browser logged \""
          + HeadlessBrowser.firstLine(consoleRefusals.get(0)) + "\"; " + CHOOSE_A_PAGE;
    }
    return null;
  }

  /** One connection of each side compared, leaving out events of types the browser listened for late. */
  private int compareConn(String label, Parity.OracleConn o, Parity.BrowserConn b, boolean bothComplete) {
    PageReading r = seen.reading();
    int[] droppedO = {0};
    int[] droppedB = {0};
    List<Parity.Ev> ov = Parity.dropUnlistened(o.events(), r.listened(), r.started(), droppedO);
    List<Parity.Ev> bv = Parity.dropUnlistened(b.events(), r.listened(), r.started(), droppedB);
    if (droppedO[0] + droppedB[0] > 0) {
      notes.add(label + ": " + droppedO[0] + " oracle and " + droppedB[0] + " browser events of types first seen during"
          + " the window (the browser listened for them from then on) were not compared");
    }
    Parity.Outcome out = Parity.compare(label, o, ov, b, bv, bothComplete);
    diffs.addAll(out.differences());
    notes.addAll(out.notes());
    return out.compared();
  }

  private static String describe(Recording r) {
    if (!r.responded()) return "no response (" + r.error() + ")";
    return r.status() + " " + r.header("Content-Type") + ", " + r.bodyLength() + " bytes, ended by "
        + r.end().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " after " + r.duration().toMillis() + " ms";
  }

  static CheckResult result(Engine engine, CheckResult.Status status, String message, List<String> evidence,
      List<String> notes, long began) {
    String id = BrowserView.checkId(engine);
    String m = message;
    if (m != null && status == CheckResult.Status.FAILED && !m.startsWith("[")) m = "[MUST " + id + "] " + m;
    return new CheckResult(id, "lifecycle", Severity.MUST, status, m, evidence, notes, SPEC, "-", BrowserView.summary(engine),
        System.currentTimeMillis() - began);
  }
}
