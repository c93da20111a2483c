package dev.ssekit.conformance.browser;

import static dev.ssekit.conformance.browser.BrowserView.CHECK_ID;
import static dev.ssekit.conformance.browser.BrowserView.CHOOSE_A_PAGE;
import static dev.ssekit.conformance.browser.BrowserView.MAX_CHARS;
import static dev.ssekit.conformance.browser.BrowserView.MAX_EVENTS;
import static dev.ssekit.conformance.browser.BrowserView.SPEC;
import static dev.ssekit.conformance.browser.BrowserView.SUMMARY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.browser.BrowserView.Result;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The judging half of {@code check --browser}: what the page recorded ({@link Reading}), split
 * into the browser's connections and compared with the oracle's reading of the same stream; the
 * driving half is {@link BrowserView}. Pure: no browser, no socket.
 */
final class BrowserJudgement {
  private BrowserJudgement() {}

  /** What the page recorded. */
  record Reading(long started, List<JsonNode> log, Map<String, Long> listened, boolean overflow) {
    /** The page's Content-Security-Policy violations that blocked (not only reported) a request. */
    List<JsonNode> blockedByPolicy() {
      return log.stream().filter(e -> e.get("k").asText().equals("csp"))
          .filter(e -> !e.path("disposition").asText().equals("report")).toList();
    }
  }

  /**
   * Why the page kept its EventSource from the server, or null: a Content-Security-Policy that
   * blocked the request, or a refusal the browser logged (CORS, mixed content) for the stream's URL.
   * Only asked when the browser never opened the stream.
   */
  static String pageRefusal(Reading r, List<String> consoleRefusals, String page) {
    List<JsonNode> csp = r.blockedByPolicy();
    if (!csp.isEmpty()) {
      JsonNode v = csp.get(0);
      return "the page " + page + " blocked the EventSource before it reached the server: its Content-Security-Policy \""
          + v.path("policy").asText() + "\" does not allow " + v.path("directive").asText("connect-src")
          + " to " + v.path("blocked").asText() + " (the browser's securitypolicyviolation event); " + CHOOSE_A_PAGE;
    }
    if (!consoleRefusals.isEmpty()) {
      return "the page " + page + " kept the EventSource from the stream: the browser logged \""
          + ChromiumBrowser.firstLine(consoleRefusals.get(0)) + "\"; " + CHOOSE_A_PAGE;
    }
    return null;
  }

  static Reading parse(String json) {
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      List<JsonNode> log = new ArrayList<>();
      root.get("log").forEach(log::add);
      Map<String, Long> listened = new LinkedHashMap<>();
      root.get("listened").fields().forEachRemaining(e -> listened.put(e.getKey(), e.getValue().asLong()));
      return new Reading(root.get("started").asLong(), log, listened, root.path("overflow").asBoolean(false));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable browser log: " + e.getMessage(), e);
    }
  }

  /** The page's log split into the browser's connections. */
  private record Timeline(List<List<Parity.Ev>> events, List<Long> opened, List<Long> ended, List<Integer> stateAfter,
      String states, int errors, int failedAttempts, int finalState) {

    static Timeline of(Reading r) {
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
      return new Timeline(events, opened, ended, stateAfter, states.toString(), errors, failedAttempts, finalState);
    }

    int total() {
      return events.stream().mapToInt(List::size).sum();
    }

    Parity.BrowserConn connection(int c) {
      return new Parity.BrowserConn(events.get(c), opened.get(c), ended.get(c), stateAfter.get(c));
    }
  }

  /** Splits the page's log into connections and compares them with the oracle's. */
  static Result judge(Reading r, List<String> consoleRefusals, String page, Parity.OracleConn o1, Parity.OracleConn o2,
      List<String> evidence, List<String> notes, long began, long windowEnd) {
    Timeline b = Timeline.of(r);
    browserEvidence(r, b, consoleRefusals, evidence);
    if (b.opened().isEmpty()) {
      // A page that refused the stream: the browser never reached the server, so nothing is compared.
      String refusal = pageRefusal(r, consoleRefusals, page);
      if (refusal != null) {
        return new Result(result(CheckResult.Status.SKIPPED, refusal, evidence, notes, began),
            List.of("Browser view: skipped: " + refusal));
      }
    }
    if (r.overflow()) notes.add("the page stopped recording at " + MAX_EVENTS + " events or " + MAX_CHARS + " characters");
    if (b.events().size() >= 2) {
      notes.add("reconnected " + (b.opened().get(1) - b.ended().get(0)) + " ms after the server ended the stream");
    }
    List<String> diffs = new ArrayList<>();
    int compared = compareWithOracle(r, b, o1, o2, evidence, notes, diffs, windowEnd);
    String message = diffs.isEmpty() ? null : "[MUST " + CHECK_ID + "] the browser and the oracle differ: "
        + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
        + (diffs.size() > 3 ? "; and " + (diffs.size() - 3) + " more" : "");
    for (String d : diffs) evidence.add("difference: " + d);
    CheckResult check = result(diffs.isEmpty() ? CheckResult.Status.PASSED : CheckResult.Status.FAILED, message, evidence,
        notes, began);
    List<String> console = new ArrayList<>();
    console.add("Browser view (" + notes.get(0).substring("browser: ".length()) + "):");
    console.add("  browser: " + b.opened().size() + " connection(s), " + b.total() + " events, " + b.errors()
        + " errors; readyState " + b.states().replaceAll(" \\(\\+\\d+ ms\\)", ""));
    console.add("  oracle:  " + o1.events().size() + " events" + (o2 == null ? "" : " + " + o2.events().size()
        + " after the reconnect"));
    if (diffs.isEmpty()) {
      console.add("  agree: " + compared + " events compared, 0 differences");
    } else {
      for (String d : diffs.subList(0, Math.min(3, diffs.size()))) console.add("  DIFFERENCE: " + d);
    }
    return new Result(check, console);
  }

  /** What the browser did, for the evidence: its states, its connections, and what the page refused. */
  private static void browserEvidence(Reading r, Timeline b, List<String> consoleRefusals, List<String> evidence) {
    evidence.add("browser readyState: " + b.states());
    evidence.add("browser: " + b.opened().size() + " connection(s) opened, " + b.total() + " events, " + b.errors()
        + " error events" + (b.failedAttempts() > 0 ? " (" + b.failedAttempts() + " attempts failed before opening)" : ""));
    for (int c = 0; c < b.events().size(); c++) {
      List<Parity.Ev> l = b.events().get(c);
      evidence.add("browser connection " + (c + 1) + ": " + l.size() + " events" + (l.isEmpty() ? ""
          : ", first " + l.get(0).show() + (l.size() > 1 ? ", last " + l.get(l.size() - 1).show() : ""))
          + (b.ended().get(c) == null ? ", open at the end of the window"
              : ", ended after " + (b.ended().get(c) - b.opened().get(c)) + " ms, then "
              + stateName(b.stateAfter().get(c))));
    }
    for (JsonNode v : r.blockedByPolicy()) {
      evidence.add("page Content-Security-Policy violation: " + v.path("directive").asText() + " blocked "
          + v.path("blocked").asText() + " (policy \"" + v.path("policy").asText() + "\")");
    }
    for (String line : consoleRefusals) evidence.add("browser console: " + line);
  }

  /**
   * The browser's connections against the oracle's: the first always, the second when both the
   * server ended the first and the browser reconnected. Adds differences and notes; returns how
   * many events were compared.
   */
  private static int compareWithOracle(Reading r, Timeline b, Parity.OracleConn o1, Parity.OracleConn o2,
      List<String> evidence, List<String> notes, List<String> diffs, long windowEnd) {
    Recording rec1 = o1.recording();
    evidence.add("oracle connection 1: " + describe(rec1) + ", " + o1.events().size() + " events"
        + (o1.events().isEmpty() ? "" : ", first " + o1.events().get(0).show()));
    if (!rec1.responded()) {
      notes.add("the oracle's connection got no response (" + rec1.error() + "): nothing to compare");
      return 0;
    }
    if (!rec1.decodable()) {
      notes.add("the oracle cannot decode the response's " + rec1.contentEncoding() + " coding: not compared");
      return 0;
    }
    if (!Parity.isEventStream(rec1)) {
      // The spec fails the connection: no open, no events, readyState CLOSED, no reconnect.
      if (!b.opened().isEmpty()) {
        diffs.add("the response is not an event stream (status " + rec1.status() + ", Content-Type "
            + rec1.header("Content-Type") + "), which the spec refuses, but the browser opened it");
      } else if (b.finalState() != 2) {
        diffs.add("the response is not an event stream (status " + rec1.status() + "): the spec fails the connection"
            + " (readyState CLOSED), but the browser ended in " + stateName(b.finalState()));
      } else {
        notes.add("the response is not an event stream (status " + rec1.status()
            + "): the browser and the spec both failed the connection (readyState CLOSED)");
      }
      return 0;
    }
    if (b.opened().isEmpty()) {
      diffs.add("the browser never opened the stream (readyState " + stateName(b.finalState()) + "; the page reported no"
          + " Content-Security-Policy violation and the browser logged no refusal) but the spec reads it: "
          + "the oracle read " + o1.events().size() + " events" + (o1.events().isEmpty() ? "" : ", the first "
          + o1.events().get(0).show()));
      return 0;
    }
    boolean oracleEnded = rec1.end() == Recording.End.EOF;
    int compared = compareConn("connection 1", r, o1, b.connection(0), oracleEnded && b.ended().get(0) != null, diffs,
        notes);
    if (!oracleEnded) {
      notes.add("the server kept the stream open for the whole window: no reconnect to observe");
    } else if (b.ended().get(0) == null) {
      if (windowEnd - o1.ended() > 2 * Parity.SLACK_MS) {
        diffs.add("the server ended the stream after " + rec1.duration().toMillis() + " ms, but the browser's"
            + " connection was still open when the window ended");
      }
    } else if (b.stateAfter().get(0) != null && b.stateAfter().get(0) == 2) {
      diffs.add("the server ended the stream: the spec reconnects, but the browser gave up (readyState CLOSED)");
    } else if (b.events().size() >= 2 && o2 != null) {
      Recording rec2 = o2.recording();
      evidence.add("oracle connection 2 (Last-Event-ID " + (rec2.lastEventIdSent() == null ? "none"
          : dev.ssekit.conformance.checks.Findings.escape(rec2.lastEventIdSent())) + "): " + describe(rec2) + ", "
          + o2.events().size() + " events");
      if (Parity.isEventStream(rec2) && rec2.decodable()) {
        compared += compareConn("connection 2 (after the reconnect)", r, o2, b.connection(1),
            rec2.end() == Recording.End.EOF && b.ended().get(1) != null, diffs, notes);
      } else {
        notes.add("the second connection's response is not a readable event stream (status " + rec2.status()
            + "): not compared");
      }
    } else {
      notes.add("the browser had not reconnected when the window ended (retry delay): the reconnect was not compared");
    }
    return compared;
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

  private static int compareConn(String label, Reading r, Parity.OracleConn o, Parity.BrowserConn b, boolean bothComplete,
      List<String> diffs, List<String> notes) {
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

  static String stateName(Integer rs) {
    if (rs == null) return "?";
    return switch (rs) {
      case 0 -> "CONNECTING";
      case 1 -> "OPEN";
      case 2 -> "CLOSED";
      default -> "?";
    };
  }

  static CheckResult result(CheckResult.Status status, String message, List<String> evidence, List<String> notes,
      long began) {
    String m = message;
    if (m != null && status == CheckResult.Status.FAILED && !m.startsWith("[")) m = "[MUST " + CHECK_ID + "] " + m;
    return new CheckResult(CHECK_ID, "lifecycle", Severity.MUST, status, m, evidence, notes, SPEC, "-", SUMMARY,
        System.currentTimeMillis() - began);
  }
}
