package dev.ssekit.load.sim;

/**
 * How many streams does the server hold, and what do they receive? Ramps to {@code connections}
 * streams, holds them, and counts every event that arrives; events carrying {@code seq} and
 * {@code sentAtMicros} (the reference server's ticks) are also checked for loss, duplication and
 * order, and timed.
 */
public final class HoldSimulation extends SubscriberSimulation {
  public HoldSimulation() {
    super("hold");
  }
}
