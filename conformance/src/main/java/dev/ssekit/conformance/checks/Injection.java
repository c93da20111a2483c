package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.StreamItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Framing injection: a line break in a published value must not start a field of its own. Each
 * case is published in {@link Lockstep}, so what it caused is known case by case.
 */
final class Injection {
  private Injection() {}

  /** What a framing injection through an event name or an id means, and where it was found before. */
  private static final String CVES = "this is the framing-injection flaw behind the 2026 CVEs in Spring (CVE-2026-22735, "
      + "CVE-2026-47890, CVE-2026-59313), NestJS (CVE-2026-35515), h3 (GHSA-22cc-p3c6-wpvm) and eventsource-encoder "
      + "(CVE-2026-44214): whoever controls that value writes arbitrary fields and events into every subscriber's stream";

  /** The same, in brief, for data injection. */
  private static final String CVES_SHORT = "the same flaw as the 2026 framing-injection CVEs (Spring, NestJS, h3, "
      + "eventsource-encoder)";

  /** The three line breaks, named as messages name them. */
  private static final String[][] BREAKS = {{"a lone CR", "\r"}, {"an LF", "\n"}, {"a CRLF", "\r\n"}};

  /**
   * Data carrying {@code id:}, {@code event:} and {@code retry:} after each kind of line break: a
   * server that splits data on LF only lets the lone-CR case set the event type, the id and the
   * reconnection time of every subscriber.
   */
  static void data(Target target, Recorder recorder, Findings findings, DeliveryProbe.Outcome probe) throws InterruptedException {
    String run = Publishing.runId();
    String evil = "evil-" + run;
    List<Lockstep.Item> items = new ArrayList<>();
    for (int k = 0; k < BREAKS.length; k++) {
      String b = BREAKS[k][1];
      String data = "hello-" + run + "-" + k + b + "id: " + evil + "-" + k + b + "event: " + evil + "-" + k + b + "retry: 1";
      items.add(new Lockstep.Item("data with " + BREAKS[k][0], data, Publishing.json("data", data)));
    }
    Lockstep.Result r = Lockstep.run(target, recorder, run, items, findings, probe);
    List<Long> retries = retries(r.followed());
    List<String> injected = new ArrayList<>();
    List<String> other = new ArrayList<>();
    for (Lockstep.Step s : r.steps()) {
      if (!Publishing.accepted(s.answer())) {
        findings.note(s.item().label() + ": publish refused (" + Publishing.answer(s.answer()) + ")");
        continue;
      }
      String mine = evil + "-" + s.index();
      List<String> set = new ArrayList<>();
      String data = null;
      for (BrowserStream.Arrival a : s.arrived()) {
        DispatchedEvent e = a.event();
        if (!e.data().contains("hello-" + run + "-" + s.index()) && !e.type().contains(mine)
            && !e.lastEventId().contains(mine)) {
          continue;
        }
        if (e.type().contains(mine)) set.add("the event type " + Publishing.esc(e.type()));
        if (e.lastEventId().contains(mine)) set.add("the id " + Publishing.esc(e.lastEventId()));
        data = e.data();
      }
      if (set.isEmpty() && data != null && !data.equals(Causes.normalize(s.item().data()))) {
        other.add(s.item().label() + ": a browser got data " + Publishing.esc(data));
      } else if (data == null && set.isEmpty()) {
        other.add(s.item().label() + ": " + (s.endedDuring() > 0 ? "the server ended the stream when it was published"
            : "never arrived"));
      }
      if (!set.isEmpty()) {
        injected.add(s.item().label() + " set " + String.join(" and ", set));
        Payloads.showBytes(findings, r, s.index(), s.item().label());
      }
    }
    boolean retryInjected = retries.contains(1L);
    if (retryInjected && !injected.isEmpty()) injected.set(0, injected.get(0) + " and retry: 1");
    findings.note(r.followed().summary());
    if (!injected.isEmpty()) {
      findings.violation("published data was written with its line breaks raw: " + String.join("; ", injected)
          + " for every subscriber. One publish controls what every browser dispatches and how fast it reconnects; "
          + CVES_SHORT + ". Split data on CR, LF and CRLF alike, one \"data:\" line per line");
      return;
    }
    if (!other.isEmpty()) {
      findings.note("not injected, but not delivered as published either (delivery.payload-round-trip judges "
          + "data): " + String.join("; ", other));
    }
    if (r.stoppedBecause() != null && r.steps().size() < items.size()) {
      findings.notApplicable("the injection cases could not all be published: " + r.stoppedBecause());
    }
  }

  /** Values of {@code field} (event or id) carrying line breaks followed by a data line. */
  static void field(Target target, Recorder recorder, Findings findings, DeliveryProbe.Outcome probe, String field,
      String what)
      throws InterruptedException {
    String run = Publishing.runId();
    String[][] cases = {
        {"x1-" + run, "evil-" + run + "\ndata: injected-" + run},
        {"x2-" + run, "evil-" + run + "\r\n\r\ndata: injected2-" + run},
        {"x3-" + run, "evil-" + run + "\rdata: injected3-" + run}};
    List<Lockstep.Item> items = new ArrayList<>();
    for (String[] c : cases) {
      items.add(new Lockstep.Item(what + " " + Publishing.esc(c[1]), c[0], Publishing.json("data", c[0], field, c[1])));
    }
    Lockstep.Result r = Lockstep.run(target, recorder, run, items, findings, probe);
    findings.note(String.join("; ", r.steps().stream()
        .map(s -> s.item().label() + " → " + Publishing.answer(s.answer())).toList()));
    Arrivals arrivals = Arrivals.of(r, run, cases, what);
    List<String> problems = new ArrayList<>(arrivals.problems());
    if (r.steps().size() < cases.length || r.steps().stream().noneMatch(Lockstep.Step::markerSeen)) {
      findings.evidence("stream bytes", r.followed().bodies());
      if (problems.isEmpty()) {
        findings.violation("the plain events published after the " + what + " cases never arrived, so the stream "
            + "could not be judged: " + (r.stoppedBecause() == null ? r.followed().summary() : r.stoppedBecause()));
        return;
      }
    }
    problems.addAll(notOnceWhole(r, arrivals.whole(), what));
    if (problems.isEmpty()) return;
    report(findings, r, problems, what, cases.length);
  }

  /**
   * The run's events other than its markers, in arrival order: how many times each case's data
   * arrived whole, and what arrived otherwise (a data line the field's line break injected, or the
   * case's event altered).
   */
  private record Arrivals(Map<String, Integer> whole, List<String> problems) {

    static Arrivals of(Lockstep.Result r, String run, String[][] cases, String what) {
      Arrivals out = new Arrivals(new HashMap<>(), new ArrayList<>());
      for (BrowserStream.Arrival a : r.followed().arrivals()) {
        DispatchedEvent e = a.event();
        if (e.data().contains("injected") && e.data().contains(run)) {
          out.problems.add("an event arrived with data " + Publishing.esc(e.data()) + " (type " + Publishing.esc(e.type())
              + ", id " + Publishing.esc(e.lastEventId()) + "): the " + what + "'s line break started a new field");
        } else if (e.data().contains(run) && !e.data().contains("-step-") && !e.data().contains("-ready-")) {
          boolean whole = false;
          for (String[] c : cases) whole |= e.data().equals(c[0]);
          if (whole) out.whole.merge(e.data(), 1, Integer::sum);
          else out.problems.add("an event arrived with data " + Publishing.esc(e.data()) + " (type " + Publishing.esc(e.type()) + ")");
        }
      }
      return out;
    }
  }

  /** Each accepted case must arrive whole exactly once: not lost to a teardown, not missing, not repeated. */
  private static List<String> notOnceWhole(Lockstep.Result r, Map<String, Integer> whole, String what) {
    List<String> problems = new ArrayList<>();
    for (Lockstep.Step s : r.steps()) {
      if (!Publishing.accepted(s.answer())) continue;
      int n = whole.getOrDefault(s.item().data(), 0);
      if (n == 0 && s.endedDuring() > 0) {
        problems.add("the server ended the stream when the " + what + " " + s.item().label() + " was published");
      } else if (n == 0) {
        problems.add("the event with data " + Publishing.esc(s.item().data()) + " was accepted but never arrived whole");
      }
      if (n > 1) problems.add("the event with data " + Publishing.esc(s.item().data()) + " arrived " + n + " times");
    }
    return problems;
  }

  /** The violation: an injection when any case injected a field, else the first way a case did not arrive as one event. */
  private static void report(Findings findings, Lockstep.Result r, List<String> problems, String what, int cases) {
    List<String> injections = problems.stream().filter(p -> p.contains("started a new field")).toList();
    for (Lockstep.Step s : r.steps()) Payloads.showBytes(findings, r, s.index(), s.item().label());
    if (problems.size() > 1) findings.evidence("every finding: " + String.join("; ", problems));
    if (!injections.isEmpty()) {
      findings.violation("a published " + what + " containing a line break was written into the stream raw: "
          + injections.get(0) + (injections.size() > 1 ? " (" + injections.size() + " of " + cases
          + " cases injected)" : "") + ". A browser would dispatch attacker-chosen data; " + CVES
          + ". Refuse such values (4xx) or split/strip them");
    } else {
      findings.violation("a published " + what + " containing a line break did not arrive as one event: "
          + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more, in the evidence)" : "")
          + ". Refuse such values (4xx) or strip the line breaks");
    }
  }

  /** Every retry hint the connections carried, in order. */
  private static List<Long> retries(BrowserStream.Followed f) {
    List<Long> out = new ArrayList<>();
    for (BrowserStream.Connection c : f.connections()) {
      Recording rec = c.recording();
      for (StreamItem i : rec.items()) if (i instanceof Retry h) out.add(h.millis());
    }
    return out;
  }
}
