package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.StreamItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * S-01 driven by the check's own events: what a client that was away gets when it comes back with
 * the last id its stream carried (the browser's last event ID string, whichever event set it).
 */
final class Replay {
  private Replay() {}

  static final Duration WAIT = Duration.ofSeconds(6);
  static final int AWAY = 3;
  /** How long a client whose stream has no id yet stays for one from the server's own events. */
  static final Duration ID_WAIT = Duration.ofSeconds(1);

  private static String lastId(List<BrowserStream.Arrival> arrivals) {
    return arrivals.isEmpty() ? "" : arrivals.get(arrivals.size() - 1).event().lastEventId();
  }

  static void whileAway(Target target, Recorder recorder, Findings findings, DeliveryProbe.Outcome probe) throws InterruptedException {
    String run = Publishing.runId();
    String prefix = "ssekit-" + run + "-away-";
    BrowserStream s = Publishing.follow(recorder, Recorder.Request.of(target, WAIT.plusSeconds(4)), null, findings);
    Publishing.ready(List.of(s), recorder, run, Duration.ofSeconds(1), probe);
    Recorder.Published first = Publishing.publish(recorder, Publishing.json("data", prefix + 0));
    if (!Publishing.accepted(first)) {
      s.stop();
      findings.violation("publishing {\"data\":\"" + prefix + "0\"} was refused: " + Publishing.answer(first));
      return;
    }
    boolean arrived = s.awaitArrivals(Publishing.seen(prefix + 0), WAIT);
    // Our event may carry no id while the server's own events do (numbered heartbeats, greetings): a browser that
    // stays a moment longer has an id to resume from, so the client leaves once the stream has given it one.
    if (arrived && lastId(s.arrivalsSoFar()).isEmpty()) {
      s.awaitArrivals(a -> !lastId(a).isEmpty(), ID_WAIT);
    }
    BrowserStream.Followed before = s.stopAndAwait();
    if (!arrived) {
      findings.evidence("stream bytes", before.bodies());
      findings.violation("the event published while connected ({\"data\":\"" + prefix + "0\"}, accepted with "
          + first.status() + ") never arrived within " + WAIT.toSeconds() + " s; " + before.summary());
      return;
    }
    BrowserStream.Connection last = before.connections().get(before.connections().size() - 1);
    String k = last.lastEventIdAtEnd();
    if (k.isEmpty()) {
      findings.notApplicable("the stream carried no id (its last event ID string was empty when the client left)"
          + (first.id() == null ? "" : "; the publish answer named id " + Findings.escape(first.id())
          + ", but a browser never sees it") + ": a browser cannot resume, so there is no replay to check");
    }
    List<String> refused = new ArrayList<>();
    for (int i = 1; i <= AWAY; i++) {
      Recorder.Published p = Publishing.publish(recorder, Publishing.json("data", prefix + i));
      if (!Publishing.accepted(p)) refused.add("#" + i + ": " + Publishing.answer(p));
    }
    if (!refused.isEmpty()) {
      findings.violation("publishing while the client was away was refused: " + String.join("; ", refused));
      return;
    }
    // Once reconnected, one more event: a stream is ordered, so when it arrives the replay is over.
    String closing = prefix + (AWAY + 1);
    BrowserStream after = BrowserStream.follow(recorder, Recorder.Request.of(target, WAIT).withLastEventId(k),
        Publishing.seen(closing));
    if (after.awaitHead()) Publishing.publish(recorder, Publishing.json("data", closing));
    BrowserStream.Followed f = after.await();
    if (!f.opened()) {
      findings.evidence("resumed response bytes", f.first().body());
      findings.violation("reconnecting with Last-Event-ID " + Findings.escape(k) + " got "
          + Describe.head(f.first()) + ": a browser stops for good");
      return;
    }
    judge(findings, before, f, k, prefix);
  }

  /** The events published while away, on the resumed stream {@code f}: all, once each, in order, nothing before them. */
  private static void judge(Findings findings, BrowserStream.Followed before, BrowserStream.Followed f, String k,
      String prefix) {
    List<Integer> got = ours(f.events(), prefix).stream().filter(i -> i <= AWAY).toList();
    findings.note("the client left with last event ID " + Findings.escape(k) + " (the stream's, after "
        + before.events().size() + " event(s)); our events on the resumed stream: " + got + "; " + f.summary());
    List<Integer> want = List.of(1, 2, 3);
    if (got.equals(want)) return;
    findings.evidence("stream bytes before leaving", before.bodies());
    findings.evidence("resumed stream bytes", f.bodies());
    List<String> problems = new ArrayList<>();
    if (got.stream().noneMatch(want::contains)) {
      problems.add(ownIdOf(before, prefix + 0).isEmpty() ? "none of them arrived. The events this check published "
          + "carry no id of their own (the last event ID " + Findings.escape(k) + " came from the server's own "
          + "events), and none was replayed after it: published events are not kept for Last-Event-ID, so a browser "
          + "that reconnects silently loses everything published while it was away. Give every published event an "
          + "id and replay the events after the one a client sends back" : whyNothingReplayed(before, f, k));
    } else {
      for (int w : want) {
        long n = got.stream().filter(x -> x == w).count();
        if (n == 0) problems.add("event " + w + " never arrived");
        if (n > 1) problems.add("event " + w + " arrived " + n + " times");
      }
    }
    if (got.contains(0)) {
      problems.add("event 0, which the client already had, was sent again (replay starts at or before the id "
          + "instead of after it)");
    }
    if (problems.isEmpty()) problems.add("they arrived out of order: " + got);
    findings.violation("after reconnecting with Last-Event-ID " + Findings.escape(k) + ", the " + AWAY + " events "
        + "published while the client was away should arrive once each, in order, and nothing before them: "
        + String.join("; ", problems));
  }

  /** The id the block of the first event carrying {@code marker} set itself ({@code ""}: none, it inherited one). */
  private static String ownIdOf(BrowserStream.Followed f, String marker) {
    for (BrowserStream.Connection c : f.connections()) {
      for (DispatchedEvent e : Cursors.ownIdsOf(c.recording())) {
        if (e.data().contains(marker)) return e.lastEventId();
      }
    }
    return "";
  }

  /** Why none of the events published while away came back: ids that restart, or an ignored header. */
  private static String whyNothingReplayed(BrowserStream.Followed before, BrowserStream.Followed after, String k) {
    List<String> idsBefore = new ArrayList<>();
    for (DispatchedEvent e : before.events()) if (!e.lastEventId().isEmpty()) idsBefore.add(e.lastEventId());
    String firstAfter = null;
    for (BrowserStream.Connection c : after.connections()) {
      // Read without the resumed id as seed: only ids the resumed stream itself wrote count (k again included).
      for (StreamItem item : dev.ssekit.protocol.EventStreamParser.parse(c.recording().body())) {
        if (item instanceof DispatchedEvent e && !e.lastEventId().isEmpty()) {
          firstAfter = e.lastEventId();
          break;
        }
      }
      if (firstAfter != null) break;
    }
    // Ids that start again: the resumed stream's first id is one the client already had before k, or a number
    // below k. (An echo of k itself could be a repeat, not a restart.)
    idsBefore.removeIf(k::equals);
    boolean restarted = firstAfter != null && !firstAfter.equals(k) && (idsBefore.contains(firstAfter)
        || lessOrEqual(firstAfter, k));
    if (restarted) {
      return "none of them arrived, and the resumed stream's ids start again (" + Findings.escape(firstAfter)
          + " after the client's " + Findings.escape(k) + "): the server numbers ids per connection and ignores "
          + "Last-Event-ID, so a browser that reconnects silently loses everything published while it was away";
    }
    return "none of them arrived: the server ignores Last-Event-ID (the resumed stream carries only events published "
        + "after the reconnect), so a browser that reconnects silently loses everything published while it was away";
  }

  /** True when both ids are decimal and {@code a} is not after {@code b}. */
  private static boolean lessOrEqual(String a, String b) {
    Long x = Cursors.decimal(a);
    Long y = Cursors.decimal(b);
    return x != null && y != null && x <= y;
  }

  /** The events whose data carries {@code prefix}, by the number after it, in arrival order. */
  private static List<Integer> ours(List<DispatchedEvent> events, String prefix) {
    List<Integer> out = new ArrayList<>();
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix) + "(\\d{1,6})");
    for (DispatchedEvent e : events) {
      var m = p.matcher(e.data());
      if (m.find()) out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }
}
