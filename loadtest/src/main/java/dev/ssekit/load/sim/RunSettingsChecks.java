package dev.ssekit.load.sim;

import dev.ssekit.load.measure.LoopbackTargets;
import dev.ssekit.protocol.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The checks {@link RunSettings} makes of its knobs, in the order its constructor runs them: each
 * throws an {@link IllegalArgumentException} whose message names the option and its range.
 */
final class RunSettingsChecks {
  private RunSettingsChecks() {}

  /** A known scenario; every URL on loopback, no stream URL twice; memory read one way, from a real pid. */
  static void targets(String scenario, List<URI> urls, URI publishUrl, URI metricsUrl, List<Long> serverPids) {
    if (!RunSettings.SCENARIOS.contains(scenario)) {
      throw new IllegalArgumentException("scenario '" + scenario + "' is not one of " + String.join(", ", RunSettings.SCENARIOS));
    }
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("name the stream with --url URL or --urls URL,URL");
    }
    for (URI url : urls) {
      LoopbackTargets.require(urls.size() == 1 ? "--url" : "--urls", url.toString());
      if (urls.indexOf(url) != urls.lastIndexOf(url)) {
        throw new IllegalArgumentException("--urls names " + url + " twice; give each instance once");
      }
    }
    if (publishUrl != null) {
      LoopbackTargets.require("--publish-url", publishUrl.toString());
    }
    if (metricsUrl != null) {
      LoopbackTargets.require("--metrics-url", metricsUrl.toString());
    }
    if (metricsUrl != null && !serverPids.isEmpty()) {
      throw new IllegalArgumentException("give --metrics-url or --server-pid, not both");
    }
    for (Long pid : serverPids) {
      if (pid == null || pid <= 0) {
        throw new IllegalArgumentException("--server-pid must be a positive process id");
      }
      if (serverPids.indexOf(pid) != serverPids.lastIndexOf(pid)) {
        throw new IllegalArgumentException("--server-pid names " + pid + " twice; give each instance's process once");
      }
    }
    if (serverPids.size() > 1 && serverPids.size() != urls.size()) {
      throw new IllegalArgumentException("--server-pid names " + serverPids.size() + " processes for " + urls.size()
          + " stream URL" + (urls.size() == 1 ? "" : "s") + ": give one per --urls instance, in the same order");
    }
  }

  /**
   * With several stream URLs: at least one connection for each, and no figure that describes one
   * server process unless every instance's is read. {@code --metrics-url} names one process, so it
   * is refused. One {@code --server-pid} per instance is read as the instances together (memory and
   * CPU time summed), and the projection sizes one instance from them; only then do {@code
   * --server-max-files} and {@code --instance-cores} apply (to each instance). Without the pids the
   * connections spread over the instances cannot be set against one process's memory, files or
   * cores, and no projection is made.
   */
  static void oneInstanceFigures(List<URI> urls, int connections, URI metricsUrl, List<Long> serverPids,
      Long serverMaxFiles, Integer instanceCores) {
    if (urls.size() == 1) {
      return;
    }
    String one = metricsUrl != null ? "--metrics-url" : serverPids.size() == 1 ? "--server-pid"
        : serverPids.isEmpty() && serverMaxFiles != null ? "--server-max-files"
        : serverPids.isEmpty() && instanceCores != null ? "--instance-cores" : null;
    if (one != null) {
      throw new IllegalArgumentException(one + " describes one server process, and --urls spreads the connections over "
          + urls.size() + " instances, so it cannot be attributed to one: give one --server-pid per instance"
          + " (--server-pid PID,PID in --urls order), or measure an instance alone with --url");
    }
    if (connections < urls.size()) {
      throw new IllegalArgumentException("--connections (" + connections + ") is fewer than the " + urls.size()
          + " --urls: some instance would get no connection");
    }
  }

  /** The connections, durations and rate each within its range. */
  static void load(String scenario, int connections, Duration ramp, Duration hold, double rate,
      Duration drain, Duration grace) {
    if (connections < 1 || connections > RunSettings.MAX_CONNECTIONS) {
      throw new IllegalArgumentException("--connections must be between 1 and " + RunSettings.MAX_CONNECTIONS);
    }
    requireRange("--ramp", ramp, Duration.ZERO, Duration.ofHours(1));
    requireRange("--hold", hold, scenario.equals("reconnect-storm") ? Duration.ofSeconds(2) : Duration.ZERO, Duration.ofHours(24));
    requireRange("drain period", drain, Duration.ofMillis(50), Duration.ofSeconds(10));
    requireRange("grace", grace, Duration.ZERO, Duration.ofMinutes(5));
    if (!(rate > 0) || rate > 100_000) {
      throw new IllegalArgumentException("--rate must be more than 0 and at most 100000 events/s");
    }
  }

  /** Source addresses in 127.0.0.0/8, and so only for IPv4 targets. */
  static void sourceAddresses(List<String> localAddresses, List<URI> urls) {
    for (String a : localAddresses) {
      LoopbackTargets.sourceAddresses(a);
    }
    for (URI url : urls) {
      if (!localAddresses.isEmpty() && url.getHost() != null && url.getHost().contains(":")) {
        throw new IllegalArgumentException("--local-addresses are IPv4 (127.0.0.0/8); the target " + url.getHost() + " is IPv6");
      }
    }
  }

  /** Increasing steps ending at the connection count, several only for capacity, at most {@link RunSettings#MAX_STEPS}. */
  static void steps(String scenario, List<Integer> steps, int connections) {
    if (steps.isEmpty() || steps.get(steps.size() - 1) != connections) {
      throw new IllegalArgumentException("the last step must be the connection count (" + connections + ")");
    }
    if (!scenario.equals("capacity") && steps.size() != 1) {
      throw new IllegalArgumentException("--steps is for the capacity scenario");
    }
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) < 1 || (i > 0 && steps.get(i) <= steps.get(i - 1))) {
        throw new IllegalArgumentException("--steps must be increasing connection counts, got " + steps);
      }
    }
    if (steps.size() > RunSettings.MAX_STEPS) {
      throw new IllegalArgumentException("at most " + RunSettings.MAX_STEPS + " steps");
    }
  }

  /** A run no longer than {@link RunSettings#MAX_RUN}, with at most {@link RunSettings#MAX_DELIVERIES} deliveries to account for. */
  static void runBounds(int connections, Duration ramp, Duration hold, double rate, int steps,
      Duration drain, Duration grace) {
    Duration longest = RunSettings.bound(ramp, hold, steps, grace, drain);
    if (longest.compareTo(RunSettings.MAX_RUN) > 0) {
      throw new IllegalArgumentException("the run could last " + Durations.format(longest) + "; at most "
          + Durations.format(RunSettings.MAX_RUN) + " (the timeline keeps half-second samples): shorten --hold or use fewer --steps");
    }
    double deliveries = (double) connections * rate * longest.toSeconds();
    if (deliveries > RunSettings.MAX_DELIVERIES) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%d connections × %s events/s over up to %s is %.2e deliveries to account for, one bit each per"
              + " connection; at most %.2e (512 MiB): lower --rate, --hold, --steps or --connections",
          connections, Double.toString(rate), Durations.format(longest), deliveries, (double) RunSettings.MAX_DELIVERIES));
    }
  }

  /** The projection's figures each within its range. */
  static void projection(long targetConnections, long instanceMemoryBytes, Duration sloP99,
      Long serverMaxFiles, Integer instanceCores) {
    if (targetConnections < 1 || targetConnections > 1_000_000_000L) {
      throw new IllegalArgumentException("--target-connections must be between 1 and 1000000000");
    }
    if (instanceMemoryBytes < (16L << 20) || instanceMemoryBytes > (16L << 40)) {
      throw new IllegalArgumentException("--instance-memory must be between 16m and 16t");
    }
    requireRange("--slo-p99", sloP99, Duration.ofMillis(1), Duration.ofHours(1));
    if (serverMaxFiles != null && (serverMaxFiles < 1 || serverMaxFiles > 1L << 31)) {
      throw new IllegalArgumentException("--server-max-files must be between 1 and 2147483648");
    }
    if (instanceCores != null && (instanceCores < 1 || instanceCores > 4096)) {
      throw new IllegalArgumentException("--instance-cores must be between 1 and 4096");
    }
  }

  private static void requireRange(String name, Duration d, Duration min, Duration max) {
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be between " + Durations.format(min) + " and " + Durations.format(max));
    }
  }
}
