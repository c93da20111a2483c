package dev.ssekit.load.cli;

import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.Merge;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sse-loadtest merge DIR… [--report-dir DIR] [--baseline FILE]}: one report from the runs
 * of several injectors (processes or machines) started together against one server with the same
 * options. Reads each DIR's {@code histograms.json}; writes {@code capacity.json}, {@code
 * histograms.json} and {@code capacity.html}. The rules are {@link Merge}'s.
 */
@Command(
    name = "sse-loadtest merge",
    mixinStandardHelpOptions = true,
    versionProvider = LoadMain.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Merges the reports of several injectors that ran against one server at the same time, with",
      "the same options: histograms add, counts sum, open streams add up over time, and every",
      "injector's samples of the server's memory count (they all sampled the same server).",
      "Exit status: 0 nothing lost or duplicated and no regression, 1 events lost or duplicated or",
      "a figure regressed past its tolerance, 2 bad usage, runs that are not of one test, or an error."
    })
final class MergeCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "DIR", description = "report directories of the runs (each with histograms.json)")
  List<Path> dirs;

  @Option(names = "--report-dir", paramLabel = "DIR", description = "where the merged report goes (default: reports/merge-<time>)")
  Path reportDir;

  @Option(names = "--baseline", paramLabel = "FILE", description = "compare with an earlier capacity.json; exit 1 on a regression")
  Path baseline;

  @Option(names = "--tolerance", paramLabel = "NAME=P%[+Nms]", description = "with --baseline: replace a default tolerance; repeatable")
  List<String> tolerances = new ArrayList<>();

  private final PrintWriter out;
  private final PrintWriter err;

  private MergeCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return LoadMain.execute(new MergeCommand(out, err), args, out, err);
  }

  @Override
  public Integer call() {
    RunReports.Baseline base;
    try {
      base = RunReports.Baseline.fromOptions(baseline, tolerances);
    } catch (IllegalArgumentException e) {
      err.println("sse-loadtest merge: " + e.getMessage());
      return LoadMain.USAGE;
    }
    List<RunRecord> runs = new ArrayList<>();
    for (Path d : dirs) {
      Path file = Files.isDirectory(d) ? d.resolve("histograms.json") : d;
      try {
        runs.add(HistogramFile.read(file));
      } catch (NoSuchFileException e) {
        err.println("sse-loadtest merge: " + file + " does not exist (give the report directories of load runs)");
        return LoadMain.USAGE;
      } catch (IOException e) {
        err.println("sse-loadtest merge: " + e.getMessage());
        return LoadMain.USAGE;
      }
    }
    Merge.Result merged;
    try {
      merged = Merge.merge(runs);
    } catch (IllegalArgumentException e) {
      err.println("sse-loadtest merge: cannot merge: " + e.getMessage());
      return LoadMain.USAGE;
    }
    merged.warnings().forEach(w -> err.println("sse-loadtest merge: warning: " + w));
    Path dir = (reportDir != null ? reportDir : Path.of("reports", "merge-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)))).toAbsolutePath();
    out.println("ssekit load: merged " + runs.size() + (runs.size() == 1 ? " run" : " runs") + " (counts summed, histograms"
        + " added, CPU summed over the injectors, heap the largest, server RSS from every injector's samples)");
    List<String> details = new ArrayList<>(Summary.firstEventLines(merged.run()));
    details.addAll(Summary.injectorLines(merged.run()));
    try {
      return RunReports.publish(merged.run(), details, dir, base, out, err);
    } catch (UncheckedIOException e) {
      err.println("sse-loadtest merge: " + e.getMessage());
      return LoadMain.USAGE;
    }
  }
}
