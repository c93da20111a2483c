package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.MemorySampler;
import dev.ssekit.load.measure.RssSource;
import dev.ssekit.load.measure.ServerProc;
import dev.ssekit.load.report.CapacityPlan;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What a run reads of the server besides its streams: its memory ({@code --metrics-url} or {@code
 * /proc/PID/status}), and with its pid its open-file limit, the files it holds before any
 * connection, its allowed CPUs and its CPU time. Read at the start, for {@link LoadRun}'s sampler
 * and the projection's limits; {@code --server-max-files} and {@code --instance-cores} win over
 * what is read.
 */
final class ServerWatch {
  private final RssSource rss;
  /** The server's processes: one, or (several {@code --urls}) one per instance; empty without a pid. */
  private final List<ServerProc> procs;
  private final Long maxFiles;
  private final Long filesAtStart;
  private final Integer cores;
  private volatile Long rssBaseline;

  private ServerWatch(RssSource rss, List<ServerProc> procs, Long maxFiles, Long filesAtStart, Integer cores) {
    this.rss = rss;
    this.procs = List.copyOf(procs);
    this.maxFiles = maxFiles;
    this.filesAtStart = filesAtStart;
    this.cores = cores;
  }

  /**
   * The server's memory source, and with its pid its open-file limit (unless {@code
   * --server-max-files} gave one), the files it holds now and its allowed CPUs (unless {@code
   * --instance-cores} gave them). With one pid per instance ({@code --urls}), the memory and CPU
   * time are summed over them, and one instance's limits are the tightest: the lowest file limit,
   * the most files held at the start, the first instance's CPUs.
   */
  static ServerWatch read(RunSettings settings, Limits limits) {
    List<Long> pids = settings.serverPids();
    RssSource rss =
        settings.metricsUrl() != null
            ? RssSource.prometheus(settings.metricsUrl(), limits)
            : !pids.isEmpty() ? RssSource.procStatus(pids) : null;
    Long maxFiles = settings.serverMaxFiles();
    Integer cores = settings.instanceCores();
    if (pids.isEmpty()) {
      return new ServerWatch(rss, List.of(), maxFiles, null, cores);
    }
    List<ServerProc> procs = pids.stream().map(ServerProc::new).toList();
    if (maxFiles == null) {
      maxFiles = lowestFileLimit(procs);
    }
    Long filesAtStart = null;
    for (ServerProc p : procs) {
      if (p.openFiles().isPresent()) {
        filesAtStart = Math.max(filesAtStart == null ? 0 : filesAtStart, p.openFiles().getAsLong());
      }
    }
    if (cores == null && procs.get(0).allowedCpus().isPresent()) {
      cores = procs.get(0).allowedCpus().getAsInt();
    }
    return new ServerWatch(rss, procs, maxFiles, filesAtStart, cores);
  }

  /** The lowest open-file limit read ({@link CapacityPlan#UNLIMITED_FILES} when all are unlimited), or null. */
  private static Long lowestFileLimit(List<ServerProc> procs) {
    Long lowest = null;
    for (ServerProc p : procs) {
      if (p.maxOpenFiles().isPresent()) {
        long max = p.maxOpenFiles().getAsLong();
        long limit = max == ServerProc.UNLIMITED ? CapacityPlan.UNLIMITED_FILES : max;
        lowest = lowest == null ? limit : Math.min(lowest, limit);
      }
    }
    return lowest;
  }

  /**
   * A sampler of the server's memory and CPU time, the open streams and {@code periodData} every
   * {@code period}; the server's memory before any connection is read now ({@link #rssBaseline}),
   * with a warning on standard error when it cannot be.
   */
  MemorySampler sampler(IntSupplier openStreams, Supplier<String> periodData, Duration period)
      throws InterruptedException {
    MemorySampler s = new MemorySampler(rss, openStreams, periodData, procs.isEmpty() ? null : this::cpuSeconds, period);
    OptionalLong baseline = s.baseline();
    rssBaseline = baseline.isPresent() ? baseline.getAsLong() : null;
    if (rss != null && rssBaseline == null) {
      System.err.println("ssekit load: warning: could not read the server's memory ("
          + (rss.failure() != null ? rss.failure() : rss.describe()) + ")");
    }
    return s;
  }

  /** The server's CPU seconds so far, summed over its processes; null unless every one could be read. */
  private Double cpuSeconds() {
    double sum = 0;
    for (ServerProc p : procs) {
      var cpu = p.cpuSeconds();
      if (cpu.isEmpty()) {
        return null;
      }
      sum += cpu.getAsDouble();
    }
    return sum;
  }

  /** The server's RSS before any connection, or null when not measured or not read. */
  Long rssBaseline() {
    return rssBaseline;
  }

  /** Why reading the server's memory failed (a bound of {@code --max-metrics} passed), or null. */
  String rssFailure() {
    RssSource source = rss;
    return source == null ? null : source.failure();
  }

  /** The server's open-file limit ({@link CapacityPlan#UNLIMITED_FILES} when unlimited), or null. */
  Long maxFiles() {
    return maxFiles;
  }

  /** The files the server held before the run, or null. */
  Long filesAtStart() {
    return filesAtStart;
  }

  /** The cores one instance may keep busy, or null. */
  Integer cores() {
    return cores;
  }
}
