package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The quick profile's time budget, on a clock the test moves. */
class QuickBudgetTest {

  private static final long S = 1_000_000_000L;

  @Test
  void aCheckPredictedToEndPastNineSecondsIsNotRunAndSaysWhy() {
    AtomicLong now = new AtomicLong(100 * S);
    QuickBudget b = new QuickBudget(now::get);
    now.addAndGet(4 * S);
    assertThat(b.refuse()).as("nothing measured yet, 4 s in").isEmpty();
    b.started();
    now.addAndGet(2 * S); // a server that holds events 2 s: the check waits one hold
    b.ended();
    assertThat(b.refuse()).as("6 s in, checks of 2 s: ends at 8 s").isEmpty();
    b.started();
    now.addAndGet(2 * S);
    b.ended();
    assertThat(b.refuse()).as("8 s in, checks of 2 s: would end at 10 s").hasValueSatisfying(why -> assertThat(why)
        .startsWith(QuickBudget.LEFT_OUT_BY_BUDGET + ": the delivery checks before it took up to 2.0 s each")
        .contains("8.0 s in").endsWith("--profile standard runs it"));
  }

  @Test
  void fastChecksNeverRunOutAndTheLongestOneCounts() {
    AtomicLong now = new AtomicLong(0);
    QuickBudget b = new QuickBudget(now::get);
    now.addAndGet(3 * S);
    for (int i = 0; i < 9; i++) {
      b.started();
      now.addAndGet(i == 2 ? 3 * S : S / 20);
      b.ended();
      if (i < 2) assertThat(b.refuse()).isEmpty();
    }
    // 3 s + 0.4 s of fast checks + one of 3 s: 6.4 s in, the longest 3 s would end at 9.4 s
    assertThat(b.refuse()).hasValueSatisfying(why -> assertThat(why).contains("up to 3.0 s"));
  }

  @Test
  void aRunAlreadyPastTheBudgetStartsNoDeliveryCheck() {
    AtomicLong now = new AtomicLong(0);
    QuickBudget b = new QuickBudget(now::get);
    now.addAndGet(9_500_000_000L);
    assertThat(b.refuse()).hasValueSatisfying(why -> assertThat(why)
        .contains("the run was 9.5 s in before this check could start"));
    b.ended(); // an end without a start changes nothing
    now.set(0);
    assertThat(b.refuse()).isEmpty();
  }
}
