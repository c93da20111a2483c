package dev.ssekit.conformance.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.oracle.StreamItem;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.conformance.config.Target;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openqa.selenium.JavascriptExecutor;

/**
 * {@code check --browser}: the target's stream as headless Chromium's EventSource sees it, next to
 * the oracle's reading of a recording of the same stream over the same window.
 *
 * <p>The browser opens the root of the target's own origin (whatever it serves, even a 404 page,
 * is same-origin, so no CORS is needed) and runs {@code new EventSource(url)} there, recording
 * every event (type, data, lastEventId), every {@code error} and every {@code readyState} change.
 * It listens for {@code message} and for every event type the oracle has seen so far in a parallel
 * recording (types are added as the oracle meets them). When the server ends the stream within
 * the window, the browser's reconnection is observed and compared with a second recording sent
 * with the {@code Last-Event-ID} a browser sends. A difference is a failed check
 * ({@link #CHECK_ID}): the browser is the judge of what users see.
 */
public final class BrowserView {

  /** The check this view reports as. */
  public static final String CHECK_ID = "lifecycle.browser-view";
  static final String SPEC = "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation";
  static final String SUMMARY = "Headless Chromium's EventSource dispatches what the oracle reads, through a reconnect";

  /** The oracle's recording starts this long before the browser's EventSource, to learn the event types. */
  static final Duration LEAD = Duration.ofMillis(400);
  /** How often the page is asked for news (connection count, new types to listen for). */
  static final long POLL_MS = 100;
  /** Bounds on what the page keeps: events and characters of data. */
  static final int MAX_EVENTS = 20_000;
  static final int MAX_CHARS = 8 << 20;

  /**
   * The outcome.
   *
   * @param check the check result for the report
   * @param console a few lines for the console section
   */
  public record Result(CheckResult check, List<String> console) {
    public Result {
      console = console.stream().map(BrowserView::printable).toList();
    }

    public boolean differs() {
      return check.status() == CheckResult.Status.FAILED;
    }
  }

  private BrowserView() {}

  /** The default window: the run's {@code --window}, or 5 s. */
  public static Duration window(Target target) {
    return target.window() != null ? target.window() : Duration.ofSeconds(5);
  }

  /**
   * Runs the browser view. Bounded: browser start (20 s), page load (10 s), the window, and the
   * recordings' own bounds; the browser is always quit.
   *
   * @throws ChromiumBrowser.Unavailable when Chromium or its driver is not installed
   */
  public static Result run(Target target, Duration window) throws ChromiumBrowser.Unavailable, InterruptedException {
    return run(target, window, null);
  }

  /**
   * Runs the browser view with its EventSource in {@code page} ({@code --browser-page}), or, when
   * null, in the root of the stream's origin.
   *
   * @throws ChromiumBrowser.Unavailable when Chromium or its driver is not installed
   */
  public static Result run(Target target, Duration window, URI page) throws ChromiumBrowser.Unavailable,
      InterruptedException {
    long began = System.currentTimeMillis();
    if (!target.headers().isEmpty()) {
      String why = "the stream needs request headers (--header) that an EventSource cannot send";
      return new Result(result(CheckResult.Status.SKIPPED, why, List.of(), List.of(), began),
          List.of("Browser view: skipped: " + why));
    }
    ChromiumBrowser.requireInstalled();
    URI url = target.url();
    URI origin = page != null ? page : defaultPage(url);
    ChromiumBrowser browser;
    try {
      browser = ChromiumBrowser.start(url, origin, target.insecure());
    } catch (IOException e) {
      String why = "the browser did not start: " + e.getMessage();
      return new Result(result(CheckResult.Status.FAILED, why, List.of(), List.of(), began),
          List.of("Browser view: " + why));
    }
    try (browser; Recorder recorder = new Recorder(target)) {
      return observe(target, window, browser, recorder, origin, began);
    } catch (IOException | RuntimeException e) {
      // A browser that crashed or stopped answering mid-window: what users would see fails too.
      String why = "the browser view could not complete: " + ChromiumBrowser.firstLine(String.valueOf(e.getMessage()));
      return new Result(result(CheckResult.Status.FAILED, why, List.of(), List.of(), began), List.of("Browser view: " + why));
    }
  }

  /** A recording in progress with the times the oracle first read each event, and the types it met. */
  private static final class Watch {
    final long started = System.currentTimeMillis();
    final List<Long> times = new ArrayList<>();
    final Set<String> types = new LinkedHashSet<>();
    final Recorder.Session session;

    Watch(Recorder recorder, Target target, String lastEventId, Duration window) {
      Recorder.Request r = Recorder.Request.of(target, window).withMaxBytes(16L << 20).until(this::seen);
      if (lastEventId != null) r = r.withLastEventId(lastEventId);
      session = recorder.open(r);
    }

    private synchronized boolean seen(List<StreamItem.Event> events) {
      long now = System.currentTimeMillis();
      for (int i = times.size(); i < events.size(); i++) {
        times.add(now);
        types.add(events.get(i).type());
      }
      return false; // never stop early: this only watches
    }

    synchronized Set<String> types() {
      return new LinkedHashSet<>(types);
    }

    Parity.OracleConn finish() throws InterruptedException {
      session.stop();
      Recording rec = session.await();
      List<Parity.Ev> evs = new ArrayList<>();
      List<StreamItem.Event> events = Parity.isEventStream(rec) && rec.decodable() ? rec.events() : List.of();
      synchronized (this) {
        for (int i = 0; i < events.size(); i++) {
          StreamItem.Event e = events.get(i);
          long at = i < times.size() ? times.get(i) : started + rec.duration().toMillis();
          evs.add(new Parity.Ev(e.type(), e.data(), e.lastEventId(), at));
        }
      }
      return new Parity.OracleConn(rec, evs, started);
    }
  }

  /** The page the browser view runs in without {@code --browser-page}: the root of the stream's origin. */
  public static URI defaultPage(URI stream) {
    return URI.create(stream.getScheme() + "://" + stream.getRawAuthority() + "/");
  }

  /** What to do about a page that will not run the stream's EventSource. */
  static final String CHOOSE_A_PAGE = "not a finding about the stream; name a page that allows it with --browser-page URL"
      + " (a page of the stream's origin whose Content-Security-Policy, if any, allows connect-src to the stream)";

  private static Result observe(Target target, Duration window, ChromiumBrowser browser, Recorder recorder, URI origin,
      long began) throws InterruptedException {
    JavascriptExecutor js = browser.driver();
    List<String> evidence = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    notes.add("browser: Chromium " + browser.version() + " (headless), page " + origin);
    // 1. The page: by default the root of the stream's own origin (whatever it serves, even a 404 page).
    try {
      browser.driver().get(origin.toString());
    } catch (RuntimeException e) {
      String why = "the browser could not load the page " + origin + " to run its EventSource in ("
          + ChromiumBrowser.firstLine(e.getMessage()) + "): " + CHOOSE_A_PAGE;
      return new Result(result(CheckResult.Status.SKIPPED, why, evidence, notes, began), List.of("Browser view: skipped: " + why));
    }
    String pageUrl = String.valueOf(browser.driver().getCurrentUrl());
    if (!pageUrl.startsWith("http://") && !pageUrl.startsWith("https://")) {
      String why = "the page " + origin + " did not load (the browser shows " + pageUrl + "), so there was no page to run"
          + " the EventSource in: " + CHOOSE_A_PAGE;
      return new Result(result(CheckResult.Status.SKIPPED, why, evidence, notes, began), List.of("Browser view: skipped: " + why));
    }
    if (!pageUrl.equals(origin.toString())) notes.add("the page " + origin + " ended at " + pageUrl + " (a redirect)");
    URI pageOrigin = defaultPage(URI.create(pageUrl));
    if (!pageOrigin.equals(defaultPage(target.url()))) {
      notes.add("the page's origin " + pageOrigin + " is not the stream's: the EventSource's request is cross-origin"
          + " (CORS)");
    }

    // 2. The oracle's recording, then the browser's EventSource with the types known so far.
    long end = System.currentTimeMillis() + LEAD.toMillis() + window.toMillis();
    Watch first = new Watch(recorder, target, null, LEAD.plus(window));
    Thread.sleep(LEAD.toMillis());
    List<String> initial = new ArrayList<>(first.types());
    try {
      js.executeScript(SCRIPT, target.url().toString(), initial, MAX_EVENTS, MAX_CHARS);
    } catch (RuntimeException e) {
      first.finish();
      String why = "the page could not run an EventSource: " + ChromiumBrowser.firstLine(e.getMessage());
      return new Result(result(CheckResult.Status.FAILED, why, evidence, notes, began), List.of("Browser view: " + why));
    }

    // 3. Until the window ends: new types to listen for; a second recording when the browser reconnects.
    Watch second = null;
    Set<String> listened = new LinkedHashSet<>(initial);
    while (System.currentTimeMillis() < end) {
      Thread.sleep(Math.min(POLL_MS, Math.max(1, end - System.currentTimeMillis())));
      Set<String> types = first.types();
      if (second != null) types.addAll(second.types());
      types.removeAll(listened);
      Object conns = js.executeScript("const v = window.__ssekit; arguments[0].forEach(v.listen); return v.conn;",
          new ArrayList<>(types));
      listened.addAll(types);
      if (second == null && conns instanceof Number n && n.intValue() >= 2) {
        String lastId = browserLastId(js);
        if (lastId != null && lastId.isEmpty()) lastId = null; // a browser sends no header for an empty id
        second = new Watch(recorder, target, lastId, Duration.ofMillis(Math.max(1, end - System.currentTimeMillis())));
      }
    }
    String json = (String) js.executeScript(
        "const v = window.__ssekit; v.sample(); v.src.close(); clearInterval(v.timer);"
            + " return JSON.stringify({log: v.log, listened: v.listened, overflow: v.overflow, started: v.t0});");
    Parity.OracleConn o1 = first.finish();
    Parity.OracleConn o2 = second == null ? null : second.finish();
    return judge(parse(json), browser.pageRefusals(target.url()), pageUrl, o1, o2, evidence, notes, began, end);
  }

  private static String browserLastId(JavascriptExecutor js) {
    Object id = js.executeScript("const v = window.__ssekit; const l = v.log.filter(e => e.k === 'event' && e.conn === 1);"
        + " return l.length ? l[l.length - 1].id : null;");
    return id == null ? null : id.toString();
  }

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

  /** Splits the page's log into connections and compares them with the oracle's. */
  static Result judge(Reading r, List<String> consoleRefusals, String page, Parity.OracleConn o1, Parity.OracleConn o2,
      List<String> evidence, List<String> notes, long began, long windowEnd) {
    List<String> diffs = new ArrayList<>();
    List<List<Parity.Ev>> events = new ArrayList<>();
    List<Long> opened = new ArrayList<>();
    List<Long> ended = new ArrayList<>();
    List<Integer> stateAfter = new ArrayList<>();
    StringBuilder states = new StringBuilder();
    int errors = 0;
    int failedAttempts = 0;
    boolean open = false;
    for (JsonNode e : r.log()) {
      long t = e.get("t").asLong();
      switch (e.get("k").asText()) {
        case "state" -> states.append(states.length() == 0 ? "" : " → ").append(stateName(e.get("rs").asInt()))
            .append(" (+").append(t - r.started()).append(" ms)");
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
    int finalState = -1;
    for (JsonNode e : r.log()) if (e.get("k").asText().equals("state")) finalState = e.get("rs").asInt();
    int total = events.stream().mapToInt(List::size).sum();
    evidence.add("browser readyState: " + states);
    evidence.add("browser: " + opened.size() + " connection(s) opened, " + total + " events, " + errors + " error events"
        + (failedAttempts > 0 ? " (" + failedAttempts + " attempts failed before opening)" : ""));
    for (int c = 0; c < events.size(); c++) {
      List<Parity.Ev> l = events.get(c);
      evidence.add("browser connection " + (c + 1) + ": " + l.size() + " events" + (l.isEmpty() ? ""
          : ", first " + l.get(0).show() + (l.size() > 1 ? ", last " + l.get(l.size() - 1).show() : ""))
          + (ended.get(c) == null ? ", open at the end of the window"
              : ", ended after " + (ended.get(c) - opened.get(c)) + " ms, then " + stateName(stateAfter.get(c))));
    }
    for (JsonNode v : r.blockedByPolicy()) {
      evidence.add("page Content-Security-Policy violation: " + v.path("directive").asText() + " blocked "
          + v.path("blocked").asText() + " (policy \"" + v.path("policy").asText() + "\")");
    }
    for (String line : consoleRefusals) evidence.add("browser console: " + line);
    if (opened.isEmpty()) {
      // A page that refused the stream: the browser never reached the server, so nothing is compared.
      String refusal = pageRefusal(r, consoleRefusals, page);
      if (refusal != null) {
        return new Result(result(CheckResult.Status.SKIPPED, refusal, evidence, notes, began),
            List.of("Browser view: skipped: " + refusal));
      }
    }
    if (r.overflow()) notes.add("the page stopped recording at " + MAX_EVENTS + " events or " + MAX_CHARS + " characters");
    if (events.size() >= 2) {
      notes.add("reconnected " + (opened.get(1) - ended.get(0)) + " ms after the server ended the stream");
    }

    // Connection 1.
    Recording rec1 = o1.recording();
    evidence.add("oracle connection 1: " + describe(rec1) + ", " + o1.events().size() + " events"
        + (o1.events().isEmpty() ? "" : ", first " + o1.events().get(0).show()));
    int compared = 0;
    if (!rec1.responded()) {
      notes.add("the oracle's connection got no response (" + rec1.error() + "): nothing to compare");
    } else if (!rec1.decodable()) {
      notes.add("the oracle cannot decode the response's " + rec1.contentEncoding() + " coding: not compared");
    } else if (!Parity.isEventStream(rec1)) {
      // The spec fails the connection: no open, no events, readyState CLOSED, no reconnect.
      if (!opened.isEmpty()) {
        diffs.add("the response is not an event stream (status " + rec1.status() + ", Content-Type "
            + rec1.header("Content-Type") + "), which the spec refuses, but the browser opened it");
      } else if (finalState != 2) {
        diffs.add("the response is not an event stream (status " + rec1.status() + "): the spec fails the connection"
            + " (readyState CLOSED), but the browser ended in " + stateName(finalState));
      } else {
        notes.add("the response is not an event stream (status " + rec1.status()
            + "): the browser and the spec both failed the connection (readyState CLOSED)");
      }
    } else if (opened.isEmpty()) {
      diffs.add("the browser never opened the stream (readyState " + stateName(finalState) + "; the page reported no"
          + " Content-Security-Policy violation and the browser logged no refusal) but the spec reads it: "
          + "the oracle read " + o1.events().size() + " events" + (o1.events().isEmpty() ? "" : ", the first "
          + o1.events().get(0).show()));
    } else {
      boolean oracleEnded = rec1.end() == Recording.End.EOF;
      Parity.BrowserConn b1 = new Parity.BrowserConn(events.get(0), opened.get(0), ended.get(0), stateAfter.get(0));
      compared += compareConn("connection 1", r, o1, b1, oracleEnded && ended.get(0) != null, diffs, notes);
      if (oracleEnded) {
        if (ended.get(0) == null) {
          if (windowEnd - o1.ended() > 2 * Parity.SLACK_MS) {
            diffs.add("the server ended the stream after " + rec1.duration().toMillis() + " ms, but the browser's"
                + " connection was still open when the window ended");
          }
        } else if (stateAfter.get(0) != null && stateAfter.get(0) == 2) {
          diffs.add("the server ended the stream: the spec reconnects, but the browser gave up (readyState CLOSED)");
        } else if (events.size() >= 2 && o2 != null) {
          Recording rec2 = o2.recording();
          evidence.add("oracle connection 2 (Last-Event-ID " + (rec2.lastEventIdSent() == null ? "none"
              : dev.ssekit.conformance.checks.Findings.escape(rec2.lastEventIdSent())) + "): " + describe(rec2) + ", "
              + o2.events().size() + " events");
          if (Parity.isEventStream(rec2) && rec2.decodable()) {
            Parity.BrowserConn b2 = new Parity.BrowserConn(events.get(1), opened.get(1), ended.get(1), stateAfter.get(1));
            compared += compareConn("connection 2 (after the reconnect)", r, o2, b2,
                rec2.end() == Recording.End.EOF && ended.get(1) != null, diffs, notes);
          } else {
            notes.add("the second connection's response is not a readable event stream (status " + rec2.status()
                + "): not compared");
          }
        } else {
          notes.add("the browser had not reconnected when the window ended (retry delay): the reconnect was not compared");
        }
      } else {
        notes.add("the server kept the stream open for the whole window: no reconnect to observe");
      }
    }
    String message = diffs.isEmpty() ? null : "[MUST " + CHECK_ID + "] the browser and the oracle differ: "
        + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
        + (diffs.size() > 3 ? "; and " + (diffs.size() - 3) + " more" : "");
    for (String d : diffs) evidence.add("difference: " + d);
    CheckResult check = result(diffs.isEmpty() ? CheckResult.Status.PASSED : CheckResult.Status.FAILED, message, evidence,
        notes, began);
    List<String> console = new ArrayList<>();
    console.add("Browser view (" + notes.get(0).substring("browser: ".length()) + "):");
    console.add("  browser: " + opened.size() + " connection(s), " + total + " events, " + errors + " errors; readyState "
        + states.toString().replaceAll(" \\(\\+\\d+ ms\\)", ""));
    console.add("  oracle:  " + o1.events().size() + " events" + (o2 == null ? "" : " + " + o2.events().size()
        + " after the reconnect"));
    if (diffs.isEmpty()) {
      console.add("  agree: " + compared + " events compared, 0 differences");
    } else {
      for (String d : diffs.subList(0, Math.min(3, diffs.size()))) console.add("  DIFFERENCE: " + d);
    }
    return new Result(check, console);
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

  /**
   * Starts the EventSource on the page: arguments url, initial types, event cap, character cap.
   * Keeps {@code window.__ssekit} with the log ({@code state}, {@code open}, {@code event},
   * {@code error} entries with wall-clock times), {@code listen(type)}, {@code sample()}.
   */
  static final String SCRIPT = """
      const [url, types, maxEvents, maxChars] = arguments;
      const v = window.__ssekit = { t0: Date.now(), log: [], listened: {}, conn: 0, chars: 0, overflow: false };
      // A page whose Content-Security-Policy blocks the stream says so here (before the EventSource starts).
      document.addEventListener('securitypolicyviolation', (e) => {
        if (v.log.length < maxEvents) v.log.push({ k: 'csp', directive: e.effectiveDirective || e.violatedDirective,
            blocked: e.blockedURI, policy: e.originalPolicy, disposition: e.disposition, t: Date.now() });
      });
      const src = new EventSource(url);
      v.src = src;
      let last = -1;
      v.sample = () => {
        if (src.readyState !== last) { last = src.readyState; v.log.push({ k: 'state', rs: last, t: Date.now() }); }
      };
      v.sample();
      v.timer = setInterval(v.sample, 5);
      const full = () => v.log.length >= maxEvents || v.chars >= maxChars;
      src.addEventListener('open', (e) => {
        if (e instanceof MessageEvent) return;
        v.sample(); v.conn++; v.log.push({ k: 'open', conn: v.conn, t: Date.now() });
      });
      const rec = (e) => {
        v.sample();
        if (e instanceof MessageEvent) {
          if (full()) { v.overflow = true; return; }
          v.chars += e.data.length;
          v.log.push({ k: 'event', conn: v.conn, type: e.type, data: e.data, id: e.lastEventId, t: Date.now() });
        } else if (e.type === 'error') {
          v.log.push({ k: 'error', conn: v.conn, rs: src.readyState, t: Date.now() });
        }
      };
      v.listen = (type) => { if (v.listened[type] === undefined) { v.listened[type] = Date.now(); src.addEventListener(type, rec); } };
      ['message', 'error', ...types].forEach(v.listen);
      return true;
      """;
}
