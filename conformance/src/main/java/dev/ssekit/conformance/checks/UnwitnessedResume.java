package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * S-01 without a witness: how {@code reconnect.resume-after-last-event-id} judges a stream that is
 * not one broadcast. When each connection gets its own events or its own ids (a per-user feed, a
 * token stream, a progress bar, ids counted per connection), a second connection sees other
 * events, and comparing the resumed stream with it would report losses that are not there.
 *
 * <p><b>Not one broadcast</b>, decided from what both connections saw <em>before</em> the drop (so
 * a server's resume behaviour cannot change how it is judged): either the witness's cursor never
 * took the value {@code k} the client resumes from, or none of the events the test connection got
 * under an id also reached the witness (same id, type and data): the two share ids but not
 * events. On a broadcast stream the witness, open first and still open, gets every event the test
 * connection got, so neither holds; a single shared event keeps the full witness comparison.
 *
 * <p><b>Judged on its own</b>, by the ids the resumed stream's events set in their own blocks
 * (an event that merely inherits the cursor is not a repeat, nor is an id-only block echoing
 * {@code k}): an event carrying {@code k} again, or repeating an event the client already had
 * (same id, type and data), is a MUST violation — the browser shows it twice; an event reusing
 * another id received before the drop with different content, or decimal ids that go backwards
 * (the first one not after {@code k}, or one not after its predecessor), is a SHOULD warning — a
 * suspected replay or a restarted counter. Opaque ids are only checked for repeats. Loss cannot be
 * judged without a witness, and every message says so.
 */
final class UnwitnessedResume {
  private UnwitnessedResume() {}

  /**
   * Why the witness cannot judge the resume from {@code k}, or null when both connections share one
   * broadcast. Shared means one event (id, type and data) that the witness and the client both got,
   * before the drop or after it: a broadcast server's first event to a connection may be its own (a
   * greeting under an id), but what follows is everyone's, whether the resume is right or wrong.
   */
  static String whyNoWitness(Cursors test, Cursors witness,
      Cursors resumed, String k) {
    if (witness.eventsAfterFirst(k) < 0) {
      return "the witness connection never saw id " + Findings.escape(k) + ", the id the client resumes from";
    }
    List<DispatchedEvent> underIds = test.events.stream().filter(e -> !e.lastEventId().isEmpty()).toList();
    List<DispatchedEvent> client = new java.util.ArrayList<>(underIds);
    resumed.events.stream().filter(e -> !e.lastEventId().isEmpty()).forEach(client::add);
    for (DispatchedEvent e : client) {
      if (witness.events.contains(e)) return null; // the same event: id, type and data
    }
    if (underIds.isEmpty()) return null;
    DispatchedEvent mine = underIds.get(underIds.size() - 1);
    DispatchedEvent theirs = witness.events.stream().filter(w -> w.lastEventId().equals(mine.lastEventId()))
        .findFirst().orElse(null);
    return "the two connections share ids but no event, before the drop or after it: the test connection got " + Describe.event(mine)
        + (theirs == null ? " and the witness no event under that id" : " and the witness, under the same id, "
        + Describe.event(theirs)) + " (each connection gets its own events or numbers them itself)";
  }

  /** Judges the resumed recording {@code after} on its own against what the client had ({@code before}). */
  static void judge(Findings findings, String k, Cursors before, Recording after, String why) {
    judge(findings, k, before, Cursors.ownIdsOf(after), after.body(), why);
  }

  /**
   * Judges the resumed events {@code got} (each with the id its own block set, every connection of the
   * resumed stream in order) on their own; {@code body} is their bytes, for the evidence.
   */
  static void judge(Findings findings, String k, Cursors before, List<DispatchedEvent> got,
      byte[] body, String why) {
    String context = "The witness comparison did not apply: " + why + ", so the resumed stream was judged on its own"
        + " (S-01 for per-connection streams; without a witness, loss cannot be judged).";
    findings.note(context);
    List<DispatchedEvent> carrying = carryingIds(findings, context, got, body);
    Suspects suspects = Suspects.of(k, before, carrying);
    Set<String> seen = suspects.seen();
    findings.evidence("ids before the drop: " + seen.stream().limit(40).map(id -> Describe.brief(id, 80)).toList()
        + (seen.size() > 40 ? " and " + (seen.size() - 40) + " more" : ""));
    findings.evidence("ids the resumed events carried: " + Describe.ids(carrying, 40));
    report(findings, context, k, suspects, body);
    boolean numeric = suspects.numeric();
    if (numeric && !carrying.isEmpty() && Cursors.decimal(carrying.get(0).lastEventId()) > Cursors.decimal(k) + 1) {
      findings.note("the first resumed id " + carrying.get(0).lastEventId() + " is not " + k + " + 1: a gap in the"
          + " numbers is not proof of loss (ids may count something else), and without a witness it is not judged");
    }
    findings.note("resumed from " + Findings.escape(k) + " without a witness: " + carrying.size() + " event(s) with"
        + " ids, none repeating " + Findings.escape(k) + " or an event received before the drop; "
        + (!numeric ? "ids are not all decimal, so their order is not judged"
        : suspects.backwards().isEmpty() ? "decimal ids, in increasing order" : "decimal ids, not all in order"));
  }

  /** The resumed events that carry an id; not applicable when none arrived, or none carries one. */
  private static List<DispatchedEvent> carryingIds(Findings findings, String context, List<DispatchedEvent> got,
      byte[] body) {
    if (got.isEmpty()) {
      findings.evidence("resumed bytes", body);
      findings.notApplicable(context + " The resumed connection received no events in "
          + Resume.RESUME_WINDOW.toSeconds() + " s: nothing to judge (silence cannot be told from loss)");
    }
    List<DispatchedEvent> carrying = got.stream().filter(e -> !e.lastEventId().isEmpty()).toList();
    if (carrying.isEmpty()) {
      findings.evidence("resumed bytes", body);
      findings.notApplicable(context + " None of the " + got.size() + " resumed event(s) carries an id: repeats"
          + " and order cannot be judged");
    }
    return carrying;
  }

  /**
   * What the resumed events' ids suggest, each event shown once under the first that applies.
   *
   * @param seen the ids the client's cursor took before the drop
   * @param numeric whether {@code k} and every resumed id are decimal (then their order is judged)
   * @param repeated events the client already had (before the drop, or earlier in the resumed stream)
   * @param reused other events under {@code k} or under an id seen before the drop
   * @param backwards decimal ids not after their predecessor ({@code k} for the first)
   */
  private record Suspects(Set<String> seen, boolean numeric, List<String> repeated, List<String> reused,
      List<String> backwards) {

    static Suspects of(String k, Cursors before, List<DispatchedEvent> carrying) {
      Set<String> seen = new LinkedHashSet<>();
      for (String c : before.cursor) if (!c.isEmpty()) seen.add(c);
      boolean numeric = Cursors.decimal(k) != null && carrying.stream().allMatch(e -> Cursors.decimal(e.lastEventId()) != null);
      Suspects s = new Suspects(seen, numeric, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      String previous = k;
      // What the client had grows as the resumed stream goes on: across its own reconnects, an event sent again
      // at the start of the next connection is a repeat as much as one the client had before the drop.
      List<DispatchedEvent> had = new ArrayList<>(before.events);
      for (DispatchedEvent e : carrying) {
        String id = e.lastEventId();
        if (had.contains(e)) {
          // S-01: resume *after* k; the browser already dispatched this event (the one that carried k, say).
          s.repeated.add(Describe.event(e) + (id.equals(k) ? " (the id resumed from)" : ""));
        } else if (id.equals(k)) {
          s.reused.add(Describe.event(e) + " (the id resumed from, on another event)");
        } else if (seen.contains(id)) {
          s.reused.add(Describe.event(e));
        } else if (numeric && Cursors.decimal(id) <= Cursors.decimal(previous)) {
          s.backwards.add(Findings.escape(id) + " after " + Findings.escape(previous));
        }
        previous = id;
        had.add(e);
      }
      return s;
    }
  }

  /** A repeat is a MUST violation (the browser shows it twice); a reused id or ids going backwards, a SHOULD. */
  private static void report(Findings findings, String context, String k, Suspects s, byte[] body) {
    if (!s.repeated().isEmpty()) {
      findings.evidence("resumed bytes", body);
      findings.violation(Severity.MUST, context + " After reconnecting with Last-Event-ID " + Findings.escape(k)
          + " the server repeated what the client already had: " + s.repeated() + " — a browser dispatches it twice"
          + " (replay must start after the id, not at it)");
    }
    if (!s.reused().isEmpty()) {
      findings.violation(Severity.SHOULD, context + " After resuming from " + Findings.escape(k) + " the server"
          + " reused id(s) the client had before the drop, on other events: " + s.reused() + " (a suspected repeat, or a"
          + " counter that restarted and ignored Last-Event-ID; ids should be unique in a stream so a later resume is"
          + " unambiguous)");
    }
    if (!s.backwards().isEmpty()) {
      findings.violation(Severity.SHOULD, context + " After resuming from " + Findings.escape(k) + " the ids go"
          + " backwards: " + s.backwards() + " (S-01: events after k, in their original order)");
    }
  }
}
