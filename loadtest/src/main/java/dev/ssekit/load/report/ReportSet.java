package dev.ssekit.load.report;

import java.nio.file.Path;

/**
 * The files of one report directory, written together and only here: {@code capacity.json}, {@code
 * histograms.json} and {@code capacity.html}. The CLI writes them once after a run or a merge; a
 * run under {@code mvn gatling:test}, with no CLI, writes them itself.
 */
public final class ReportSet {
  private ReportSet() {}

  /**
   * Writes the three files into {@code dir}: {@code capacity.json} and the page with the comparison
   * to a baseline if there is one, the page linking Gatling's report under {@code dir/gatling/} if
   * there is one.
   *
   * @throws java.io.UncheckedIOException naming the file that could not be written
   */
  public static void write(RunRecord run, BaselineComparison baseline, Path dir) {
    CapacityJson.write(run.capacity(), baseline, dir);
    HistogramFile.write(dir, run);
    CapacityHtml.write(run, baseline, dir);
  }

  /**
   * Writes the three files for a run whose Gatling report goes elsewhere ({@code mvn gatling:test}):
   * the page links Gatling's run directory for {@code simulation} under {@code gatlingResults}
   * ({@link CapacityHtml#write(RunRecord, Path, Path, String)}).
   *
   * @throws java.io.UncheckedIOException naming the file that could not be written
   */
  public static void write(RunRecord run, Path dir, Path gatlingResults, String simulation) {
    CapacityJson.write(run.capacity(), dir);
    HistogramFile.write(dir, run);
    CapacityHtml.write(run, dir, gatlingResults, simulation);
  }
}
