package dev.ssekit.load.sim;

/**
 * How fast does an event reach every stream? Holds {@code connections} streams while the load
 * tester publishes {@code rate} numbered events per second through the publish contract (or, with
 * no publish URL, while the server publishes its own, like the reference server's ticks), and
 * measures receive time minus send time for every delivery, and loss, duplication and order per
 * stream.
 */
public final class FanoutSimulation extends SubscriberSimulation {
  public FanoutSimulation() {
    super("fanout");
  }
}
