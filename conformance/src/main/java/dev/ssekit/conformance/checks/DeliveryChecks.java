package dev.ssekit.conformance.checks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.oracle.EventStreamParser;
import dev.ssekit.conformance.oracle.StreamItem;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delivery through the publish contract ({@code POST {"data","event"?,"id"?}}): what the server
 * writes for the events we choose. Every check opens its stream before publishing, marks its events
 * with a per-run marker so other traffic (ticks, other runs, history) cannot confuse matching, and
 * bounds every wait.
 */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class DeliveryChecks {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final String CVES = "this is the framing-injection flaw behind the 2026 CVEs in Spring (CVE-2026-22735, "
      + "CVE-2026-47890, CVE-2026-59313), NestJS (CVE-2026-35515), h3 (GHSA-22cc-p3c6-wpvm) and eventsource-encoder "
      + "(CVE-2026-44214): whoever controls that value writes arbitrary fields and events into every subscriber's stream";

  // ---------------------------------------------------------------- F-04

  /** One payload of the torture set. */
  record Payload(String name, String data) {
    String expected() {
      return data.replace("\r\n", "\n").replace('\r', '\n');
    }
  }

  static List<Payload> tortureSet() {
    StringBuilder big = new StringBuilder(64 * 1024);
    while (big.length() < 64 * 1024) big.append("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_");
    big.setLength(64 * 1024);
    return List.of(
        new Payload("LF", "line one\nline two"),
        new Payload("CRLF", "line one\r\nline two"),
        new Payload("lone CR", "line one\rline two"),
        new Payload("CR at the end", "ends with CR\r"),
        new Payload("mixed CR, LF, CRLF", "a\rb\nc\r\nd"),
        new Payload("empty string", ""),
        new Payload("LF alone", "\n"),
        new Payload("CRLF alone", "\r\n"),
        new Payload("leading newline", "\nafter a leading newline"),
        new Payload("trailing newline", "before a trailing newline\n"),
        new Payload("newlines around", "\n\nsurrounded\n\n"),
        new Payload("empty line in the middle", "above\n\nbelow"),
        new Payload("empty CRLF lines in the middle", "above\r\n\r\n\r\nbelow"),
        new Payload("one leading space", " one leading space"),
        new Payload("two leading spaces", "  two leading spaces"),
        new Payload("leading tab and trailing spaces", "\ttab, then trailing spaces  "),
        new Payload("space on a continuation line", "first\n second line starts with a space"),
        new Payload("colon first", ": x"),
        new Payload("field-like text", "data: y"),
        new Payload("field-like second line", "x\nid: 999\nevent: injected\nretry: 1"),
        new Payload("colons", "a:b::c:"),
        new Payload("NUL", "before\u0000after"),
        new Payload("astral Unicode", "emoji \uD83D\uDE00 clef \uD834\uDD1E han \u6F22\u5B57 bom\uFEFF"),
        new Payload("64 KiB", big.toString()),
        new Payload("JSON document with newlines", "{\n  \"name\": \"ssekit\",\n  \"list\": [1, 2, 3],\n"
            + "  \"text\": \"with \\\"quotes\\\" and \\\\n\"\n}\n"));
  }

  @SseCheck(id = "delivery.payload-round-trip", severity = Severity.MUST, spec = Spec.PARSING, rule = "F-04",
      needsPublish = true,
      summary = "published payloads (line breaks of every kind, empty lines, leading spaces, colons, NUL, astral "
          + "Unicode, 64 KiB, JSON) arrive with exactly their data, CR and CRLF turned into LF")
  void payloadRoundTrip(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = ReconnectChecks.runId();
    List<Payload> set = tortureSet();
    String control = "ssekit-" + run + "-control";
    Set<String> types = new HashSet<>();
    for (int i = 0; i < set.size(); i++) types.add(marker(run, i));
    Recorder.Session s = open(recorder, Recorder.Request.of(target, Duration.ofSeconds(20)).until(events -> {
      int seen = 0;
      boolean ctl = false;
      for (StreamItem.Event e : events) {
        if (types.contains(e.type())) seen++;
        if (e.data().equals(control)) ctl = true;
      }
      return seen >= types.size() && ctl;
    }), findings);
    Map<Integer, String> refused = new LinkedHashMap<>();
    for (int i = 0; i < set.size(); i++) {
      Recorder.Published p = publish(recorder, json("data", set.get(i).data(), "event", marker(run, i)));
      if (p.status() / 100 != 2) refused.put(i, p.status() + " " + oneLine(p.body()));
    }
    Recorder.Published c = publish(recorder, json("data", control));
    boolean controlAccepted = c.status() / 100 == 2;
    Recording r = streamOf(s, findings);
    List<StreamItem.Event> events = r.events();
    Map<String, List<StreamItem.Event>> byType = new HashMap<>();
    boolean controlSeen = false;
    for (StreamItem.Event e : events) {
      if (types.contains(e.type())) byType.computeIfAbsent(e.type(), k -> new ArrayList<>()).add(e);
      if (e.data().equals(control)) controlSeen = true;
    }
    if (byType.isEmpty() && controlSeen) {
      findings.evidence("stream bytes", r.body());
      findings.violation("none of the " + set.size() + " payloads published with an event name arrived under that "
          + "name, although an event without a name did: the server drops or rewrites the publish contract's "
          + "\"event\" field, so browser code listening with addEventListener(name) would never fire");
      return;
    }
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < set.size(); i++) {
      Payload p = set.get(i);
      String label = "#" + i + " " + p.name();
      if (refused.containsKey(i)) {
        mismatches.add(label + ": publish refused (" + refused.get(i) + ")");
        continue;
      }
      List<StreamItem.Event> got = byType.getOrDefault(marker(run, i), List.of());
      if (got.isEmpty()) {
        mismatches.add(label + ": never arrived (expected data " + esc(p.expected()) + ")");
        showRaw(findings, r, marker(run, i), label);
      } else if (!got.get(0).data().equals(p.expected())) {
        mismatches.add(label + ": expected " + esc(p.expected()) + ", got " + esc(got.get(0).data())
            + firstDifference(p.expected(), got.get(0).data()));
        showRaw(findings, r, marker(run, i), label);
      } else if (got.size() > 1) {
        mismatches.add(label + ": arrived " + got.size() + " times");
      }
    }
    if (!controlAccepted || !controlSeen) {
      findings.note("the control event (plain data " + control + ") was " + (controlAccepted ? "accepted" : "refused ("
          + c.status() + ")") + " and " + (controlSeen ? "arrived" : "never arrived"));
    }
    findings.note((set.size() - mismatches.size()) + " of " + set.size() + " payloads round-tripped exactly");
    findings.require(mismatches.isEmpty(), mismatches.size() + " of " + set.size() + " payloads did not arrive as "
        + "published (a browser's event.data would differ — lines lost or cut, text turned into unknown fields, or "
        + "events split): " + String.join("; ", mismatches)
        + ". Every CR, LF and CRLF in data must start a new \"data:\" line");
  }

  private static String marker(String run, int i) {
    return "ssekit-" + run + "-p" + i;
  }

  /** Where the data first differs, for long payloads. */
  private static String firstDifference(String expected, String got) {
    int n = Math.min(expected.length(), got.length());
    int i = 0;
    while (i < n && expected.charAt(i) == got.charAt(i)) i++;
    if (expected.length() < 200 && got.length() < 200) return "";
    return " (lengths " + expected.length() + " vs " + got.length() + "; first difference at char " + i + ")";
  }

  /** Evidence: the raw bytes around {@code needle} in the recording. */
  private static void showRaw(Findings findings, Recording r, String needle, String label) {
    byte[] body = r.body();
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(body, n, 0);
    if (at < 0) return;
    int from = Math.max(0, lastBlankLine(body, at));
    int to = Math.min(body.length, at + n.length + 300);
    findings.evidence("raw bytes for " + label, Arrays.copyOfRange(body, from, to));
  }

  private static int lastBlankLine(byte[] b, int before) {
    for (int i = before - 1; i > 0; i--) if (b[i] == '\n' && b[i - 1] == '\n') return i + 1;
    return Math.max(0, before - 200);
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  // ---------------------------------------------------------------- injection

  @SseCheck(id = "delivery.event-name-injection", severity = Severity.MUST, spec = Spec.PARSING, rule = "F-05",
      needsPublish = true,
      summary = "event names carrying LF, CRLF or CR are refused, or delivered without becoming extra fields or events")
  void eventNameInjection(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = ReconnectChecks.runId();
    injection(target, recorder, findings, run, "event", "event name", new String[][] {
        {"x1-" + run, "evil\ndata: injected-" + run},
        {"x2-" + run, "evil\r\n\r\ndata: injected2-" + run},
        {"x3-" + run, "evil\rdata: injected3-" + run}});
  }

  @SseCheck(id = "delivery.id-injection", severity = Severity.MUST, spec = Spec.PARSING, rule = "D-06",
      needsPublish = true,
      summary = "ids carrying LF, CRLF or CR are refused, or delivered without becoming extra fields or events")
  void idInjection(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = ReconnectChecks.runId();
    injection(target, recorder, findings, run, "id", "id", new String[][] {
        {"y1-" + run, "evil-" + run + "\ndata: injected-" + run},
        {"y2-" + run, "evil-" + run + "\r\n\r\ndata: injected2-" + run},
        {"y3-" + run, "evil-" + run + "\rdata: injected3-" + run}});
  }

  /** Publishes {data, field: value} pairs and checks nothing was injected. */
  private void injection(Target target, Recorder recorder, Findings findings, String run, String field, String what,
      String[][] cases) throws InterruptedException {
    String injected = "injected";
    String control = "ssekit-" + run + "-control";
    Recorder.Session s = open(recorder, Recorder.Request.of(target, Duration.ofSeconds(10))
        .until(events -> events.stream().anyMatch(e -> e.data().equals(control))), findings);
    List<String> accepted = new ArrayList<>();
    List<String> outcomes = new ArrayList<>();
    for (String[] c : cases) {
      Recorder.Published p = publish(recorder, json("data", c[0], field, c[1]));
      boolean ok = p.status() / 100 == 2;
      if (ok) accepted.add(c[0]);
      outcomes.add(field + " " + esc(c[1]) + " → " + p.status() + (ok ? "" : " " + oneLine(p.body())));
    }
    // A control event published last: once it arrives, everything published before it has too.
    Recorder.Published cp = publish(recorder, json("data", control));
    if (cp.status() / 100 != 2) {
      s.stop();
      findings.violation("publishing a plain event {\"data\":\"" + control + "\"} was refused (" + cp.status() + " "
          + oneLine(cp.body()) + "): cannot observe the stream");
      return;
    }
    Recording r = streamOf(s, findings);
    findings.note(String.join("; ", outcomes));
    List<String> problems = new ArrayList<>();
    boolean controlSeen = false;
    Pattern ours = Pattern.compile("(x|y)\\d-" + Pattern.quote(run) + "|" + Pattern.quote(injected) + "\\d?-" + Pattern.quote(run));
    Map<String, Integer> arrivals = new HashMap<>();
    for (StreamItem.Event e : r.events()) {
      if (e.data().equals(control)) controlSeen = true;
      boolean mine = ours.matcher(e.data()).find() || ours.matcher(e.type()).find();
      if (!mine) continue;
      if (e.data().contains(injected)) {
        problems.add("an event arrived with data " + esc(e.data()) + " (type " + esc(e.type()) + ", id "
            + esc(e.lastEventId()) + "): the " + what + "'s line break started a new field");
      } else {
        arrivals.merge(e.data(), 1, Integer::sum);
        boolean whole = false;
        for (String[] c : cases) if (e.data().equals(c[0])) whole = true;
        if (!whole) problems.add("an event arrived with data " + esc(e.data()) + " (type " + esc(e.type()) + ")");
      }
    }
    if (!controlSeen) {
      findings.evidence("stream bytes", r.body());
      findings.violation("the control event published after the " + what + " cases never arrived within 10 s, so "
          + "the stream could not be judged (was it broken by what was written before it?)");
      return;
    }
    for (String data : accepted) {
      int n = arrivals.getOrDefault(data, 0);
      if (n == 0) problems.add("the event with data " + esc(data) + " was accepted but never arrived whole");
      if (n > 1) problems.add("the event with data " + esc(data) + " arrived " + n + " times");
    }
    if (!problems.isEmpty()) {
      byte[] body = r.body();
      int at = indexOf(body, ("evil").getBytes(StandardCharsets.UTF_8), 0);
      if (at >= 0) findings.evidence("raw bytes", Arrays.copyOfRange(body, Math.max(0, at - 40), Math.min(body.length, at + 400)));
      else findings.evidence("stream bytes", body);
    }
    findings.require(problems.isEmpty(), "a published " + what + " containing line breaks was written into the stream "
        + "raw: " + String.join("; ", problems) + ". A browser would dispatch attacker-chosen data; " + CVES
        + ". Refuse such values (4xx) or split/strip them");
  }

  // ---------------------------------------------------------------- H-06

  @SseCheck(id = "delivery.latency", severity = Severity.SHOULD, spec = Spec.AUTHORING, rule = "H-06",
      needsPublish = true,
      summary = "events published 50 ms apart reach an open stream promptly (median publish-to-receive under 500 ms)")
  void latency(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = ReconnectChecks.runId();
    int count = 20;
    String prefix = "ssekit-" + run + "-lat-";
    String last = prefix + (count - 1);
    // One clock: publish times are taken relative to t0, read just before the session starts its own clock, so
    // a chunk's time (since the session started) is at most microseconds less than its time since t0.
    long t0 = System.nanoTime();
    Recorder.Session s = open(recorder, Recorder.Request.of(target, Duration.ofSeconds(15))
        .until(events -> events.stream().anyMatch(e -> e.data().equals(last))), findings);
    long[] sentAt = new long[count];
    Arrays.fill(sentAt, -1);
    int refused = 0;
    long first = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long wait = first + Duration.ofMillis(50).toNanos() * i - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      long before = System.nanoTime() - t0;
      Recorder.Published p = publish(recorder, json("data", prefix + i));
      if (p.status() / 100 == 2) sentAt[i] = before;
      else refused++;
    }
    Recording r = streamOf(s, findings);
    List<Long> latencies = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (Timed t : timedEvents(r)) {
      if (!t.event.data().startsWith(prefix)) continue;
      int i;
      try {
        i = Integer.parseInt(t.event.data().substring(prefix.length()));
      } catch (NumberFormatException e) {
        continue;
      }
      if (i < 0 || i >= count || sentAt[i] < 0 || !seen.add(i)) continue;
      latencies.add(Math.max(0, t.at.toNanos() - sentAt[i]) / 1_000_000);
    }
    int expected = count - refused;
    if (latencies.isEmpty()) {
      findings.evidence("stream bytes", r.body());
      findings.violation("none of the " + expected + " events published 50 ms apart arrived within "
          + r.duration().toSeconds() + " s" + (refused > 0 ? " (" + refused + " publishes refused)" : "")
          + ": a browser would show nothing");
      return;
    }
    List<Long> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    long p50 = sorted.get((sorted.size() - 1) / 2);
    long p95 = sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1);
    long max = sorted.get(sorted.size() - 1);
    findings.note("publish-to-receive latency over " + sorted.size() + " events: p50 " + p50 + " ms, p95 " + p95
        + " ms, max " + max + " ms (in arrival order: " + latencies + ")");
    List<String> problems = new ArrayList<>();
    if (p50 > 500) {
      problems.add("median publish-to-receive latency is " + p50 + " ms (p95 " + p95 + " ms): the events are "
          + "buffered somewhere (compression, proxy buffering, a missing flush), so a browser shows them late and "
          + "in bursts");
    }
    if (sorted.size() < expected) {
      problems.add((expected - sorted.size()) + " of " + expected + " events never arrived");
    }
    findings.require(problems.isEmpty(), String.join("; ", problems));
  }

  /** An event and when the read that completed it arrived (time since the request was sent). */
  record Timed(StreamItem.Event event, Duration at) {}

  static List<Timed> timedEvents(Recording r) {
    List<Timed> out = new ArrayList<>();
    Duration[] now = {Duration.ZERO};
    EventStreamParser p = new EventStreamParser(item -> {
      if (item instanceof StreamItem.Event e) out.add(new Timed(e, now[0]));
    }, r.lastEventIdSent() == null ? "" : r.lastEventIdSent(), EventStreamParser.DEFAULT_MAX_LINE_CHARS,
        EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    for (Recording.Chunk c : r.chunks()) {
      now[0] = c.at();
      p.feed(c.bytes());
    }
    return out;
  }

  // ---------------------------------------------------------------- burst

  @SseCheck(id = "delivery.burst-to-three", severity = Severity.MUST, spec = Spec.PROCESSING,
      profile = Target.Profile.STANDARD, needsPublish = true,
      summary = "1,000 events published back to back reach three concurrent connections complete and in order")
  void burstToThree(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = ReconnectChecks.runId();
    int count = 1000;
    String prefix = "ssekit-" + run + "-burst-";
    String last = prefix + (count - 1);
    Duration budget = Duration.ofSeconds(60);
    long start = System.nanoTime();
    Predicate<List<StreamItem.Event>> done = events -> {
      for (int i = events.size() - 1; i >= 0 && i >= events.size() - 64; i--) {
        if (events.get(i).data().equals(last)) return true;
      }
      return false;
    };
    List<Recorder.Session> sessions = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      sessions.add(recorder.open(Recorder.Request.of(target, budget).until(done)));
    }
    for (Recorder.Session s : sessions) {
      if (!s.awaitHead()) {
        sessions.forEach(Recorder.Session::stop);
        findings.violation("a stream connection got no response head within " + Recorder.HEAD_TIMEOUT.toSeconds() + " s");
        return;
      }
    }
    boolean[] accepted = new boolean[count];
    int refused = 0;
    String firstRefusal = null;
    int publishedUpTo = 0;
    for (int i = 0; i < count; i++) {
      if (System.nanoTime() - start > budget.toNanos() * 2 / 3) break;
      Recorder.Published p = publish(recorder, json("data", prefix + i));
      accepted[i] = p.status() / 100 == 2;
      if (!accepted[i]) {
        refused++;
        if (firstRefusal == null) firstRefusal = "#" + i + ": " + p.status() + " " + oneLine(p.body());
      }
      publishedUpTo = i + 1;
    }
    long publishMs = (System.nanoTime() - start) / 1_000_000;
    // Whatever has not arrived 10 s after the last publish is not coming.
    Thread stopper = new Thread(() -> {
      try {
        Thread.sleep(10_000);
      } catch (InterruptedException e) {
        return;
      }
      sessions.forEach(Recorder.Session::stop);
    }, "ssekit-burst-stopper");
    stopper.setDaemon(true);
    stopper.start();
    List<Recording> recordings = new ArrayList<>();
    try {
      for (Recorder.Session s : sessions) recordings.add(streamOf(s, findings));
    } finally {
      stopper.interrupt();
      sessions.forEach(Recorder.Session::stop);
    }
    int expected = 0;
    for (int i = 0; i < publishedUpTo; i++) if (accepted[i]) expected++;
    findings.note("published " + publishedUpTo + " events in " + publishMs + " ms (" + refused + " refused"
        + (firstRefusal == null ? "" : ", first " + firstRefusal) + ")");
    if (expected == 0) {
      findings.violation("every publish was refused (first: " + firstRefusal + "): nothing to deliver");
      return;
    }
    Pattern p = Pattern.compile(Pattern.quote(prefix) + "(\\d+)");
    List<String> problems = new ArrayList<>();
    for (int c = 0; c < recordings.size(); c++) {
      Recording r = recordings.get(c);
      int[] times = new int[count];
      int outOfOrder = 0;
      int prev = -1;
      int unexpected = 0;
      for (StreamItem.Event e : r.events()) {
        Matcher m = p.matcher(e.data());
        if (!m.matches()) continue;
        int n = Integer.parseInt(m.group(1));
        if (n >= count) continue;
        if (!accepted[n]) unexpected++;
        times[n]++;
        if (n < prev) outOfOrder++;
        prev = Math.max(prev, n);
      }
      int missing = 0;
      int duplicated = 0;
      int firstMissing = -1;
      for (int i = 0; i < publishedUpTo; i++) {
        if (accepted[i] && times[i] == 0) {
          missing++;
          if (firstMissing < 0) firstMissing = i;
        }
        if (times[i] > 1) duplicated += times[i] - 1;
      }
      String line = "connection " + (c + 1) + ": " + (expected - missing) + "/" + expected + " delivered, " + missing
          + " missing" + (firstMissing >= 0 ? " (first #" + firstMissing + ")" : "") + ", " + duplicated
          + " duplicated, " + outOfOrder + " out of order" + (unexpected > 0 ? ", " + unexpected + " refused yet delivered" : "")
          + "; recording ended by " + r.end().name().toLowerCase() + " after " + r.duration().toMillis() + " ms";
      findings.note(line);
      if (missing > 0 || duplicated > 0 || outOfOrder > 0 || r.status() != 200) {
        problems.add(r.status() != 200 ? "connection " + (c + 1) + " got status " + r.status() : line);
      }
    }
    findings.require(problems.isEmpty(), "a burst of " + expected + " events did not reach every connection complete "
        + "and in order: " + String.join("; ", problems) + ". A browser would silently miss, repeat or reorder "
        + "events (slow-subscriber queues dropping, per-connection writes racing)");
  }

  // ---------------------------------------------------------------- S-01 driven

  @SseCheck(id = "delivery.replay-while-away", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, rule = "S-01",
      needsPublish = true,
      summary = "events published while a client is away arrive after it reconnects with Last-Event-ID: all, in "
          + "order, once")
  void replayWhileAway(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    String run = ReconnectChecks.runId();
    String prefix = "ssekit-" + run + "-away-";
    Recorder.Session s = open(recorder, Recorder.Request.of(target, Duration.ofSeconds(10))
        .until(events -> events.stream().anyMatch(e -> e.data().equals(prefix + 0))), findings);
    Recorder.Published first = publish(recorder, json("data", prefix + 0));
    if (first.status() / 100 != 2) {
      s.stop();
      findings.violation("publishing {\"data\":\"" + prefix + "0\"} was refused: " + first.status() + " " + oneLine(first.body()));
      return;
    }
    Recording before = streamOf(s, findings);
    String k = null;
    for (StreamItem.Event e : before.events()) if (e.data().equals(prefix + 0)) k = e.lastEventId();
    if (k == null) {
      findings.evidence("stream bytes", before.body());
      findings.violation("the event published while connected ({\"data\":\"" + prefix + "0\"}, accepted with "
          + first.status() + ") never arrived within 10 s");
      return;
    }
    if (k.isEmpty()) {
      findings.notApplicable("the server sends no ids in the stream"
          + (first.id() == null ? "" : " (the publish answer named id " + first.id() + ", but a browser never sees it)")
          + ": a browser cannot resume, so there is no replay to check");
    }
    if (first.id() != null && !first.id().equals(k)) {
      findings.note("the publish answer said id " + Findings.escape(first.id()) + " but the stream carried "
          + Findings.escape(k) + "; resuming from the stream's id, as a browser does");
    }
    List<String> refused = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Recorder.Published p = publish(recorder, json("data", prefix + i));
      if (p.status() / 100 != 2) refused.add("#" + i + ": " + p.status() + " " + oneLine(p.body()));
    }
    if (!refused.isEmpty()) {
      findings.violation("publishing while the client was away was refused: " + String.join("; ", refused));
      return;
    }
    Recording after = recorder.record(Recorder.Request.of(target, Duration.ofSeconds(10)).withLastEventId(k)
        .until(events -> events.stream().anyMatch(e -> e.data().equals(prefix + 3))));
    if (after.status() != 200) {
      findings.violation("reconnecting with Last-Event-ID " + Findings.escape(k) + " got "
          + ReconnectChecks.describeHead(after) + ": a browser stops for good");
      return;
    }
    List<String> got = new ArrayList<>();
    for (StreamItem.Event e : after.events()) if (e.data().startsWith(prefix)) got.add(e.data().substring(prefix.length()));
    findings.note("resumed after " + Findings.escape(k) + "; our events on the resumed stream: " + got);
    List<String> want = List.of("1", "2", "3");
    if (!got.equals(want)) {
      List<String> problems = new ArrayList<>();
      if (got.contains("0")) {
        problems.add("event 0 (the one carrying id " + k + ", which the client already had) was sent again");
      }
      for (String w : want) {
        long n = got.stream().filter(w::equals).count();
        if (n == 0) problems.add("event " + w + " never arrived");
        if (n > 1) problems.add("event " + w + " arrived " + n + " times");
      }
      if (problems.isEmpty()) problems.add("they arrived out of order");
      findings.evidence("resumed stream bytes", after.body());
      findings.violation("after reconnecting with Last-Event-ID " + Findings.escape(k) + " the three events "
          + "published while the client was away should arrive once each, in order, and nothing before them; saw "
          + got + ": " + String.join("; ", problems) + ". A browser that lost its connection for a moment would "
          + (got.contains("0") ? "show an event twice" : "silently miss or reorder events"));
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Opens a stream and waits for its head; a stream that does not answer is for the http checks to judge. */
  private static Recorder.Session open(Recorder recorder, Recorder.Request request, Findings findings)
      throws InterruptedException {
    Recorder.Session s = recorder.open(request);
    if (!s.awaitHead()) {
      s.stop();
      findings.notApplicable("the stream did not open: " + ReconnectChecks.describeHead(s.await())
          + " (the http checks report it)");
    }
    return s;
  }

  /** The recording of an opened stream; not applicable when the answer was not a 200 stream. */
  private static Recording streamOf(Recorder.Session s, Findings findings) throws InterruptedException {
    Recording r = s.await();
    if (r.status() != 200) {
      findings.notApplicable("the stream did not open: " + ReconnectChecks.describeHead(r) + " (the http checks report it)");
    }
    return r;
  }

  /** Publishes; a transport error becomes a pseudo-answer with status -1 and the error as body. */
  private static Recorder.Published publish(Recorder recorder, String json) {
    try {
      return recorder.publish(json);
    } catch (IOException e) {
      return new Recorder.Published(-1, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
    }
  }

  static String json(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String esc(String s) {
    return Findings.escape(s.getBytes(StandardCharsets.UTF_8), 160);
  }

  private static String oneLine(String s) {
    String t = s == null ? "" : s.strip().replace('\n', ' ').replace('\r', ' ');
    return t.length() > 160 ? t.substring(0, 160) + "…" : t;
  }
}
