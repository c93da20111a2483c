package dev.ssekit.load.sim;

import dev.ssekit.load.report.CapacityReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Why connections failed, by kind ({@link CapacityReport.Failure}): a count and the first message
 * of each. Thread-safe: Gatling's event loops record, the report reads after the run.
 */
final class Failures {
  private record Entry(AtomicLong count, String message) {}

  private final Map<String, Entry> byKind = new ConcurrentHashMap<>();

  /** One failure of {@code kind}; the first message of a kind is the one reported. */
  void record(String kind, String message) {
    byKind.computeIfAbsent(kind, k -> new Entry(new AtomicLong(), message)).count().incrementAndGet();
  }

  /** What was recorded, in the order of {@link CapacityReport.Failure#KINDS}. */
  List<CapacityReport.Failure> list() {
    List<CapacityReport.Failure> out = new ArrayList<>();
    for (String kind : CapacityReport.Failure.KINDS) {
      Entry e = byKind.get(kind);
      if (e != null) {
        out.add(new CapacityReport.Failure(kind, e.count().get(), e.message()));
      }
    }
    return out;
  }
}
