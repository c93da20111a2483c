package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Delivery through the publish contract ({@code POST {"data","event"?,"id"?}}): what the server
 * writes for the events we choose.
 *
 * <p><b>Isolated.</b> A check's verdict depends only on what that check caused and observed: these
 * checks run alone (no other check runs beside them), one at a time in a fixed order, each on its
 * own fresh connections, each waiting for its own events before it ends; the bursts run last. A
 * payload that makes the server end its streams therefore ends only the stream of the check that
 * published it, which names it.
 *
 * <p><b>Read like a browser.</b> Every stream is a {@link BrowserStream}: when the server ends it,
 * the check waits the {@code retry} time and reconnects with {@code Last-Event-ID} as EventSource
 * does, and judges delivery across the reconnects. Markers are unique per run and matched inside
 * the data in any encoding, so an event that arrives altered (JSON-quoted, say) is recognised and
 * explained rather than reported missing.
 */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
@Isolated("delivery checks publish; their verdicts must not depend on other checks' traffic")
@Execution(ExecutionMode.SAME_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class DeliveryChecks {

  // ---------------------------------------------------------------- F-04

  @Order(1)
  @SseCheck(id = "delivery.payload-round-trip", severity = Severity.MUST, spec = Spec.PARSING, rule = "F-04",
      needsPublish = true,
      summary = "published payloads (line breaks of every kind, empty lines, leading spaces, colons, NUL, astral "
          + "Unicode, 64 KiB, JSON) arrive with exactly their data, CR and CRLF turned into LF")
  void payloadRoundTrip(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.payload-round-trip");
    String run = Publishing.runId();
    Lockstep.Result r = Lockstep.run(target, recorder, run, Payloads.items(run), findings, probe);
    List<Payloads.Verdict> verdicts = Payloads.judge(r);
    int total = Payloads.tortureSet().size();
    long ok = verdicts.stream().filter(Payloads.Verdict::ok).count();
    findings.note(ok + " of " + total + " payloads round-tripped exactly; " + r.followed().reconnects()
        + " reconnect(s); " + r.followed().summary());
    boolean named = verdicts.stream().anyMatch(v -> !v.got().isEmpty() && v.got().get(0).type().startsWith("ssekit-"));
    boolean anyArrived = verdicts.stream().anyMatch(v -> !v.got().isEmpty());
    int shown = 0;
    for (Payloads.Verdict v : verdicts) {
      if (!v.ok() && shown++ < 3) Payloads.showBytes(findings, r, v.step().index(), v.step().item().label());
    }
    if (ok == total && r.stoppedBecause() == null) return;
    if (ok == verdicts.size() && r.stoppedBecause() != null && r.stoppedBecause().startsWith(Lockstep.TOOL_WINDOW)) {
      findings.notApplicable("the " + ok + " payloads published round-tripped exactly, but " + r.stoppedBecause()
          + ": the rest were not judged");
    }
    if (!named && anyArrived && verdicts.stream().allMatch(v -> v.ok() || v.got().isEmpty())) {
      findings.violation("the payloads arrived, but none under the event name it was published with: the server "
          + "drops the publish contract's \"event\" field, so browser code listening with addEventListener(name) "
          + "would never fire");
      return;
    }
    findings.violation(Payloads.message(verdicts, total, r));
  }

  // ---------------------------------------------------------------- L-02

  @Order(2)
  @SseCheck(id = "delivery.stream-survives-payloads", severity = Severity.SHOULD, spec = Spec.AUTHORING, rule = "L-02",
      profile = Target.Profile.STANDARD, needsPublish = true,
      summary = "publishing any payload of the torture set leaves open streams open: no payload makes the server "
          + "end its subscribers' streams")
  void streamSurvivesPayloads(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.stream-survives-payloads");
    String run = Publishing.runId();
    Lockstep.Result r = Lockstep.run(target, recorder, run, Payloads.items(run), findings, probe);
    findings.note(r.followed().summary());
    List<String> ends = new ArrayList<>();
    Lockstep.Step first = null;
    int periodic = 0;
    for (Lockstep.Step s : r.steps()) {
      if (s.endedDuring() == 0) continue;
      // Confirm on fresh streams: the payload ends a stream where a plain event in its place does not.
      if (ends.size() + periodic < 4) {
        Lockstep.Confirmation c = Lockstep.confirmTeardown(target, recorder, s.item(), probe);
        findings.note(s.item().label() + ": " + c.description());
        if (!c.payloadEnds() || c.plainEnds()) {
          periodic++;
          continue;
        }
      } else if (periodic > 0) {
        continue; // past the first few, only when every one confirmed so far was the payload's doing
      }
      if (first == null) first = s;
      ends.add(s.item().label() + " " + Publishing.esc(s.item().data()));
    }
    if (ends.isEmpty()) {
      if (r.followed().endedByServer() > 0) {
        findings.note("the server ended the stream " + r.followed().endedByServer() + " time(s), not in step with "
            + "any payload (a periodic close; lifecycle.stream-stays-open judges that)");
      }
      return;
    }
    Payloads.showBytes(findings, r, first.index(), first.item().label());
    findings.evidence("every connection's bytes", r.followed().bodies());
    findings.violation("the server ended the stream when payload " + ends.get(0) + " was published"
        + (ends.size() > 1 ? " (and again for " + String.join(", ", ends.subList(1, Math.min(ends.size(), 6)))
        + (ends.size() > 6 ? " and " + (ends.size() - 6) + " more" : "") + ")" : "")
        + ": one publisher's payload disconnects subscribers, every browser reconnects at once, and whatever is "
        + "published before they are back is lost unless the server resumes by Last-Event-ID. Find what fails when "
        + "this payload is written (an exception in the write path closes the connection)");
  }

  // ---------------------------------------------------------------- injection

  @Order(3)
  @SseCheck(id = "delivery.data-injection", severity = Severity.MUST, spec = Spec.PARSING, rule = "F-04",
      needsPublish = true,
      summary = "a lone CR, an LF or a CRLF in published data never starts a field of its own: data cannot set the "
          + "event type, the id or the retry time")
  void dataInjection(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.data-injection");
    Injection.data(target, recorder, findings, probe);
  }

  @Order(4)
  @SseCheck(id = "delivery.event-name-injection", severity = Severity.MUST, spec = Spec.PARSING, rule = "F-05",
      needsPublish = true,
      summary = "event names carrying LF, CRLF or CR are refused, or delivered without becoming extra fields or events")
  void eventNameInjection(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.event-name-injection");
    Injection.field(target, recorder, findings, probe, "event", "event name");
  }

  @Order(5)
  @SseCheck(id = "delivery.id-injection", severity = Severity.MUST, spec = Spec.PARSING, rule = "D-06",
      needsPublish = true,
      summary = "ids carrying LF, CRLF or CR are refused, or delivered without becoming extra fields or events")
  void idInjection(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.id-injection");
    Injection.field(target, recorder, findings, probe, "id", "id");
  }

  // ---------------------------------------------------------------- H-06

  @Order(6)
  @SseCheck(id = "delivery.latency", severity = Severity.SHOULD, spec = Spec.AUTHORING, rule = "H-06",
      needsPublish = true,
      summary = "events published 50 ms apart reach an open stream promptly (median publish-to-receive under 500 ms)")
  void latency(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.latency");
    Timing.latency(target, recorder, findings, probe);
  }

  // ---------------------------------------------------------------- S-01 driven

  @Order(7)
  @SseCheck(id = "delivery.replay-while-away", severity = Severity.MUST, spec = Spec.LAST_EVENT_ID, rule = "S-01",
      needsPublish = true,
      summary = "events published while a client is away arrive after it reconnects with Last-Event-ID (the last "
          + "id its stream carried): all, in order, once")
  void replayWhileAway(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.replay-while-away");
    Replay.whileAway(target, recorder, findings, probe);
  }

  // ---------------------------------------------------------------- bursts, last

  @Order(8)
  @SseCheck(id = "delivery.burst-to-three", severity = Severity.MUST, spec = Spec.PROCESSING,
      profile = Target.Profile.STANDARD, needsPublish = true,
      summary = "1,000 events published back to back reach three concurrent connections complete and in order")
  void burstToThree(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.burst-to-three");
    String run = Publishing.runId();
    BurstOutcome o = Bursts.run(target, recorder, findings, probe, run, 1, 1000, Duration.ofSeconds(12));
    judgeBurst(o, false, findings, "a burst of %d events published back to back");
  }

  @Order(9)
  @SseCheck(id = "delivery.concurrent-publish", severity = Severity.MUST, spec = Spec.PROCESSING,
      profile = Target.Profile.STANDARD, needsPublish = true,
      summary = "400 events published by 8 publishers at once (requests in flight together) reach three connections "
          + "complete, once, in one order for all, each publisher's events in its own order")
  void concurrentPublish(Target target, Recorder recorder, Findings findings) throws InterruptedException {
    DeliveryProbe.Outcome probe = DeliveryProbe.require(target, recorder, findings, "delivery.concurrent-publish");
    String run = Publishing.runId();
    BurstOutcome o = Bursts.run(target, recorder, findings, probe, run, 8, 50, Duration.ofSeconds(10));
    judgeBurst(o, true, findings, "%d events published by 8 publishers at once");
  }

  private static void judgeBurst(BurstOutcome o, boolean concurrent, Findings findings, String what) {
    int accepted = o.accepted();
    findings.note("published " + o.sent().size() + " of " + o.planned() + " events in " + o.publishMs() + " ms ("
        + (o.sent().size() - accepted) + " refused" + (o.firstRefusal() == null ? "" : ", first " + o.firstRefusal())
        + ")");
    if (accepted == 0) {
      findings.violation("every publish was refused (first: " + o.firstRefusal() + "): nothing to deliver");
      return;
    }
    List<String> problems = o.problems(concurrent, findings);
    if (problems.isEmpty() && !o.inconclusive().isEmpty()) {
      findings.notApplicable("not judged to the end: " + String.join("; ", o.inconclusive()));
    }
    if (problems.isEmpty()) return;
    byte[] first = o.received().get(0).followed().bodies();
    findings.evidence("connection 1, first bytes", java.util.Arrays.copyOf(first, Math.min(first.length, 2048)));
    // Nothing lost or repeated, only the order differs between connections: say that, not "miss or repeat".
    if (problems.stream().allMatch(p -> p.contains("different orders"))) {
      findings.violation(String.format(what, accepted) + " reached every connection complete, but not in one order: "
          + String.join("; ", problems) + ". Two browsers would show events published at the same moment in "
          + "different orders: each publishing request writes to the subscribers itself and nothing orders "
          + "concurrent publishes (fan out from one queue, or under one lock)");
      return;
    }
    findings.violation(String.format(what, accepted) + " did not reach every connection complete and in order: "
        + String.join("; ", problems) + ". A browser would silently miss, repeat or reorder events"
        + (concurrent ? " (a broadcast that is not safe when publishes overlap: unsynchronised subscriber lists or "
        + "per-connection writes racing)" : " (slow-subscriber queues dropping, per-connection writes racing)"));
  }
}
