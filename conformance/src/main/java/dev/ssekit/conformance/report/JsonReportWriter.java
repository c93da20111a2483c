package dev.ssekit.conformance.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes {@code conformance.json} in the schema docs/conformance.md shows:
 *
 * <pre>
 * { "tool": {"name", "version"}, "target": {"url", "publishUrl"},
 *   "run": {"profile", "strict", "window", "windowMs", "windowFrom": "--window|profile",
 *           "browser": null | {"engine", "page", "pageFrom": "--browser-page|origin root", "window"},
 *           "options": [the command line, header values replaced by "…"]},
 *   "startedAt", "durationMs",
 *   "summary": {"passed", "failed", "warned", "skipped", "info"},
 *   "checks": [ {"id", "category", "severity", "declaredSeverity", "status", "message", "evidence",
 *                "spec", "summary", "rule", "notes", "durationMs"} ] }
 * </pre>
 *
 * {@code startedAt} is an ISO-8601 instant; {@code status} is lower-case ({@code passed},
 * {@code failed}, {@code warned}, {@code skipped} or {@code info}: an advisory that is neither a
 * warning nor a failure). {@code severity} is the severity the status was decided at (the
 * deciding violation's, which can be below the check's own), {@code declaredSeverity} the check's
 * own; {@code message} carries no {@code [SEVERITY id]} prefix. {@code message},
 * {@code evidence} (the entries joined with {@code "\n"}), {@code severity}, {@code declaredSeverity}, {@code spec} and
 * {@code publishUrl} are null when absent. Each check also carries {@code summary}, {@code rule},
 * {@code notes} (an array) and {@code durationMs}. When the suite itself failed somewhere outside
 * a check, a top-level {@code "errors": [{"source", "message"}]} says where; it is absent
 * otherwise. {@code run} is null when the report was made without a record of the run (library use).
 */
public final class JsonReportWriter implements ReportWriter {

  /** The report's file name. */
  public static final String FILE_NAME = "conformance.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A writer; it holds no state. */
  public JsonReportWriter() {}

  @Override
  public String fileName() {
    return FILE_NAME;
  }

  @Override
  public void write(RunReport report, OutputStream out) throws IOException {
    JsonGenerator gen = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
    gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    gen.useDefaultPrettyPrinter();
    MAPPER.writeTree(gen, toJson(report));
    gen.close();
    out.write('\n');
    out.flush();
  }

  /** The report as a JSON tree, in the order the file shows it. */
  ObjectNode toJson(RunReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode tool = root.putObject("tool");
    tool.put("name", Text.clean(report.toolName()));
    tool.put("version", Text.clean(report.toolVersion()));
    ObjectNode target = root.putObject("target");
    target.put("url", Text.clean(report.url()));
    target.put("publishUrl", Text.clean(report.publishUrl()));
    if (report.run() == null) root.putNull("run");
    else run(root.putObject("run"), report.run());
    root.put("startedAt", report.startedAt() == null ? null : report.startedAt().toString());
    root.put("durationMs", report.durationMs());
    RunReport.Summary s = report.summary();
    ObjectNode summary = root.putObject("summary");
    summary.put("passed", s.passed());
    summary.put("failed", s.failed());
    summary.put("warned", s.warned());
    summary.put("skipped", s.skipped());
    summary.put("info", s.info());
    ArrayNode checks = root.putArray("checks");
    for (CheckResult c : report.checks()) check(checks.addObject(), c);
    if (!report.problems().isEmpty()) {
      ArrayNode errors = root.putArray("errors");
      for (RunReport.Problem p : report.problems()) {
        errors.addObject().put("source", Text.clean(p.source())).put("message", Text.clean(p.message()));
      }
    }
    return root;
  }

  /** How the run was made: profile, strictness, window, browser view, the options given. */
  private static void run(ObjectNode r, RunReport.Run run) {
    r.put("profile", run.profile());
    r.put("strict", run.strict());
    r.put("window", run.window());
    r.put("windowMs", run.windowMs());
    r.put("windowFrom", run.windowGiven() ? "--window" : "profile");
    if (run.browser() == null) {
      r.putNull("browser");
    } else {
      ObjectNode b = r.putObject("browser");
      b.put("engine", run.browser().engine());
      b.put("page", Text.clean(run.browser().page()));
      b.put("pageFrom", run.browser().pageGiven() ? "--browser-page" : "origin root");
      b.put("window", RunReport.Run.duration(run.browser().windowMs()));
    }
    ArrayNode options = r.putArray("options");
    for (String o : run.options()) options.add(Text.clean(o));
  }

  private static void check(ObjectNode o, CheckResult c) {
    o.put("id", Text.clean(c.id()));
    o.put("category", Text.clean(c.category()));
    o.put("severity", c.severity() == null ? null : c.severity().name());
    o.put("declaredSeverity", c.declaredSeverity() == null ? null : c.declaredSeverity().name());
    o.put("status", c.status().label());
    o.put("message", Text.clean(c.message()));
    o.put("evidence", Text.clean(c.evidenceText()));
    o.put("spec", Text.clean(c.spec()));
    o.put("summary", Text.clean(c.summary()));
    o.put("rule", Text.clean(c.rule()));
    ArrayNode notes = o.putArray("notes");
    for (String n : c.notes()) notes.add(Text.clean(n));
    o.put("durationMs", c.durationMs());
  }
}
