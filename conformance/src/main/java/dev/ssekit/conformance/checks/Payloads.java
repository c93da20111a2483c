package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.protocol.DispatchedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judging the payload checks (round trip, teardown, injection) from a {@link Lockstep} run: what
 * arrived for each payload, why it differs, and the exact bytes the server wrote for it.
 */
final class Payloads {
  private Payloads() {}

  /** One payload of the torture set. */
  record Payload(String name, String data) {}

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

  /** The event name payload {@code k} is published under. */
  static String type(String run, int k) {
    return "ssekit-" + run + "-p" + k;
  }

  /** The torture set as lockstep items, each under its own event name. */
  static List<Lockstep.Item> items(String run) {
    List<Payload> set = tortureSet();
    List<Lockstep.Item> items = new ArrayList<>();
    for (int k = 0; k < set.size(); k++) {
      Payload p = set.get(k);
      items.add(new Lockstep.Item("#" + k + " " + p.name(), p.data(), Publishing.json("data", p.data(), "event", type(run, k))));
    }
    return items;
  }

  /** What a step's payload came to: the events attributed to it and, when it differs, why. */
  record Verdict(Lockstep.Step step, List<DispatchedEvent> got, Causes.Cause cause, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  /**
   * Judges each step of a torture-set run: the events under the payload's own name (or, when the
   * server carries no event names at all, the non-marker events between the markers). A payload
   * that differs gets the cause that best explains it given every other payload of the run.
   */
  static List<Verdict> judge(Lockstep.Result r) {
    boolean named = false;
    for (BrowserStream.Arrival a : r.followed().arrivals()) {
      if (a.event().type().startsWith("ssekit-" + r.run() + "-p")) named = true;
    }
    List<Lockstep.Step> steps = r.steps();
    List<Verdict> first = new ArrayList<>();
    List<java.util.EnumSet<Causes.Cause>> candidates = new ArrayList<>();
    List<Integer> differing = new ArrayList<>();
    for (Lockstep.Step s : steps) {
      String next = s.index() + 1 < steps.size() ? steps.get(s.index() + 1).item().data() : null;
      Verdict v = judge(r, s, named);
      if (v.cause() == Causes.Cause.OTHER) {
        differing.add(first.size());
        candidates.add(Causes.candidates(s.item().data(), v.got().stream().map(DispatchedEvent::data).toList(), next));
      }
      first.add(v);
    }
    List<Causes.Cause> chosen = Causes.choose(candidates);
    List<Verdict> out = new ArrayList<>(first);
    for (int i = 0; i < differing.size(); i++) {
      Verdict v = out.get(differing.get(i));
      out.set(differing.get(i), new Verdict(v.step(), v.got(), chosen.get(i), v.problem()));
    }
    return out;
  }

  /** One step alone: ok, a problem without a data cause (refused, missing, repeated), or a difference (cause OTHER, to be chosen). */
  private static Verdict judge(Lockstep.Result r, Lockstep.Step s, boolean named) {
    if (!Publishing.accepted(s.answer())) {
      return new Verdict(s, List.of(), null, "publish refused (" + Publishing.answer(s.answer()) + ")");
    }
    String want = Causes.normalize(s.item().data());
    Attributed mine = named ? underItsName(r, s) : byPosition(s, want);
    if (mine.arrivals().isEmpty()) return nothingArrived(r, s, want);
    // Repeats: the same event again, on the same connection or after a reconnect.
    List<DispatchedEvent> got = withoutReplays(mine.arrivals());
    int repeats = mine.arrivals().size() - got.size();
    String otherType = mine.otherType();
    List<String> datas = got.stream().map(DispatchedEvent::data).toList();
    if (otherType == null && datas.size() > 1 && datas.stream().allMatch(d -> d.equals(want))) {
      return new Verdict(s, got, null, "arrived " + datas.size() + " times");
    }
    if (otherType == null && datas.size() == 1 && datas.get(0).equals(want)) {
      return new Verdict(s, got, null, repeats == 0 ? null
          : "arrived again after the reconnect (the resume replayed an event the client already had)");
    }
    String shown = datas.size() == 1 ? Publishing.esc(datas.get(0)) : datas.size() + " events " + datas.stream()
        .map(Publishing::esc).toList();
    return new Verdict(s, got, Causes.Cause.OTHER, "published " + Publishing.esc(s.item().data()) + ", a browser got "
        + shown + (otherType == null ? "" : " as an event of type " + Publishing.esc(otherType)));
  }

  /**
   * The events attributed to one payload.
   *
   * @param otherType the type they arrived under instead of the payload's own name, or null
   */
  private record Attributed(List<BrowserStream.Arrival> arrivals, String otherType) {}

  /** The events under the payload's own name or, when there are none, what the server wrote in its place. */
  private static Attributed underItsName(Lockstep.Result r, Lockstep.Step s) {
    String type = type(r.run(), s.index());
    List<BrowserStream.Arrival> mine = new ArrayList<>();
    for (BrowserStream.Arrival a : r.followed().arrivals()) if (a.event().type().equals(type)) mine.add(a);
    if (!mine.isEmpty()) return new Attributed(mine, null);
    // Not under its name: what the server wrote in its place (a data line that became an event: field).
    String otherType = null;
    for (BrowserStream.Arrival a : s.arrived()) {
      if (!a.event().type().startsWith("ssekit-")) {
        mine.add(a);
        otherType = a.event().type();
      }
    }
    return new Attributed(mine, otherType);
  }

  /**
   * The server dropped the event names: judge by position, leaving out what is plainly the server's
   * own (an event of another type, a tick); an exact match among them settles it.
   */
  private static Attributed byPosition(Lockstep.Step s, String want) {
    List<BrowserStream.Arrival> mine = new ArrayList<>();
    for (BrowserStream.Arrival a : s.arrived()) if (a.event().data().equals(want)) mine.add(a);
    if (mine.isEmpty()) {
      for (BrowserStream.Arrival a : s.arrived()) if (a.event().type().equals("message")) mine.add(a);
    }
    return new Attributed(mine, null);
  }

  /** Nothing arrived for the payload: an empty payload a server cannot send, a teardown, or a drop. */
  private static Verdict nothingArrived(Lockstep.Result r, Lockstep.Step s, String want) {
    boolean blind = r.followed().connections().stream().anyMatch(c -> c.index() > 0 && c.lastEventIdSent() == null);
    if (s.endedDuring() == 0 && s.markerSeen() && want.replace("\n", "").isEmpty()) {
      return new Verdict(s, List.of(), want.isEmpty() ? Causes.Cause.EMPTY_NOT_SENT
          : Causes.Cause.TRAILING_LINE_BREAK_LOST, "published " + Publishing.esc(s.item().data())
          + ", a browser dispatched nothing");
    }
    String why = s.endedDuring() > 0 ? "never arrived: the server ended the stream when it was published, and it was "
        + "not replayed after the reconnect" + (blind ? " (the stream had carried no id, so the client reconnected "
        + "without Last-Event-ID and could not resume)" : "")
        : s.markerSeen() ? "never arrived, although the event published right after it did (dropped)"
        : "never arrived (nor the event published after it)";
    return new Verdict(s, List.of(), null, why);
  }

  /**
   * The events as the client first got them: every one on the first connection that had any, and
   * after a reconnect only those whose data it had not got already (the rest are replays).
   */
  private static List<DispatchedEvent> withoutReplays(List<BrowserStream.Arrival> mine) {
    List<DispatchedEvent> got = new ArrayList<>();
    int firstConnection = mine.get(0).connection();
    for (BrowserStream.Arrival a : mine) {
      if (a.connection() == firstConnection || got.stream().noneMatch(e -> e.data().equals(a.event().data()))) {
        got.add(a.event());
      }
    }
    return got;
  }

  /**
   * The message for the failed verdicts: how many, the first cause a developer would fix (a
   * teardown first, then the cause of the earliest payload), and the other causes in brief.
   */
  static String message(List<Verdict> verdicts, int total, Lockstep.Result r) {
    List<Verdict> bad = verdicts.stream().filter(v -> !v.ok()).toList();
    Map<Causes.Cause, List<Verdict>> byCause = new EnumMap<>(Causes.Cause.class);
    Map<String, List<Verdict>> byProblem = new LinkedHashMap<>();
    for (Verdict v : bad) {
      if (v.cause() != null) byCause.computeIfAbsent(v.cause(), c -> new ArrayList<>()).add(v);
      else byProblem.computeIfAbsent(v.problem().replaceAll("\\(.*", "").strip(), c -> new ArrayList<>()).add(v);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(bad.size()).append(" of ").append(total).append(" payloads did not arrive as published. ");
    Lockstep.Step teardown = r.firstTeardown();
    List<String> parts = new ArrayList<>();
    if (teardown != null && bad.stream().anyMatch(v -> v.step().index() >= teardown.index())) {
      parts.add("The server ended the stream when payload " + teardown.item().label() + " "
          + Publishing.esc(teardown.item().data()) + " was published" + (r.followed().reconnects() > 0
          ? " (the client reconnected with Last-Event-ID, as a browser does, " + r.followed().reconnects() + " time(s))"
          : ""));
    }
    for (Map.Entry<Causes.Cause, List<Verdict>> e : byCause.entrySet()) {
      if (e.getKey() == Causes.Cause.OTHER) continue;
      Verdict first = e.getValue().get(0);
      parts.add(capitalize(e.getKey().explanation) + " (" + labels(e.getValue()) + "; " + first.step().item().label()
          + ": " + first.problem() + ")");
    }
    List<Verdict> other = byCause.getOrDefault(Causes.Cause.OTHER, List.of());
    if (!other.isEmpty()) {
      Verdict first = other.get(0);
      parts.add("The data differs (" + labels(other) + "; " + first.step().item().label() + ": " + first.problem()
          + firstDifference(first) + ")");
    }
    for (Map.Entry<String, List<Verdict>> e : byProblem.entrySet()) {
      parts.add(capitalize(e.getKey()) + ": " + labels(e.getValue()));
    }
    sb.append(String.join(". ", parts));
    if (r.stoppedBecause() != null) sb.append(". Not judged after that: ").append(r.stoppedBecause());
    return sb.append('.').toString();
  }

  private static String labels(List<Verdict> vs) {
    List<String> ls = vs.stream().map(v -> v.step().item().label()).toList();
    return ls.size() > 6 ? String.join(", ", ls.subList(0, 5)) + " and " + (ls.size() - 5) + " more"
        : String.join(", ", ls);
  }

  private static String firstDifference(Verdict v) {
    if (v.got().size() != 1) return "";
    String a = Causes.normalize(v.step().item().data());
    String b = v.got().get(0).data();
    if (a.length() < 200 && b.length() < 200) return "";
    int i = 0;
    while (i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i)) i++;
    return "; lengths " + a.length() + " vs " + b.length() + ", first difference at char " + i;
  }

  static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Evidence: the exact bytes the server wrote between the markers around step {@code k}. */
  static void showBytes(Findings findings, Lockstep.Result r, int k, String label) {
    byte[] body = r.followed().bodies();
    byte[] end = Lockstep.marker(r.run(), k).getBytes(StandardCharsets.UTF_8);
    int to = indexOf(body, end, 0, true);
    int from = 0;
    if (k > 0) {
      int prev = indexOf(body, Lockstep.marker(r.run(), k - 1).getBytes(StandardCharsets.UTF_8), 0, true);
      if (prev >= 0) from = nextBlankLine(body, prev);
    }
    if (to < 0) to = Math.min(body.length, from + 600);
    else to = lastLineStart(body, to);
    if (to <= from) return;
    findings.evidence("bytes written for " + label, Arrays.copyOfRange(body, from, to));
  }

  /** Index of {@code needle} not followed by a digit (step 1 is not step 12), or -1. */
  private static int indexOf(byte[] hay, byte[] needle, int from, boolean wholeNumber) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      int after = i + needle.length;
      if (wholeNumber && after < hay.length && hay[after] >= '0' && hay[after] <= '9') continue;
      return i;
    }
    return -1;
  }

  private static int nextBlankLine(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) if (b[i] == '\n' && b[i + 1] == '\n') return i + 2;
    return from;
  }

  private static int lastLineStart(byte[] b, int at) {
    int i = at;
    while (i > 0 && b[i - 1] != '\n' && b[i - 1] != '\r') i--;
    return i;
  }
}
