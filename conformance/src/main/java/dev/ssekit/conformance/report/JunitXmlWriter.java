package dev.ssekit.conformance.report;

import dev.ssekit.conformance.report.CheckResult.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes {@code junit.xml} in the Ant/Surefire format that Jenkins, GitLab, GitHub Actions
 * reporters and most CI systems read: one {@code <testsuite name="ssekit conformance">} with a
 * {@code <testcase classname="ssekit.CATEGORY" name="CHECK-ID">} per check.
 *
 * <p>It agrees with the exit status: a {@code <failure>} appears exactly for the checks that
 * failed, so a CI system sees failures exactly when the run exits 1. A warned check is a passing
 * test case whose warning is in its {@code <system-out>} ({@code WARNING: ...}), and so is a check
 * that ended with an advisory ({@code INFO: ...}); a skipped check carries
 * {@code <skipped message="reason"/>}. Failures of the suite itself (a check class that could not
 * start) are {@code <error>} test cases under {@code classname="ssekit.internal"}, matching the
 * internal-error exit status 2. Each test case's output starts with the id, the severity its
 * status was decided at (and the declared one when they differ) and the rule. Characters XML 1.0
 * cannot hold are removed.
 */
public final class JunitXmlWriter implements ReportWriter {

  /** The report's file name. */
  public static final String FILE_NAME = "junit.xml";

  /** The test suite's name. */
  public static final String SUITE_NAME = "ssekit conformance";

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);

  /** A writer; it holds no state. */
  public JunitXmlWriter() {}

  @Override
  public String fileName() {
    return FILE_NAME;
  }

  @Override
  public void write(RunReport report, OutputStream out) throws IOException {
    try {
      XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      write(report, xml);
      xml.flush();
      xml.close(); // closes the writer only, never the stream under it
      out.flush();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write " + FILE_NAME + ": " + e.getMessage(), e);
    }
  }

  private static void write(RunReport report, XMLStreamWriter xml) throws XMLStreamException {
    RunReport.Summary s = report.summary();
    int tests = s.total() + report.problems().size();
    String time = seconds(report.durationMs());

    xml.writeStartDocument("UTF-8", "1.0");
    xml.writeCharacters("\n");
    xml.writeStartElement("testsuites");
    counts(xml, tests, s, report.problems().size(), time);
    xml.writeCharacters("\n  ");
    xml.writeStartElement("testsuite");
    counts(xml, tests, s, report.problems().size(), time);
    if (report.startedAt() != null) {
      xml.writeAttribute("timestamp",
          TIMESTAMP.format(report.startedAt().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)));
    }

    xml.writeCharacters("\n    ");
    xml.writeStartElement("properties");
    property(xml, "tool", report.toolName() + " " + report.toolVersion());
    property(xml, "target.url", report.url());
    if (report.publishUrl() != null) property(xml, "target.publishUrl", report.publishUrl());
    RunReport.Run run = report.run();
    if (run != null) {
      property(xml, "run.profile", run.profile());
      property(xml, "run.strict", Boolean.toString(run.strict()));
      property(xml, "run.window", run.window());
      if (run.browser() != null) {
        property(xml, "run.browser", run.browser().engine());
        property(xml, "run.browser.page", run.browser().page());
      }
      property(xml, "run.options", String.join(" ", run.options()));
    }
    xml.writeCharacters("\n    ");
    xml.writeEndElement();

    for (CheckResult c : report.checks()) testcase(xml, c);
    for (RunReport.Problem p : report.problems()) {
      xml.writeCharacters("\n    ");
      xml.writeStartElement("testcase");
      xml.writeAttribute("classname", "ssekit.internal");
      xml.writeAttribute("name", Text.xml(p.source()));
      xml.writeAttribute("time", "0.000");
      xml.writeCharacters("\n      ");
      xml.writeStartElement("error");
      xml.writeAttribute("message", Text.xml(Text.firstLine(p.message())));
      xml.writeAttribute("type", "internal error");
      xml.writeCharacters(Text.xml(p.message()));
      xml.writeEndElement();
      xml.writeCharacters("\n    ");
      xml.writeEndElement();
    }

    xml.writeCharacters("\n  ");
    xml.writeEndElement();
    xml.writeCharacters("\n");
    xml.writeEndElement();
    xml.writeCharacters("\n");
    xml.writeEndDocument();
  }

  private static void counts(XMLStreamWriter xml, int tests, RunReport.Summary s, int errors, String time)
      throws XMLStreamException {
    xml.writeAttribute("name", SUITE_NAME);
    xml.writeAttribute("tests", Integer.toString(tests));
    // Warned and info checks passed: they are not failures unless --strict turned warnings into failures.
    xml.writeAttribute("failures", Integer.toString(s.failed()));
    xml.writeAttribute("errors", Integer.toString(errors));
    xml.writeAttribute("skipped", Integer.toString(s.skipped()));
    xml.writeAttribute("time", time);
  }

  private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
    xml.writeCharacters("\n      ");
    xml.writeEmptyElement("property");
    xml.writeAttribute("name", name);
    xml.writeAttribute("value", Text.xml(value));
  }

  private static void testcase(XMLStreamWriter xml, CheckResult c) throws XMLStreamException {
    xml.writeCharacters("\n    ");
    xml.writeStartElement("testcase");
    xml.writeAttribute("classname", "ssekit." + Text.xml(c.category()));
    xml.writeAttribute("name", Text.xml(c.id()));
    xml.writeAttribute("time", seconds(c.durationMs()));

    StringBuilder out = new StringBuilder();
    String declared = c.declaredSeverity() == null || c.declaredSeverity() == c.severity() ? ""
        : ", declared " + c.declaredSeverity();
    line(out, c.id() + (c.severity() == null ? "" : " (" + c.severity() + (c.rule().equals("-") ? "" : " " + c.rule())
        + declared + ")") + (c.summary() == null ? "" : ": " + c.summary()));
    if (c.spec() != null) line(out, "Spec: " + c.spec());
    if (c.status() == Status.FAILED) {
      xml.writeCharacters("\n      ");
      xml.writeStartElement("failure");
      xml.writeAttribute("message", Text.xml(Text.firstLine(c.message())));
      xml.writeAttribute("type", c.severity() == null ? "failure" : c.severity() + " violation");
      StringBuilder body = new StringBuilder(c.message() == null ? "failed" : c.message());
      if (!c.evidence().isEmpty()) body.append("\n\nEvidence:\n").append(c.evidenceText());
      xml.writeCharacters(Text.xml(body.toString()));
      xml.writeEndElement();
    } else {
      if (c.status() == Status.SKIPPED) {
        xml.writeCharacters("\n      ");
        xml.writeEmptyElement("skipped");
        xml.writeAttribute("message", Text.xml(Text.firstLine(c.message())));
        if (c.message() != null) line(out, "Skipped: " + c.message());
      }
      if (c.status() == Status.WARNED && c.message() != null) {
        for (String w : c.message().split("\n", -1)) line(out, "WARNING: " + w);
      }
      if (c.status() == Status.INFO && c.message() != null) {
        for (String i : c.message().split("\n", -1)) line(out, "INFO: " + i);
      }
      if (!c.evidence().isEmpty()) {
        line(out, "Evidence:");
        for (String e : c.evidence()) line(out, "  " + e);
      }
    }
    if (!c.notes().isEmpty()) {
      line(out, "Notes:");
      for (String n : c.notes()) line(out, "  " + n);
    }
    xml.writeCharacters("\n      ");
    xml.writeStartElement("system-out");
    xml.writeCharacters(Text.xml(out.toString()));
    xml.writeEndElement();
    xml.writeCharacters("\n    ");
    xml.writeEndElement();
  }

  private static void line(StringBuilder sb, String text) {
    sb.append(text).append('\n');
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
  }
}
