package dev.ssekit.load.measure;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Samples, on a period, the server's RSS (when a source is given), its CPU time (when its pid is
 * known), how many streams the virtual users hold, and this JVM's heap in use. At most {@link #MAX_SAMPLES} samples are kept.
 */
public final class MemorySampler implements AutoCloseable {
  static final int MAX_SAMPLES = 100_000;

  /**
   * One sample: when, how many streams were open, server RSS (or -1), injector heap used, and
   * what the period supplier gave for the period that ended then (or null); the server's CPU
   * seconds so far (or null); this process's CPU seconds so far, its RSS (or -1), and the events its
   * publisher had had accepted by then (or null when it does not publish).
   */
  public record Sample(
      long atMillis, int openStreams, long serverRssBytes, long injectorHeapBytes, String period, Double serverCpuSeconds,
      double injectorCpuSeconds, long injectorRssBytes, Long published) {

    /** A sample without this process's own readings (tests). */
    public Sample(long atMillis, int openStreams, long serverRssBytes, long injectorHeapBytes, String period,
        Double serverCpuSeconds) {
      this(atMillis, openStreams, serverRssBytes, injectorHeapBytes, period, serverCpuSeconds, 0, -1, null);
    }
  }

  private final RssSource server;
  private final IntSupplier openStreams;
  private final Supplier<String> periodData;
  private final Supplier<Double> serverCpu;
  private volatile Supplier<Long> published;
  private final RssSource self = RssSource.procStatus(ProcessHandle.current().pid());
  private final Duration period;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param server the server's RSS, or {@code null} when neither a metrics URL nor a pid was given
   * @param periodData called once per sample for what happened during the period (the run's
   *     encoded latency histogram), or {@code null}
   */
  public MemorySampler(
      RssSource server, IntSupplier openStreams, Supplier<String> periodData, Duration period) {
    this(server, openStreams, periodData, null, period);
  }

  /**
   * @param serverCpu the server's CPU seconds so far, read once per sample (null when it could not
   *     be read), or {@code null} when the server's pid is not known
   */
  public MemorySampler(RssSource server, IntSupplier openStreams, Supplier<String> periodData, Supplier<Double> serverCpu,
      Duration period) {
    this.server = server;
    this.serverCpu = serverCpu;
    this.openStreams = openStreams;
    this.periodData = periodData;
    this.period = period;
    this.thread = new Thread(this::loop, "ssekit-memory-sampler");
    this.thread.setDaemon(true);
  }

  /** The server's RSS now (median of three reads 100 ms apart), or empty. */
  public OptionalLong baseline() throws InterruptedException {
    if (server == null) {
      return OptionalLong.empty();
    }
    List<Long> reads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      server.read().ifPresent(reads::add);
      if (i < 2) {
        Thread.sleep(100);
      }
    }
    if (reads.isEmpty()) {
      return OptionalLong.empty();
    }
    reads.sort(null);
    return OptionalLong.of(reads.get(reads.size() / 2));
  }

  /**
   * Starts sampling; {@code published} (or {@code null}) tells how many events the run's publisher
   * has had accepted so far.
   */
  public void start(Supplier<Long> published) {
    this.published = published;
    thread.start();
  }

  public void start() {
    start(null);
  }

  /** This process's CPU time so far (user + system), in nanoseconds; 0 when the JVM does not say. */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private void loop() {
    long next = System.nanoTime();
    while (running) {
      sampleOnce();
      next += period.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void sampleOnce() {
    int open = openStreams.getAsInt();
    long rss = server == null ? -1 : server.read().orElse(-1);
    String data = periodData == null ? null : periodData.get();
    Double cpu = serverCpu == null ? null : serverCpu.get();
    Supplier<Long> pub = published;
    Sample s = new Sample(System.currentTimeMillis(), open, rss, memory.getHeapMemoryUsage().getUsed(), data, cpu,
        processCpuNanos() / 1e9, self.read().orElse(-1), pub == null ? null : pub.get());
    synchronized (samples) {
      if (samples.size() < MAX_SAMPLES) {
        samples.add(s);
      }
    }
  }

  /** Stops sampling (waits up to 5 s for a read in progress) and takes one last sample. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sampleOnce();
  }

  /** A copy of the samples so far. */
  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }
}
