package dev.ssekit.conformance.junit;

import dev.ssekit.conformance.checks.Findings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Makes the checks' warnings visible in a user's own JUnit Platform build (Surefire, Gradle, an
 * IDE). A warning (a SHOULD or MAY the server does not meet) passes its test, and build tools
 * ignore the report entries that carry it; so each is also printed as a line of the test's output
 * while the test runs — Surefire shows it on the console and keeps it in the test case's
 * {@code system-out} in its XML — and all of them are listed again when the run ends.
 *
 * <p>Registered through {@code META-INF/services}, so any launcher with ssekit on its class path
 * loads it. It prints nothing when the configuration parameter {@value #PRINT} is {@code false}
 * (the CLI sets it: it reports warnings itself) and nothing for a run without warnings.
 */
public final class WarningLog implements TestExecutionListener {

  /** Configuration parameter: {@code false} turns the lines and the summary off. */
  public static final String PRINT = "ssekit.printWarnings";

  private final PrintStream out;
  private volatile boolean enabled = true;
  private final Map<String, String> checkIds = new ConcurrentHashMap<>();
  private final List<String> warnings = new ArrayList<>();

  /** The instance the service loader makes: prints to {@code System.out} as it is at each line. */
  public WarningLog() {
    this(null);
  }

  WarningLog(PrintStream out) {
    this.out = out;
  }

  private PrintStream out() {
    return out != null ? out : System.out; // Surefire swaps System.out to capture each test's output
  }

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    enabled = testPlan.getConfigurationParameters().getBoolean(PRINT).orElse(true);
    checkIds.clear();
    synchronized (warnings) {
      warnings.clear();
    }
  }

  @Override
  public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
    if (!enabled) return;
    Map<String, String> kv = entry.getKeyValuePairs();
    String id = kv.get(Findings.KEY_ID);
    if (id != null) checkIds.put(test.getUniqueId(), id);
    String warning = kv.get(Findings.KEY_WARNING);
    if (warning == null) return;
    String check = checkIds.getOrDefault(test.getUniqueId(), test.getDisplayName());
    String text = warning.strip();
    synchronized (warnings) {
      warnings.add(check + ": " + firstLine(text));
    }
    PrintStream o = out();
    o.println("[WARNING] ssekit " + check + ": " + text.replace("\n", "\n[WARNING]   "));
    o.flush();
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    if (!enabled) return;
    List<String> all;
    synchronized (warnings) {
      all = List.copyOf(warnings);
    }
    if (all.isEmpty()) return;
    PrintStream o = out();
    o.println("[WARNING] ssekit: " + all.size() + (all.size() == 1 ? " warning" : " warnings")
        + " (a SHOULD or MAY the server does not meet: the check passes; ssekit.strict=true fails a SHOULD):");
    for (String w : all) o.println("[WARNING]   " + w);
    o.flush();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl).strip() + " …";
  }
}
