package dev.ssekit.load.sim;

/**
 * How many connections does one instance hold, and what does each cost? Steps up through {@code
 * steps} connection counts — each step opens its new connections over {@code ramp}, then holds
 * all of them for {@code hold} while events flow (published by the load tester, or the server's
 * ticks) — and measures, per step, the streams open, delivery latency and server RSS; the report
 * fits RSS against connections and projects what a target count needs.
 */
public final class CapacitySimulation extends SubscriberSimulation {
  public CapacitySimulation() {
    super("capacity");
  }
}
