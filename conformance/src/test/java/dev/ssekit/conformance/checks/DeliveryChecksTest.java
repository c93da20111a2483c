package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.ReconnectDeliveryTestSupport.BrokenServer;
import dev.ssekit.conformance.checks.ReconnectDeliveryTestSupport.Outcomes;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The delivery checks pass against the reference server, skip without a publish URL, and catch injection. */
class DeliveryChecksTest {

  private static final List<String> CHECKS = List.of("payloadRoundTrip", "eventNameInjection", "idInjection", "latency",
      "burstToThree", "replayWhileAway");

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
  @Timeout(90)
  void everyDeliveryCheckPassesAgainstTheReferenceServer() {
    Outcomes o = ReconnectDeliveryTestSupport.run(DeliveryChecks.class, reference.url("/events"), reference.url("/publish"));
    System.out.println("reference server:\n" + o);
    for (String check : CHECKS) assertThat(o.of(check)).as(check + "\n" + o).isEqualTo("passed");
    assertThat(o.warnings()).as(o.toString()).isEmpty();
  }

  @Test
  @Timeout(30)
  void withoutAPublishUrlTheDeliveryChecksAreSkipped() {
    Outcomes o = ReconnectDeliveryTestSupport.run(DeliveryChecks.class, reference.url("/events"), null);
    for (String check : CHECKS) assertThat(o.of(check)).as(check).startsWith("skipped: needs a publish URL");
    assertThat(o.results().testEvents().started().count()).isZero();
  }

  @Test
  @Timeout(90)
  void aServerThatWritesValuesRawFails() throws Exception {
    try (BrokenServer broken = new BrokenServer()) {
      Outcomes o = ReconnectDeliveryTestSupport.run(DeliveryChecks.class, broken.url(), broken.publishUrl());
      System.out.println("broken server:\n" + o);
      assertThat(o.of("payloadRoundTrip")).as(o.toString()).startsWith("failed: [MUST delivery.payload-round-trip]")
          .contains("lone CR").doesNotContain("#0 LF:");
      assertThat(o.of("eventNameInjection")).as(o.toString()).startsWith("failed: [MUST delivery.event-name-injection]")
          .contains("CVE-2026-22735").contains("injected");
      assertThat(o.of("idInjection")).as(o.toString()).startsWith("failed: [MUST delivery.id-injection]")
          .contains("injected");
      assertThat(o.of("replayWhileAway")).as(o.toString()).startsWith("failed: [MUST delivery.replay-while-away]")
          .contains("sent again");
      // What it does right, it gets credit for.
      assertThat(o.of("latency")).as(o.toString()).isEqualTo("passed");
      assertThat(o.of("burstToThree")).as(o.toString()).isEqualTo("passed");
    }
  }
}
