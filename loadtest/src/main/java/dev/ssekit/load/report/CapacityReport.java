package dev.ssekit.load.report;

import java.util.List;

/**
 * The content of {@code capacity.json}, field for field as the design's schema. A {@code null}
 * means "not measured in this run" and is written as JSON {@code null}.
 */
public record CapacityReport(
    String scenario,
    Target target,
    long durationMs,
    Connections connections,
    ConnectMs connectMs,
    DeliveryLatencyMs deliveryLatencyMs,
    Events events,
    Server server,
    Injector injector,
    List<Step> steps,
    Projection projection) {

  public record Target(String url, String publishUrl, String metricsUrl) {}

  public record Connections(
      long requested, long opened, long failed, long peakOpen, Long reconnects, Long recoveryMs) {}

  public record ConnectMs(Double p50, Double p95, Double p99, Double max) {}

  public record DeliveryLatencyMs(
      long count, Double p50, Double p95, Double p99, Double p999, Double max) {}

  public record Events(
      Long published,
      long expectedDeliveries,
      long delivered,
      long lost,
      long duplicated,
      long outOfOrder) {}

  public record Server(Long rssBytesBaseline, Long rssBytesPeak, Long bytesPerConnection) {}

  public record Injector(long heapBytesPeak, double cpuSeconds) {}

  /**
   * One step of the run: the connections held while it was measured and what they cost.
   *
   * @param connections streams open during the step's measuring window (median of the samples)
   * @param rssBytes the server's RSS over the window (median), or null when not measured
   * @param deliveryP99Ms delivery latency p99 of the events received in the window
   * @param target the connections the step asked for
   * @param deliveryP50Ms delivery latency p50 of the events received in the window
   */
  public record Step(
      long connections, Long rssBytes, Double deliveryP99Ms, long target, Double deliveryP50Ms) {}

  /**
   * What a target connection count needs, from a straight line fitted to server RSS against
   * connections (the baseline with no connection, then every step).
   *
   * @param connectionsPerGiB connections one GiB of server memory holds at the fitted slope
   * @param bytesPerConnection the fitted slope
   * @param baseRssBytes the fitted intercept: the server's memory with no connection
   * @param fitR2 how well the line fits the points (1 is a perfect line), null with two points
   * @param targetConnections the connection count the projection is for
   * @param instanceMemoryBytes the memory one server instance may use
   * @param connectionsPerInstance what one instance of that memory holds at the fitted line
   * @param instancesForTarget instances needed for the target count
   * @param assumptions how the figures were derived, to be read next to them
   */
  public record Projection(
      Long connectionsPerGiB,
      Long bytesPerConnection,
      Long baseRssBytes,
      Double fitR2,
      Long targetConnections,
      Long instanceMemoryBytes,
      Long connectionsPerInstance,
      Long instancesForTarget,
      String assumptions) {

    /** No projection: server memory was not measured. */
    public static Projection none(String why) {
      return new Projection(null, null, null, null, null, null, null, null, why);
    }
  }

  /**
   * What makes the run fail (exit 1), each as a short phrase: events lost, delivered twice or out
   * of order on a connection (SSE runs over one ordered stream, so any of these is a server
   * fault), connections that failed to open, and (reconnect-storm) connections that did not
   * reconnect. Empty when the run is clean.
   */
  public List<String> problems() {
    List<String> p = new java.util.ArrayList<>();
    if (events.lost() > 0) {
      p.add(events.lost() + " expected deliver" + (events.lost() == 1 ? "y" : "ies") + " lost");
    }
    if (events.duplicated() > 0) {
      p.add(events.duplicated() + " duplicated");
    }
    if (events.outOfOrder() > 0) {
      p.add(events.outOfOrder() + " out of order");
    }
    if (connections.failed() > 0) {
      p.add(connections.failed() + " connection" + (connections.failed() == 1 ? "" : "s") + " failed to open");
    }
    if (connections.reconnects() != null && connections.reconnects() < connections.opened()) {
      long n = connections.opened() - connections.reconnects();
      p.add(n + " connection" + (n == 1 ? "" : "s") + " did not reconnect");
    }
    return p;
  }

  /** Whether the run failed: see {@link #problems()}. */
  public boolean deliveryFailed() {
    return !problems().isEmpty();
  }
}
