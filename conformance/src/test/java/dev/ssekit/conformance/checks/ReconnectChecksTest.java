package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.ReconnectDeliveryTestSupport.BrokenServer;
import dev.ssekit.conformance.checks.ReconnectDeliveryTestSupport.Outcomes;
import dev.ssekit.testkit.ReferenceServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reconnect checks pass against the reference server and catch the classic resume bugs. */
class ReconnectChecksTest {

  private static ReferenceServerProcess reference;

  @BeforeAll
  static void start() throws Exception {
    reference = ReferenceServerProcess.start("--tick", "200ms");
  }

  @AfterAll
  static void stop() throws Exception {
    if (reference != null) reference.close();
  }

  @Test
  @Timeout(60)
  void everyReconnectCheckPassesAgainstTheReferenceServer() {
    Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, reference.url("/events"), reference.url("/publish"));
    System.out.println("reference server, with publish URL:\n" + o);
    assertThat(o.results().testEvents().failed().count()).as(o.toString()).isZero();
    assertThat(o.of("resumeAfterLastEventId")).as(o.toString()).isEqualTo("passed");
    assertThat(o.of("unknownIdStill200")).isEqualTo("passed");
    assertThat(o.of("emptyLastEventId")).isEqualTo("passed");
    assertThat(o.of("burst")).isEqualTo("passed");
    assertThat(o.of("earlyCursor")).isEqualTo("passed");
    // The reference server keeps its streams open: nothing to say about closing.
    assertThat(o.of("retryBeforeClose")).startsWith("aborted: the server kept the stream open");
    assertThat(o.warnings()).as(o.toString()).isEmpty();
  }

  @Test
  @Timeout(60)
  void resumeWorksWithoutPublishUrlOnATickingServer() {
    Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, reference.url("/events"), null);
    System.out.println("reference server, no publish URL:\n" + o);
    assertThat(o.results().testEvents().failed().count()).as(o.toString()).isZero();
    assertThat(o.of("resumeAfterLastEventId")).as(o.toString()).isEqualTo("passed");
  }

  @Test
  @Timeout(60)
  void aBrokenServerFailsResumeAndUnknownId() throws Exception {
    try (BrokenServer broken = new BrokenServer()) {
      Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, broken.url(), broken.publishUrl());
      System.out.println("broken server:\n" + o);
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString())
          .startsWith("failed: [MUST reconnect.resume-after-last-event-id]")
          .contains("diverges from the witness at event #0").contains("repeated");
      assertThat(o.of("unknownIdStill200")).as(o.toString())
          .startsWith("failed: [MUST reconnect.unknown-id-still-200]");
      // The message is the assertion's description; the statuses seen are in the notes and evidence.
      assertThat(o.toString()).contains("unknownIdStill200: Last-Event-ID").contains("→ 400");
      assertThat(o.of("emptyLastEventId")).isEqualTo("passed");
      assertThat(o.of("burst")).isEqualTo("passed");
    }
  }

  @Test
  @Timeout(30)
  void aServerThatClosesWithoutRetryAndIdIsWarned() throws Exception {
    try (BrokenServer broken = new BrokenServer()) {
      Outcomes bare = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, broken.url("/closing-bare"), null,
          "retryBeforeClose", "earlyCursor");
      System.out.println("server closing without retry and id:\n" + bare);
      assertThat(bare.of("retryBeforeClose")).as(bare.toString()).isEqualTo("passed"); // SHOULD: a warning
      assertThat(bare.warnings()).as(bare.toString()).anySatisfy(w -> assertThat(w)
          .startsWith("[SHOULD reconnect.retry-before-close]").contains("no retry field").contains("no id was sent"));
      assertThat(bare.of("earlyCursor")).startsWith("aborted: no id on the passive stream (recorded");

      Outcomes good = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, broken.url("/closing-good"), null,
          "retryBeforeClose");
      assertThat(good.of("retryBeforeClose")).as(good.toString()).isEqualTo("passed");
      assertThat(good.warnings()).as(good.toString()).isEmpty();
    }
  }

  @Test
  @Timeout(30)
  void aServerThatSkipsAnEventOnResumeFails() throws Exception {
    try (BrokenServer broken = new BrokenServer(2)) {
      Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, broken.url(), null, "resumeAfterLastEventId");
      System.out.println("server skipping one event on resume:\n" + o);
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString())
          .startsWith("failed: [MUST reconnect.resume-after-last-event-id]").contains("1 event(s) missing");
    }
  }

  @Test
  @Timeout(30)
  void aBroadcastThatGreetsEachConnectionFirstIsStillJudgedByTheWitness() throws Exception {
    // The test connection's only event before the drop is its own greeting, which the witness
    // never gets; the broadcast events after the drop are shared, so the witness still judges and
    // the skipped event is caught (a per-connection judgement could not see a loss).
    try (BrokenServer broken = new BrokenServer(2, true)) {
      Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, broken.url(), null, "resumeAfterLastEventId");
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString())
          .startsWith("failed: [MUST reconnect.resume-after-last-event-id]").contains("missing")
          .doesNotContain("witness comparison did not apply");
    }
  }

  @Test
  @Timeout(30)
  void aServerThatResumesRightPassesEvenWithItsOtherBugs() throws Exception {
    try (BrokenServer broken = new BrokenServer(1)) {
      Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, broken.url(), broken.publishUrl(),
          "resumeAfterLastEventId");
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString()).isEqualTo("passed");
    }
  }
}
