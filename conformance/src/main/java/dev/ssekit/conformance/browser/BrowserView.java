package dev.ssekit.conformance.browser;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Engine;
import dev.ssekit.protocol.StreamItem;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
 *
 * <p>This class drives Chromium and the recordings; what they saw is judged by
 * {@link BrowserJudgement}, and the result is a {@link CheckResult} like any check's.
 */
public final class BrowserView {

  static final String SPEC = "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation";

  /** The check the view of {@code engine} reports as: {@code lifecycle.browser-view.chromium} or {@code .firefox}. */
  public static String checkId(Engine engine) {
    return "lifecycle.browser-view." + engine.id();
  }

  /** What the view of {@code engine} checks, in one line. */
  public static String summary(Engine engine) {
    return "Headless " + engine.title() + "'s EventSource dispatches what the oracle reads (with " + engine.title()
        + "'s known departures from the standard), through a reconnect";
  }

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
   * @param engine whose browser it was
   * @param check the check result for the report
   * @param console a few lines for the console section
   * @param first the oracle's recording beside the browser's first connection, or null when none was made
   * @param second the oracle's recording after the browser reconnected, or null
   */
  public record Result(Engine engine, CheckResult check, List<String> console, Recording first, Recording second) {
    public Result {
      console = console.stream().map(BrowserJudgement::printable).toList();
    }

    /** A view that ended before anything was compared: skipped or failed for {@code why}, said in one console line. */
    static Result ended(Engine engine, CheckResult.Status status, String why, List<String> evidence, List<String> notes,
        long began) {
      return new Result(engine, BrowserJudgement.result(engine, status, why, evidence, notes, began),
          List.of("Browser view (" + engine.title() + "): " + (status == CheckResult.Status.SKIPPED ? "skipped: " : "")
              + why), null, null);
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
   * Runs the browser view of {@code engine} with its EventSource in {@code page}
   * ({@code --browser-page}), or, when null, in the root of the stream's origin. Bounded: browser
   * start (30 s), page load (10 s), the window, and the recordings' own bounds; the browser is
   * always ended.
   *
   * @throws HeadlessBrowser.Unavailable when the engine's browser is not installed
   */
  public static Result run(Target target, Duration window, URI page, Engine engine) throws HeadlessBrowser.Unavailable,
      InterruptedException {
    long began = System.currentTimeMillis();
    if (!target.headers().isEmpty()) {
      String why = "the stream needs request headers (--header) that an EventSource cannot send";
      return Result.ended(engine, CheckResult.Status.SKIPPED, why, List.of(), List.of(), began);
    }
    HeadlessBrowser.requireInstalled(engine);
    URI url = target.url();
    URI origin = page != null ? page : defaultPage(url);
    HeadlessBrowser browser;
    try {
      browser = HeadlessBrowser.start(engine, url, origin, target.insecure());
    } catch (IOException e) {
      String why = engine.title() + " did not start: " + e.getMessage();
      return Result.ended(engine, CheckResult.Status.FAILED, why, List.of(), List.of(), began);
    }
    try (browser; Recorder recorder = new Recorder(target)) {
      return observe(target, window, browser, recorder, origin, began);
    } catch (IOException | RuntimeException e) {
      // A browser that crashed or stopped answering mid-window: what users would see fails too.
      String why = "the browser view could not complete: " + HeadlessBrowser.firstLine(String.valueOf(e.getMessage()));
      return Result.ended(engine, CheckResult.Status.FAILED, why, List.of(), List.of(), began);
    }
  }

  /** A recording in progress with the times the oracle first read each event, and the types it met. */
  private static final class Watch {
    final long started = System.currentTimeMillis();
    int seenEvents;
    final Set<String> types = new LinkedHashSet<>();
    final Recorder.Session session;

    Watch(Recorder recorder, Target target, String lastEventId, Duration window) {
      Recorder.Request r = Recorder.Request.of(target, window).withMaxBytes(16L << 20).until(this::seen);
      if (lastEventId != null) r = r.withLastEventId(lastEventId);
      session = recorder.open(r);
    }

    private synchronized boolean seen(List<DispatchedEvent> events) {
      for (int i = seenEvents; i < events.size(); i++) types.add(events.get(i).type());
      seenEvents = events.size();
      return false; // never stop early: this only watches
    }

    synchronized Set<String> types() {
      return new LinkedHashSet<>(types);
    }

    /**
     * The recording, with the events {@code engine}'s model reads in it, each at the time the
     * chunk that completed it arrived.
     */
    Parity.OracleConn finish(Engine engine) throws InterruptedException {
      session.stop();
      Recording rec = session.await();
      List<Parity.Ev> evs = new ArrayList<>();
      if (Parity.isEventStream(rec) && rec.decodable()) {
        for (Recording.Timed<StreamItem> t : rec.read(engine).items()) {
          if (t.item() instanceof DispatchedEvent e) {
            evs.add(new Parity.Ev(e.type(), e.data(), e.lastEventId(), started + t.at().toMillis()));
          }
        }
      }
      return new Parity.OracleConn(rec, evs, started);
    }
  }

  /** Control characters a server could have sent, escaped so they cannot drive the terminal. */
  public static String printable(String s) {
    return BrowserJudgement.printable(s);
  }

  /** The page the browser view runs in without {@code --browser-page}: the root of the stream's origin. */
  public static URI defaultPage(URI stream) {
    return URI.create(stream.getScheme() + "://" + stream.getRawAuthority() + "/");
  }

  /** What to do about a page that will not run the stream's EventSource. */
  static final String CHOOSE_A_PAGE = "not a finding about the stream; name a page that allows it with --browser-page URL"
      + " (a page of the stream's origin whose Content-Security-Policy, if any, allows connect-src to the stream)";

  /**
   * The view in the loaded browser: the page, the oracle's recording with the EventSource beside it,
   * the window, then the judgement.
   */
  private static Result observe(Target target, Duration window, HeadlessBrowser browser, Recorder recorder, URI origin,
      long began) throws InterruptedException, IOException {
    Engine engine = browser.engine();
    List<String> evidence = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    notes.add("browser: " + engine.title() + " " + browser.version() + " (headless), page " + origin);
    // 1. The page: by default the root of the stream's own origin (whatever it serves, even a 404 page).
    Page page = Page.load(browser, origin);
    if (page.unusable() != null) {
      return Result.ended(engine, CheckResult.Status.SKIPPED, page.unusable(), evidence, notes, began);
    }
    page.describe(origin, target.url(), notes);

    // 2. The oracle's recording, then the browser's EventSource with the types known so far.
    long end = System.currentTimeMillis() + LEAD.toMillis() + window.toMillis();
    Watch first = new Watch(recorder, target, null, LEAD.plus(window));
    Thread.sleep(LEAD.toMillis());
    List<String> initial = new ArrayList<>(withEngineVariants(first.types(), engine));
    try {
      browser.script(SCRIPT, target.url().toString(), initial, MAX_EVENTS, MAX_CHARS);
    } catch (IOException e) {
      first.finish(engine);
      String why = "the page could not run an EventSource: " + HeadlessBrowser.firstLine(e.getMessage());
      return Result.ended(engine, CheckResult.Status.FAILED, why, evidence, notes, began);
    }

    // 3. Until the window ends: new types to listen for; a second recording when the browser reconnects.
    Watch second = watchUntil(end, browser, recorder, target, first, initial);

    // 4. What the page saw, next to what the oracle read.
    String json = (String) browser.script(
        "const v = window.__ssekit; v.sample(); v.src.close(); clearInterval(v.timer);"
            + " return JSON.stringify({log: v.log, listened: v.listened, overflow: v.overflow, started: v.t0});");
    Parity.OracleConn o1 = first.finish(engine);
    Parity.OracleConn o2 = second == null ? null : second.finish(engine);
    BrowserJudgement.Observation seen = new BrowserJudgement.Observation(engine, PageReading.parse(json),
        browser.refusals(target.url()), page.url(), o1, o2, end);
    return BrowserJudgement.judge(seen, evidence, notes, began);
  }

  /**
   * The page the EventSource runs in, once loaded.
   *
   * @param url where the browser ended up (after redirects)
   * @param unusable why no EventSource can run there (the page did not load), or null
   */
  private record Page(String url, String unusable) {

    static Page load(HeadlessBrowser browser, URI origin) throws IOException {
      try {
        browser.load(origin);
      } catch (IOException e) {
        return new Page(null, "the browser could not load the page " + origin + " to run its EventSource in ("
            + HeadlessBrowser.firstLine(e.getMessage()) + "): " + CHOOSE_A_PAGE);
      }
      String pageUrl = browser.currentUrl();
      if (!pageUrl.startsWith("http://") && !pageUrl.startsWith("https://")) {
        return new Page(pageUrl, "the page " + origin + " did not load (the browser shows " + pageUrl + "), so there was"
            + " no page to run the EventSource in: " + CHOOSE_A_PAGE);
      }
      return new Page(pageUrl, null);
    }

    /** Notes where the page ended up when that was not {@code origin}, and a cross-origin stream. */
    void describe(URI origin, URI stream, List<String> notes) {
      if (!url.equals(origin.toString())) notes.add("the page " + origin + " ended at " + url + " (a redirect)");
      URI pageOrigin = defaultPage(URI.create(url));
      if (!pageOrigin.equals(defaultPage(stream))) {
        notes.add("the page's origin " + pageOrigin + " is not the stream's: the EventSource's request is cross-origin"
            + " (CORS)");
      }
    }
  }

  /**
   * Polls the page until {@code end}: adds a listener for each event type the oracle met since, and
   * once the browser has reconnected, starts the oracle's second recording with the Last-Event-ID a
   * browser sends. Returns that second recording, or null when the browser did not reconnect.
   */
  private static Watch watchUntil(long end, HeadlessBrowser js, Recorder recorder, Target target, Watch first,
      List<String> initial) throws InterruptedException, IOException {
    Watch second = null;
    Set<String> listened = new LinkedHashSet<>(initial);
    while (System.currentTimeMillis() < end) {
      Thread.sleep(Math.min(POLL_MS, Math.max(1, end - System.currentTimeMillis())));
      Set<String> types = first.types();
      if (second != null) types.addAll(second.types());
      types = withEngineVariants(types, js.engine());
      types.removeAll(listened);
      Object conns = js.script("const v = window.__ssekit; arguments[0].forEach(v.listen); return v.conn;",
          new ArrayList<>(types));
      listened.addAll(types);
      if (second == null && conns instanceof Number n && n.intValue() >= 2) {
        String lastId = reconnectId(js, first);
        if (lastId != null && lastId.isEmpty()) lastId = null; // a browser sends no header for an empty id
        second = new Watch(recorder, target, lastId, Duration.ofMillis(Math.max(1, end - System.currentTimeMillis())));
      }
    }
    return second;
  }

  /**
   * The types the oracle met, and what the engine makes of them: Firefox drops the NULs of an event
   * name (all of them, or all but a first one right after the colon), so it dispatches those
   * events under another type, which the page must listen for too.
   */
  static Set<String> withEngineVariants(Set<String> types, Engine engine) {
    Set<String> out = new LinkedHashSet<>(types);
    if (engine != Engine.FIREFOX) return out;
    for (String t : types) {
      if (t.indexOf('\0') < 0) continue;
      out.add(t.replace("\0", ""));
      if (t.charAt(0) == '\0') out.add("\0" + t.substring(1).replace("\0", ""));
    }
    out.remove("");
    return out;
  }

  /**
   * The Last-Event-ID the browser sent when it reconnected: the last event ID its engine holds after
   * the first connection's bytes (an id-only block at the end moves it in the standard and Chromium,
   * not in Firefox), read by the engine's model from the oracle's first recording once the server
   * ended it, when that recording's last event carries the browser's last event's id; otherwise
   * (not ended within half a second, cut by a cap, another id sequence) the id of the last event
   * the page logged.
   */
  private static String reconnectId(HeadlessBrowser js, Watch first) throws IOException, InterruptedException {
    String browserLast = browserLastId(js);
    if (first.session.awaitEnd(Duration.ofMillis(500))) {
      Recording rec = first.session.await();
      boolean whole = rec.end() == Recording.End.EOF || rec.end() == Recording.End.ERROR;
      if (whole && Parity.isEventStream(rec) && rec.decodable()) {
        // The oracle's connection saw the same events as the browser's (its last one has the browser's last id):
        // then the ID the model ends with is the browser's too. A server that numbers each connection differently
        // fails this test, and the browser's own last id is the better guess.
        Recording.Reading model = rec.read(js.engine());
        String modelLast = null;
        for (Recording.Timed<StreamItem> t : model.items()) {
          if (t.item() instanceof DispatchedEvent e) modelLast = e.lastEventId();
        }
        if (java.util.Objects.equals(modelLast, browserLast)) return model.lastEventId();
      }
    }
    return browserLast;
  }

  private static String browserLastId(HeadlessBrowser js) throws IOException {
    Object id = js.script("const v = window.__ssekit; const l = v.log.filter(e => e.k === 'event' && e.conn === 1);"
        + " return l.length ? l[l.length - 1].id : null;");
    return id == null ? null : id.toString();
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
          // Counted as the JSON text it becomes, so the page's answer stays within what the driver reads.
          const n = JSON.stringify(e.data).length + JSON.stringify(e.type).length + JSON.stringify(e.lastEventId).length;
          if (full() || v.chars + n > maxChars) { v.overflow = true; return; }
          v.chars += n;
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
