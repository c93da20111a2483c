package dev.ssekit.load.cli;

import dev.ssekit.load.report.BaselineComparison;
import dev.ssekit.load.report.CapacityJson;
import dev.ssekit.load.report.CapacityReport;
import dev.ssekit.load.report.InjectorBottleneck;
import dev.ssekit.load.report.ReportSet;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.Summary;
import dev.ssekit.load.report.Tolerances;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The end shared by a run and a merge: compare with the baseline, write the reports ({@link
 * ReportSet}: {@code capacity.json}, {@code histograms.json}, {@code capacity.html}), print the
 * summary and choose the exit status.
 */
final class RunReports {
  private RunReports() {}

  /** An earlier run's {@code capacity.json} and the tolerances to hold this run to. */
  record Baseline(Path file, CapacityReport report, Tolerances tolerances) {
    /**
     * The baseline {@code --baseline} names with its {@code --tolerance}s, or null without one.
     *
     * @throws IllegalArgumentException with a one-line reason, also for a tolerance without a baseline
     */
    static Baseline fromOptions(Path file, List<String> tolerances) {
      if (file != null) {
        return load(file, tolerances);
      }
      if (!tolerances.isEmpty()) {
        throw new IllegalArgumentException("--tolerance applies to a --baseline comparison; give --baseline FILE");
      }
      return null;
    }

    /**
     * Reads the baseline and parses the tolerances.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    static Baseline load(Path file, List<String> tolerances) {
      Tolerances t = Tolerances.defaults();
      for (String spec : tolerances) {
        t = t.with(spec);
      }
      try {
        return new Baseline(file, CapacityJson.read(file), t);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("cannot read the baseline " + file + ": no such file");
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot use the baseline: " + e.getMessage());
      }
    }
  }

  /**
   * Writes the reports for {@code run} into {@code dir} (once: nothing else writes them for a CLI
   * run or merge), prints the summary (with the scenario's
   * {@code details} lines) and returns the exit
   * status: 2 when the baseline is not comparable, or when the only problem is deliveries this
   * injector had not yet read (the run measured the injector, not the server); 1 when anything else
   * in {@link CapacityReport#problems()} went wrong (events lost or duplicated, failures) or a figure
   * regressed; else 0.
   */
  static int publish(RunRecord run, List<String> details, Path dir, Baseline baseline, PrintWriter out, PrintWriter err) {
    CapacityReport report = run.capacity();
    BaselineComparison comparison = baseline == null ? null
        : BaselineComparison.compare(baseline.file().toString(), baseline.report(), report, baseline.tolerances());
    ReportSet.write(run, comparison, dir);
    out.print(Summary.text(report, details, dir.toString()));
    String bottleneck = InjectorBottleneck.why(run);
    if (bottleneck != null) {
      out.println("  warning: the injector may be the bottleneck: " + bottleneck);
    }
    String behind = report.publisherBehind();
    if (behind != null) {
      out.println("  warning: " + behind);
    }
    if (comparison != null) {
      out.print(comparison.text());
    }
    out.println("  open " + dir.resolve("capacity.html") + " for the charts");
    out.flush();
    if (comparison != null && comparison.verdict() == BaselineComparison.Verdict.NOT_COMPARABLE) {
      err.println("sse-loadtest: not comparable with the baseline " + baseline.file() + ": " + comparison.reason());
      return LoadMain.USAGE;
    }
    boolean regressed = comparison != null && comparison.regressed();
    if (report.onlyInjectorBehind() && !regressed) {
      out.println("  not judged: this run measured the injector, not the server (exit 2)");
      out.flush();
      err.println("sse-loadtest: this run measured the injector, not the server: its readers were still receiving"
          + " their backlog when the drain ran out (" + report.events().notYetRead() + " deliveries not yet read, none"
          + " lost by the server); spread the load over more injectors (merge) or lower it (exit 2)");
      return LoadMain.INJECTOR_BEHIND;
    }
    return report.deliveryFailed() || regressed ? LoadMain.FAILED : LoadMain.OK;
  }

  /**
   * The end of a run that Gatling failed after (its own HTML report may be missing): the reports,
   * without a baseline comparison, the summary, and why on standard error; exit 2.
   *
   * @param why what Gatling did: the error it threw, or its exit status
   */
  static int gatlingFailed(RunRecord run, List<String> details, Path dir, String why, PrintWriter out, PrintWriter err) {
    ReportSet.write(run, null, dir);
    out.print(Summary.text(run.capacity(), details, dir.toString()));
    out.flush();
    err.println("sse-loadtest: Gatling failed after the run (its HTML report may be missing): " + why);
    return LoadMain.USAGE;
  }
}
