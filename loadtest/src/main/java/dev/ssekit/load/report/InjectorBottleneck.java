package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the injector, not the server, may have limited a run's figures: its CPU or heap near
 * their end, or its readers behind the stream. The console's warning, {@code capacity.html}'s
 * and {@code capacity.json}'s {@code injector.bottleneck} all come from {@link #why}.
 */
public final class InjectorBottleneck {
  /** Diagnostics keys the run records about its injector (for the bottleneck rule). */
  public static final String CORES = "injectorCores";
  public static final String MAX_HEAP = "injectorMaxHeapBytes";
  /** The injector looks like the bottleneck past this share of its CPU or of its heap. */
  static final double SHARE = 0.8;

  private InjectorBottleneck() {}

  /**
   * Why the injector may be the bottleneck, or null. The rule: its CPU time reaches {@value
   * #SHARE} of wall time × its cores, or its heap peak that share of its maximum heap, or its
   * readers fell behind (deliveries not yet read); with none of these, what the report recorded
   * (a merged or read-back report).
   */
  public static String why(RunRecord run) {
    CapacityReport r = run.capacity();
    Long cores = run.diagnostics().get(CORES);
    Long maxHeap = run.diagnostics().get(MAX_HEAP);
    List<String> found = new ArrayList<>();
    double wall = r.durationMs() / 1000.0;
    if (cores != null && cores > 0 && wall > 0 && r.injector().cpuSeconds() >= SHARE * wall * cores) {
      found.add(String.format(Locale.ROOT, "its CPU time (%.1f s) is %.0f %% of the run's wall time × %d cores",
          r.injector().cpuSeconds(), 100 * r.injector().cpuSeconds() / (wall * cores), cores));
    }
    if (maxHeap != null && maxHeap > 0 && r.injector().heapBytesPeak() >= SHARE * maxHeap) {
      found.add("its heap peak (" + Summary.bytes(r.injector().heapBytesPeak()) + ") is "
          + Math.round(100.0 * r.injector().heapBytesPeak() / maxHeap) + " % of its maximum heap (" + Summary.bytes(maxHeap) + ")");
    }
    if (r.events().notYetRead() > 0) {
      Long behind = run.diagnostics().get("connectionsBehind");
      found.add(String.format(Locale.ROOT, "its readers fell behind the stream: %s were still receiving their backlog when"
          + " the drain after the hold ran out, %,d expected deliveries not yet read (delivery latency p99 %s ms)",
          behind == null ? "connections" : String.format(Locale.ROOT, "%,d of %,d connections", behind, r.connections().opened()),
          r.events().notYetRead(), r.deliveryLatencyMs().p99() == null ? "n/a"
              : String.format(Locale.ROOT, "%.0f", r.deliveryLatencyMs().p99())));
    }
    if (found.isEmpty()) {
      return r.injector().bottleneck(); // as recorded (a merged or read-back report)
    }
    return String.join("; ", found);
  }
}
