package dev.ssekit.conformance.checks;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The {@code quick} profile's promise: a run of at most ten seconds against any server that answers.
 *
 * <p>Why a budget: the delivery checks run one at a time on fresh connections, each waiting for its
 * own events (isolation: a check's verdict depends only on what it caused). Against a server that
 * holds events back (one that flushes every 2 s, say) each check waits out at least one hold, so six
 * of them cannot take less than six holds, whatever the tool does. Rather than share streams between
 * checks (and let one check's payload decide another's verdict), {@code quick} keeps its time: before
 * each delivery check, the longest delivery check of this run so far predicts how long this one
 * takes, and a check predicted to end past the budget is not run and says so (skipped, with how long
 * the others took and that {@code --profile standard} runs it). Against a server that delivers
 * promptly, delivery checks take milliseconds and none is left out.
 *
 * <p>One per run ({@link RunScoped}), made when the first check is considered, which is when the
 * run starts. Delivery checks never overlap ({@code @Isolated}), so one start mark suffices.
 */
public final class QuickBudget {

  /** What {@code quick} promises. */
  public static final Duration BUDGET = Duration.ofSeconds(10);
  /** Kept back for what follows the delivery checks: the checks after them and the reports. */
  static final Duration RESERVE = Duration.ofSeconds(1);
  /** How a check left out by the budget starts its skip reason (reports count these). */
  public static final String LEFT_OUT_BY_BUDGET = "not run, to keep quick within " + BUDGET.toSeconds() + " s";

  private final LongSupplier clock;
  private final long runStart;
  private long longest;
  private long checkStart = -1;

  QuickBudget() {
    this(System::nanoTime);
  }

  /** With {@code clock} for the time in nanoseconds (tests). */
  QuickBudget(LongSupplier clock) {
    this.clock = clock;
    this.runStart = clock.getAsLong();
  }

  /** Why a delivery check starting now is not run, or empty when it fits in the budget. */
  synchronized Optional<String> refuse() {
    long now = clock.getAsLong();
    long elapsed = now - runStart;
    if (elapsed + longest <= BUDGET.minus(RESERVE).toNanos()) return Optional.empty();
    String took = longest == 0 ? "the run was " + seconds(elapsed) + " s in before this check could start"
        : "the delivery checks before it took up to " + seconds(longest) + " s each against this server, and the run "
        + "was " + seconds(elapsed) + " s in";
    return Optional.of(LEFT_OUT_BY_BUDGET + ": " + took + " (each waits for its own events; a server that holds "
        + "events back makes each wait that long). --profile standard runs it");
  }

  /** A delivery check starts. */
  synchronized void started() {
    checkStart = clock.getAsLong();
  }

  /** The delivery check that started last ended. */
  synchronized void ended() {
    if (checkStart < 0) return;
    longest = Math.max(longest, clock.getAsLong() - checkStart);
    checkStart = -1;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }
}
