package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.FaultyServer.Fault;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.Recorder;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that holds a stream's head until its first write: the passive stream says so even when
 * another stream's nudge (its 2 s began earlier) brought the head before the passive stream's own
 * 2 s were up, as happens with every check side by side.
 */
class HeldHeadTest {

  @Test
  @Timeout(60)
  void aHeadDrawnOutByAnotherStreamsNudgeWasHeld() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.HEAD_WITH_FIRST_EVENT).build()) {
      Target target = Target.fromConfiguration(k -> Optional.ofNullable(Map.of(Target.URL, s.url(),
          Target.PUBLISH_URL, s.publishUrl(), Target.PROFILE, "quick").get(k)));
      try (Recorder recorder = new Recorder(target)) {
        Recorder.Session first = recorder.open(Recorder.Request.of(target, Duration.ofSeconds(8)));
        Thread waiting = new Thread(() -> {
          try {
            first.awaitHead(); // nudges 2 s after this stream opened
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        waiting.start();
        Thread.sleep(600);
        PassiveStream passive = PassiveStream.record(target, recorder);
        waiting.join(10_000);
        first.stop();
        // The race happened: the passive head came within its own 2 s, brought by the first stream's nudge.
        assertThat(passive.recording().headersAfter()).isLessThan(Recorder.NUDGE_AFTER);
        assertThat(recorder.nudges()).isPositive();
        assertThat(passive.headHeld()).as("the head came only with the nudge's event").isTrue();
      }
    }
  }
}
