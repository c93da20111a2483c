package dev.ssekit.load.sim;

/**
 * Do clients that all lose their streams at once get back every event, once, in order, and how
 * soon? Ramps to {@code connections} streams and, in the middle of the hold, drops them all at one
 * instant; each reconnects with {@code Last-Event-ID} while events keep flowing (published through
 * the publish contract, or the server's own ticks). See {@link ReconnectStorm}.
 */
public final class ReconnectStormSimulation extends SubscriberSimulation {
  public ReconnectStormSimulation() {
    super("reconnect-storm", ReconnectStorm::hold);
  }
}
