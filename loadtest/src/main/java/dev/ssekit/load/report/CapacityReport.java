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

  public record Step(long connections, Long rssBytes, Double deliveryP99Ms) {}

  /**
   * @param connectionsPerGiB connections one GiB of server memory holds at this run's bytes per
   *     connection
   * @param assumptions how the figure was derived, to be read next to it
   */
  public record Projection(Long connectionsPerGiB, String assumptions) {}

  /** Whether the run failed its delivery guarantee: an event lost or delivered twice. */
  public boolean deliveryFailed() {
    return events.lost() > 0 || events.duplicated() > 0;
  }
}
