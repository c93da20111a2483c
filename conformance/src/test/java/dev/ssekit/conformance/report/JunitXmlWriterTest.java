package dev.ssekit.conformance.report;

import dev.ssekit.conformance.checks.Severity;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** {@code junit.xml} is what CI systems read, and it agrees with the exit status. */
class JunitXmlWriterTest {

  static byte[] bytes(RunReport report) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new JunitXmlWriter().write(report, out);
    return out.toByteArray();
  }

  static Document dom(RunReport report) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(bytes(report)));
  }

  static List<Element> elements(Node parent, String name) {
    NodeList nodes = parent instanceof Document d ? d.getElementsByTagName(name) : ((Element) parent).getElementsByTagName(name);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) out.add((Element) nodes.item(i));
    return out;
  }

  static Element testcase(Document doc, String name) {
    return elements(doc, "testcase").stream().filter(e -> e.getAttribute("name").equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no testcase " + name));
  }

  static String systemOut(Element testcase) {
    return elements(testcase, "system-out").get(0).getTextContent();
  }

  @Test
  void theSuiteCountsMatchTheRun() throws Exception {
    Document doc = dom(Fixtures.mixed());
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    Element suite = elements(doc, "testsuite").get(0);
    assertThat(suite.getAttribute("name")).isEqualTo("ssekit conformance");
    assertThat(suite.getAttribute("tests")).isEqualTo("4");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
    assertThat(suite.getAttribute("errors")).isEqualTo("0");
    assertThat(suite.getAttribute("skipped")).isEqualTo("1");
    assertThat(suite.getAttribute("time")).isEqualTo("3.456");
    assertThat(suite.getAttribute("timestamp")).isEqualTo("2026-03-01T10:15:30");
    assertThat(root.getAttribute("failures")).isEqualTo("1");
    assertThat(elements(doc, "property")).extracting(e -> e.getAttribute("name") + "=" + e.getAttribute("value"))
        .contains("target.url=http://localhost:8080/events?x=1&y=2", "tool=ssekit-conformance 1.2.3");
  }

  @Test
  void eachCheckIsATestcaseNamedByIdInItsCategoryClass() throws Exception {
    Document doc = dom(Fixtures.mixed());
    assertThat(elements(doc, "testcase")).extracting(e -> e.getAttribute("classname") + " " + e.getAttribute("name"))
        .containsExactly("ssekit.http http.status-200", "ssekit.framing framing.blank-line-terminates",
            "ssekit.id id.no-nul", "ssekit.retry retry.sane-value");
    assertThat(testcase(doc, "framing.blank-line-terminates").getAttribute("time")).isEqualTo("2.040");
  }

  @Test
  void failuresAppearExactlyForFailedChecksWithMessageAndEvidence() throws Exception {
    Document doc = dom(Fixtures.mixed());
    List<Element> failures = elements(doc, "failure");
    assertThat(failures).hasSize(1);
    Element failure = failures.get(0);
    assertThat(((Element) failure.getParentNode()).getAttribute("name")).isEqualTo("framing.blank-line-terminates");
    assertThat(failure.getAttribute("message")).isEqualTo(Fixtures.failed().message());
    assertThat(failure.getAttribute("type")).isEqualTo("MUST violation");
    assertThat(failure.getTextContent()).isEqualTo(Fixtures.failed().message() + "\n\nEvidence:\n" + Fixtures.HOSTILE
        + "\nidle for 2000 ms after the last byte");
  }

  @Test
  void skippedChecksCarryTheirReason() throws Exception {
    Document doc = dom(Fixtures.mixed());
    List<Element> skipped = elements(doc, "skipped");
    assertThat(skipped).hasSize(1);
    assertThat(((Element) skipped.get(0).getParentNode()).getAttribute("name")).isEqualTo("id.no-nul");
    assertThat(skipped.get(0).getAttribute("message")).isEqualTo("no ids seen in the stream");
  }

  @Test
  void warnedChecksArePassingTestcasesWithTheWarningInTheirOutput() throws Exception {
    Document doc = dom(Fixtures.mixed());
    Element warned = testcase(doc, "retry.sane-value");
    assertThat(elements(warned, "failure")).isEmpty();
    assertThat(elements(warned, "skipped")).isEmpty();
    assertThat(elements(warned, "error")).isEmpty();
    assertThat(systemOut(warned))
        .contains("WARNING: retry: 0 makes clients reconnect in a tight loop\n")
        .contains("WARNING: second warning\n")
        .doesNotContain("[SHOULD")
        .contains("Evidence:\n  retry line: \"retry: 0\\n\"")
        .contains("Spec: https://html.spec.whatwg.org/");

    Element passed = testcase(doc, "http.status-200");
    assertThat(systemOut(passed)).contains("http.status-200 (MUST H-01): Answers 200 OK", "headers after 3 ms");
  }

  @Test
  void anAdvisoryIsAPassingTestcaseWithItInItsOutputAndSeveritiesAreTheDecidingOnes() throws Exception {
    Document doc = dom(Fixtures.signal());
    Element suite = elements(doc, "testsuite").get(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("3");
    assertThat(suite.getAttribute("failures")).isEqualTo("0");
    assertThat(suite.getAttribute("skipped")).isEqualTo("0");
    Element info = testcase(doc, "http.h2-offered");
    assertThat(elements(info, "failure")).isEmpty();
    assertThat(elements(info, "skipped")).isEmpty();
    assertThat(systemOut(info)).contains("INFO: plain http means HTTP/1.1: a browser allows six connections per origin\n")
        .doesNotContain("WARNING");
    assertThat(systemOut(testcase(doc, "reconnect.resume-after-last-event-id")))
        .startsWith("reconnect.resume-after-last-event-id (SHOULD S-01, declared MUST): Resumes after Last-Event-ID\n")
        .contains("WARNING: the witness comparison did not apply: 2 reused ids\n");
  }

  @Test
  void aFailureBelowItsDeclaredSeverityIsTypedByTheDecidingOne() throws Exception {
    CheckResult strictShould = new CheckResult("lifecycle.x", null, Severity.SHOULD, CheckResult.Status.FAILED,
        "still open", List.of(), List.of(), null, null, null, 0, Severity.MUST);
    Element failure = elements(dom(Fixtures.report(strictShould)), "failure").get(0);
    assertThat(failure.getAttribute("type")).isEqualTo("SHOULD violation");
    assertThat(failure.getAttribute("message")).isEqualTo("still open");
  }

  @Test
  void aRunWithOnlyWarningsHasNoFailuresAgreeingWithExitStatusZero() throws Exception {
    for (RunReport report : List.of(Fixtures.report(Fixtures.warned(), Fixtures.passed(), Fixtures.skipped()),
        Fixtures.mixed(), Fixtures.report(), Fixtures.signal())) {
      Document doc = dom(report);
      boolean xmlFails = !elements(doc, "failure").isEmpty()
          || !elements(doc, "testsuite").get(0).getAttribute("failures").equals("0");
      assertThat(xmlFails).isEqualTo(report.anyFailed());
    }
  }

  @Test
  void suiteProblemsAreErrorsNotFailures() throws Exception {
    RunReport report = new RunReport(RunReport.TOOL_NAME, "1", "http://h/", null, Fixtures.STARTED, 10,
        List.of(Fixtures.passed()), List.of(new RunReport.Problem("FramingChecks", "cannot start\nsecond line")));
    Document doc = dom(report);
    Element suite = elements(doc, "testsuite").get(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("2");
    assertThat(suite.getAttribute("errors")).isEqualTo("1");
    assertThat(suite.getAttribute("failures")).isEqualTo("0");
    assertThat(elements(doc, "failure")).isEmpty();
    Element error = elements(doc, "error").get(0);
    assertThat(((Element) error.getParentNode()).getAttribute("classname")).isEqualTo("ssekit.internal");
    assertThat(error.getAttribute("message")).isEqualTo("cannot start");
    assertThat(error.getTextContent()).isEqualTo("cannot start\nsecond line");
  }

  @Test
  void markupIsEscapedAndCharactersXmlCannotHoldAreStripped() throws Exception {
    CheckResult hostile = new CheckResult("data.hostile", null, null, CheckResult.Status.FAILED,
        "a <b>&amp;</b> ]]> \"q\" 'a' nul\0 esc\u001B ff\f lone\uDC00 fffe\uFFFE emoji\uD83D\uDE00 end",
        List.of("<script>alert(1)</script>"), List.of("note ]]> <!-- -->"), null, null, null, 0);
    byte[] xml = bytes(Fixtures.report(hostile));
    String text = new String(xml, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("<script>").doesNotContain("\0").doesNotContain("\u001B");

    Document doc = dom(Fixtures.report(hostile));
    Element failure = elements(doc, "failure").get(0);
    String expected = "a <b>&amp;</b> ]]> \"q\" 'a' nul esc ff lone fffe emoji\uD83D\uDE00 end";
    assertThat(failure.getAttribute("message")).isEqualTo(expected);
    assertThat(failure.getTextContent()).isEqualTo(expected + "\n\nEvidence:\n<script>alert(1)</script>");
    assertThat(systemOut(testcase(doc, "data.hostile"))).contains("note ]]> <!-- -->");
  }
}
