package dev.ssekit.load.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule on a made-up clock: no Gatling, no sleeping. */
class StepScheduleTest {
  private final List<Long> holdEnds = new ArrayList<>();

  private StepSchedule schedule() {
    // Steps of 10, 20, 40; ramp 2 s, hold 5 s, connect bound 30 s, start at t = 1,000.
    return new StepSchedule(List.of(10, 20, 40), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30), 1_000, holdEnds::add);
  }

  @Test
  void usersAreReleasedEvenlyOverTheRampOfTheirStep() {
    StepSchedule s = schedule();
    assertThat(s.stepOf(0)).isZero();
    assertThat(s.stepOf(9)).isZero();
    assertThat(s.stepOf(10)).isEqualTo(1);
    assertThat(s.stepOf(39)).isEqualTo(2);
    assertThat(s.gateUnknown(0)).isFalse();
    assertThat(s.releaseAt(0)).isEqualTo(1_000);
    assertThat(s.releaseAt(5)).isEqualTo(2_000);
    assertThat(s.gateUnknown(10)).as("step 1 waits for step 0's window").isTrue();
  }

  @Test
  void eachWindowStartsWhenItsConnectsHaveFinishedAndTheNextStepFollowsItsHold() {
    StepSchedule s = schedule();
    s.attempted(9, 4_000);
    assertThat(s.windows()).isEmpty();
    s.attempted(10, 9_000); // slow connects: step 0 is complete at 9 s, not at its ramp's end
    assertThat(s.windows()).containsExactly(new long[] {9_000, 14_000});
    assertThat(s.gateUnknown(10)).isFalse();
    assertThat(s.releaseAt(10)).isEqualTo(14_000);
    assertThat(s.releaseAt(15)).isEqualTo(15_000);
    s.attempted(20, 16_500);
    s.attempted(40, 23_000);
    assertThat(s.windows()).hasSize(3);
    assertThat(s.windows().get(2)).containsExactly(23_000, 28_000);
    assertThat(holdEnds).containsExactly(28_000L);
    s.attempted(40, 30_000);
    assertThat(holdEnds).as("heard once").hasSize(1);
  }

  @Test
  void manyThreadsTickingPastADeadlineStartOnlyThatStep() throws Exception {
    for (int round = 0; round < 200; round++) {
      StepSchedule s = schedule();
      int threads = 8;
      java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(threads);
      List<Thread> ts = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(() -> {
          try {
            go.await();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          s.tick(33_000); // step 0 overdue; step 1's own deadline is far later
        });
        t.start();
        ts.add(t);
      }
      for (Thread t : ts) {
        t.join(10_000);
      }
      assertThat(s.windows()).as("round %d", round).containsExactly(new long[] {33_000, 38_000});
    }
  }

  @Test
  void aStepWhoseConnectsNeverFinishStartsAtItsBound() {
    StepSchedule s = schedule();
    s.attempted(7, 2_000);
    s.tick(30_000);
    assertThat(s.windows()).isEmpty();
    s.tick(33_000); // gate 1,000 + ramp 2,000 + bound 30,000
    assertThat(s.windows()).containsExactly(new long[] {33_000, 38_000});
    assertThat(s.holdEndBound(1_000)).isEqualTo(1_000 + 3 * (2_000 + 30_000 + 5_000));
  }
}
