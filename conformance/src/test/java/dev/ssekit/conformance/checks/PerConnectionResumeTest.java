package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.PerConnectionServer.Ids;
import dev.ssekit.conformance.checks.PerConnectionServer.Resume;
import dev.ssekit.conformance.checks.ReconnectDeliveryTestSupport.Outcomes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The resume check on streams that are not one broadcast (S-01's fallback): a per-connection
 * server that resumes right passes, with a note that the witness did not apply; one that repeats
 * what the client already had fails, naming the repeated ids. The broadcast cases stay in
 * {@link ReconnectChecksTest}.
 */
class PerConnectionResumeTest {

  private static Outcomes resume(PerConnectionServer server) {
    Outcomes o = ReconnectDeliveryTestSupport.run(ReconnectChecks.class, server.url(), null, "resumeAfterLastEventId");
    System.out.println(o);
    return o;
  }

  @Test
  @Timeout(60)
  void perConnectionCountersThatResumeRightPass() throws Exception {
    // Both connections number their own events 1, 2, 3: the witness saw the id, but another event under it.
    try (PerConnectionServer server = new PerConnectionServer(Ids.NUMERIC, Resume.AFTER)) {
      Outcomes o = resume(server);
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString()).isEqualTo("passed");
      assertThat(o.warnings()).as(o.toString()).isEmpty();
      assertThat(o.notes()).as(o.toString())
          .anySatisfy(n -> assertThat(n).contains("witness comparison did not apply")
              .contains("share ids but no event").contains("loss cannot be judged"))
          .anySatisfy(n -> assertThat(n).contains("decimal ids, in increasing order"));
    }
  }

  @Test
  @Timeout(60)
  void opaqueSessionIdsThatResumeRightPass() throws Exception {
    // The witness never sees the test connection's ids at all.
    try (PerConnectionServer server = new PerConnectionServer(Ids.OPAQUE, Resume.AFTER)) {
      Outcomes o = resume(server);
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString()).isEqualTo("passed");
      assertThat(o.warnings()).as(o.toString()).isEmpty();
      assertThat(o.notes()).as(o.toString())
          .anySatisfy(n -> assertThat(n).contains("witness comparison did not apply").contains("never saw id"))
          .anySatisfy(n -> assertThat(n).contains("order is not judged"));
    }
  }

  @Test
  @Timeout(60)
  void perConnectionCountersThatResumeAtTheIdItselfWarn() throws Exception {
    // The new session's event under id k is another event (this server's data names its session):
    // a reused id, judged like any other reused id (SHOULD), not an exact repeat (MUST).
    try (PerConnectionServer server = new PerConnectionServer(Ids.NUMERIC, Resume.AT)) {
      Outcomes o = resume(server);
      assertThat(o.toString())
          .contains("warning: [SHOULD reconnect.resume-after-last-event-id]")
          .contains("witness comparison did not apply").contains("reused id(s) the client had before the drop")
          .contains("(the id resumed from, on another event)");
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString()).isEqualTo("passed");
    }
  }

  @Test
  @Timeout(60)
  void aSessionReplayedFromItsStartFailsNamingTheRepeatedIds() throws Exception {
    try (PerConnectionServer server = new PerConnectionServer(Ids.OPAQUE, Resume.FROM_START)) {
      Outcomes o = resume(server);
      assertThat(o.of("resumeAfterLastEventId")).as(o.toString())
          .startsWith("failed: [MUST reconnect.resume-after-last-event-id]")
          .contains("never saw id").contains("repeated what the client already had")
          .containsPattern("\\{id \"s\\d+-1\", type \"message\", data \"session \\d+ event 1\"}")
          .contains("(the id resumed from)");
    }
  }
}
