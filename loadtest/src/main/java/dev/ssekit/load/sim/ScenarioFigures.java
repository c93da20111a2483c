package dev.ssekit.load.sim;

import dev.ssekit.load.report.CapacityReport;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a scenario measures beyond {@link LoadRun}'s own figures, added to its reports when the run
 * finishes: fields of {@code capacity.json} that only it fills, its histograms and counters for
 * {@code histograms.json}, and its lines of the text summary. Called once, after the run.
 */
interface ScenarioFigures {
  /** Nothing to add (hold, fanout). */
  ScenarioFigures NONE = new ScenarioFigures() {};

  /** The connections block, given the one LoadRun measured. */
  default CapacityReport.Connections connections(CapacityReport.Connections measured) {
    return measured;
  }

  /** Histograms in µs, by name. */
  default Map<String, Histogram> histograms() {
    return Map.of();
  }

  /** Counters that explain the figures. */
  default Map<String, Long> diagnostics() {
    return Map.of();
  }

  /** Lines for the text summary, each without its line break. */
  default List<String> summaryLines() {
    return List.of();
  }
}
