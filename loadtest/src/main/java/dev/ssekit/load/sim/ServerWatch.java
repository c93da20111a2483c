package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Limits;
import dev.ssekit.load.measure.MemorySampler;
import dev.ssekit.load.measure.RssSource;
import dev.ssekit.load.measure.ServerProc;
import dev.ssekit.load.report.CapacityPlan;
import java.time.Duration;
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
  private final ServerProc proc;
  private final Long maxFiles;
  private final Long filesAtStart;
  private final Integer cores;
  private volatile Long rssBaseline;

  private ServerWatch(RssSource rss, ServerProc proc, Long maxFiles, Long filesAtStart, Integer cores) {
    this.rss = rss;
    this.proc = proc;
    this.maxFiles = maxFiles;
    this.filesAtStart = filesAtStart;
    this.cores = cores;
  }

  /**
   * The server's memory source, and with its pid its open-file limit (unless {@code
   * --server-max-files} gave one), the files it holds now and its allowed CPUs (unless {@code
   * --instance-cores} gave them).
   */
  static ServerWatch read(RunSettings settings, Limits limits) {
    RssSource rss =
        settings.metricsUrl() != null
            ? RssSource.prometheus(settings.metricsUrl(), limits)
            : settings.serverPid() != null ? RssSource.procStatus(settings.serverPid()) : null;
    Long maxFiles = settings.serverMaxFiles();
    Integer cores = settings.instanceCores();
    if (settings.serverPid() == null) {
      return new ServerWatch(rss, null, maxFiles, null, cores);
    }
    ServerProc p = new ServerProc(settings.serverPid());
    if (maxFiles == null && p.maxOpenFiles().isPresent()) {
      long max = p.maxOpenFiles().getAsLong();
      maxFiles = max == ServerProc.UNLIMITED ? CapacityPlan.UNLIMITED_FILES : max;
    }
    Long filesAtStart = p.openFiles().isPresent() ? p.openFiles().getAsLong() : null;
    if (cores == null && p.allowedCpus().isPresent()) {
      cores = p.allowedCpus().getAsInt();
    }
    return new ServerWatch(rss, p, maxFiles, filesAtStart, cores);
  }

  /**
   * A sampler of the server's memory and CPU time, the open streams and {@code periodData} every
   * {@code period}; the server's memory before any connection is read now ({@link #rssBaseline}),
   * with a warning on standard error when it cannot be.
   */
  MemorySampler sampler(IntSupplier openStreams, Supplier<String> periodData, Duration period)
      throws InterruptedException {
    ServerProc p = proc;
    MemorySampler s = new MemorySampler(
        rss,
        openStreams,
        periodData,
        p == null ? null : () -> {
          var cpu = p.cpuSeconds();
          return cpu.isPresent() ? cpu.getAsDouble() : null;
        },
        period);
    OptionalLong baseline = s.baseline();
    rssBaseline = baseline.isPresent() ? baseline.getAsLong() : null;
    if (rss != null && rssBaseline == null) {
      System.err.println("ssekit load: warning: could not read the server's memory ("
          + (rss.failure() != null ? rss.failure() : rss.describe()) + ")");
    }
    return s;
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
