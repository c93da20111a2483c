package dev.ssekit.load.measure;

import dev.ssekit.protocol.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one server may cost the injector, whatever it sends: a stream's response head (size and
 * time to arrive), a stream's longest line, and the metrics endpoint's answer (size and time);
 * and whether TLS certificates are checked. A server past a bound fails that connection (or the
 * memory reading) with the bound named, never the run's memory.
 *
 * @param maxHeadBytes the most a stream's response head (its headers; Netty bounds the status line
 *     at 4 KiB) may take, and its trailers after the last chunk
 * @param headTimeout how long a stream's response head may take to arrive after the request
 * @param maxLineBytes the longest line a stream may send (bytes between two line breaks); an event
 *     may take 8 times this
 * @param maxMetricsBytes the most one read of {@code --metrics-url} may take
 * @param insecure trust any certificate and any host name (else the JDK's trust store decides and
 *     the certificate must name the host)
 */
public record Limits(long maxHeadBytes, Duration headTimeout, long maxLineBytes, long maxMetricsBytes, boolean insecure) {
  /** 64 KiB of response head. */
  public static final long DEFAULT_MAX_HEAD = 64L << 10;
  /** 10 s for the response head (Gatling's own connect timeout is 10 s too). */
  public static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(10);
  /** 1 MiB: the reference server's largest event ({@code --max-event-bytes}) fits on one line. */
  public static final long DEFAULT_MAX_LINE = 1L << 20;
  /** 16 MiB of Prometheus text. */
  public static final long DEFAULT_MAX_METRICS = 16L << 20;
  /** How long one read of the metrics endpoint may take, answer included. */
  public static final Duration METRICS_TIMEOUT = Duration.ofSeconds(5);

  static final String PREFIX = "ssekit.load.";

  public static final Limits DEFAULTS =
      new Limits(DEFAULT_MAX_HEAD, DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_LINE, DEFAULT_MAX_METRICS, false);

  public Limits {
    requireSize("--max-head", maxHeadBytes, 1L << 10, 16L << 20);
    requireSize("--max-line", maxLineBytes, 1L << 10, 1L << 30);
    requireSize("--max-metrics", maxMetricsBytes, 1L << 10, 1L << 30);
    if (headTimeout.compareTo(Duration.ofMillis(100)) < 0 || headTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("--head-timeout must be between 100ms and 10m");
    }
  }

  private static void requireSize(String option, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(option + " must be between " + Sizes.format(min) + " and " + Sizes.format(max));
    }
  }

  /** These limits as {@code ssekit.load.*} system properties (how the CLI hands them to the simulation). */
  public Map<String, String> toProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(PREFIX + "maxHead", Sizes.format(maxHeadBytes));
    p.put(PREFIX + "headTimeout", Durations.format(headTimeout));
    p.put(PREFIX + "maxLine", Sizes.format(maxLineBytes));
    p.put(PREFIX + "maxMetrics", Sizes.format(maxMetricsBytes));
    p.put(PREFIX + "insecure", Boolean.toString(insecure));
    return p;
  }

  /**
   * The limits from system properties, each defaulting as on the command line.
   *
   * @throws IllegalArgumentException naming the value that is not a size or duration
   */
  public static Limits fromSystemProperties() {
    return new Limits(
        Sizes.parse(prop("maxHead", Sizes.format(DEFAULT_MAX_HEAD))),
        Durations.parse(prop("headTimeout", Durations.format(DEFAULT_HEAD_TIMEOUT))),
        Sizes.parse(prop("maxLine", Sizes.format(DEFAULT_MAX_LINE))),
        Sizes.parse(prop("maxMetrics", Sizes.format(DEFAULT_MAX_METRICS))),
        Boolean.parseBoolean(prop("insecure", "false")));
  }

  private static String prop(String name, String fallback) {
    return System.getProperty(PREFIX + name, fallback).trim();
  }
}
