package dev.ssekit.conformance.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.ssekit.conformance.checks.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conformance.html}: self-contained, summary first, problems first, everything escaped. */
class HtmlReportWriterTest {

  static String html(RunReport report) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new HtmlReportWriter().write(report, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void evidenceAndMessagesAreEscapedAndNeverRaw() throws Exception {
    String page = html(Fixtures.mixed());

    assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContainIgnoringCase("<script")
        .doesNotContain("alert(1)</script>");
    assertThat(page).contains("&quot;quoted&quot; &amp; &#39;single&#39; ]]&gt;");
    assertThat(page).contains("http://localhost:8080/events?x=1&amp;y=2").doesNotContain("?x=1&y=2");
  }

  @Test
  void hostileTextCannotOpenTagsOrAttributesAnywhere() throws Exception {
    String attack = "\"><img src=x onerror=alert(1)><script>alert(2)</script>'";
    CheckResult c = new CheckResult("event.hostile", null, null, CheckResult.Status.WARNED, attack, List.of(attack),
        List.of(attack), "javascript:alert(3)", attack, attack, 1);
    RunReport report = new RunReport(RunReport.TOOL_NAME, attack, "http://h/" + attack, "http://h/p" + attack,
        Fixtures.STARTED, 1, List.of(c), List.of(new RunReport.Problem(attack, attack)));
    String page = html(report);

    assertThat(page).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<img")
        .doesNotContain("onerror=alert(1)>").doesNotContain("href=\"javascript");
    assertThat(page).contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;&#39;");

    // The run's record too: options and the browser page come from the command line.
    String withRun = html(report.withRun(new RunReport.Run("quick", false, 3000, false,
        new RunReport.Browser("chromium", "http://h/" + attack, true, 5000), List.of("--header", attack))));
    assertThat(withRun).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<img");
  }

  @Test
  void theHeaderSaysHowTheRunWasMadeAndWhatAQuickRunLeftOut() throws Exception {
    CheckResult leftOut = new CheckResult("comments.heartbeat", "comments", Severity.SHOULD, CheckResult.Status.SKIPPED,
        "runs in the full profile", List.of(), List.of(), null, null, null, 0);
    RunReport quick = Fixtures.report(Fixtures.passed(), leftOut).withRun(new RunReport.Run("quick", false, 3000, false, null,
        List.of("--profile", "quick")));
    String page = html(quick);
    assertThat(page).contains("<title>SSE conformance (quick):")
        .contains("<h1>SSE conformance report <span class=\"profile quick\">quick profile</span></h1>")
        .contains("<p class=\"run\">Profile quick, 3s window. <strong>1 check did not run</strong>: it belongs to a larger"
            + " profile")
        .contains("run --profile standard or full for a complete verdict")
        .contains("<dt>Profile</dt><dd>quick: core checks only")
        .contains("<dt>Strict</dt><dd>no: SHOULD violations warn")
        .contains("<dt>Window</dt><dd>3s (the quick profile&#39;s)")
        .contains("<dt>Browser</dt><dd><span class=\"empty\">not run")
        .contains("<dt>Command line</dt><dd><code>--profile quick</code>");

    String full = html(Fixtures.report(Fixtures.passed()).withRun(new RunReport.Run("full", true, 10_000, true,
        new RunReport.Browser("chromium", "http://h/page", true, 10_000), List.of())));
    assertThat(full).contains("full profile</span>").contains("<p class=\"run\">Profile full, strict, 10s window, browser view"
        + " in chromium.</p>").doesNotContain("did not run").contains("<dt>Window</dt><dd>10s (--window)")
        .contains("<code>http://h/page</code> (--browser-page)");
    assertThat(html(Fixtures.report(Fixtures.passed()))).doesNotContain("<dt>Profile</dt>").doesNotContain("class=\"run\"");
  }

  @Test
  void selfContainedWithNothingToFetch() throws Exception {
    String page = html(Fixtures.mixed());
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<style>").contains("<svg")
        .doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
        .doesNotContainIgnoringCase("@import").doesNotContainIgnoringCase("url(")
        .doesNotContainIgnoringCase("src=").doesNotContainIgnoringCase("@font-face");
    // The only links are the spec links of the checks.
    assertThat(page.split("href=\"", -1)).hasSize(1 + 4);
    assertThat(page).contains("<a href=\"https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream\">");
  }

  @Test
  void summaryFirstThenFailedAndWarnedThenTheRestByCategory() throws Exception {
    String page = html(Fixtures.mixed());

    int summary = page.indexOf("class=\"overview\"");
    int failed = page.indexOf("id=\"check-framing.blank-line-terminates\"");
    int warned = page.indexOf("id=\"check-retry.sane-value\"");
    int passed = page.indexOf("id=\"check-http.status-200\"");
    int skipped = page.indexOf("id=\"check-id.no-nul\"");
    assertThat(summary).isPositive();
    assertThat(summary).isLessThan(failed);
    assertThat(failed).isLessThan(warned);
    assertThat(warned).isLessThan(passed);
    assertThat(passed).as("rest in category order: http before id").isLessThan(skipped);
    assertThat(page.indexOf("id=\"category-http\"")).isLessThan(passed);

    assertThat(page).contains("<li class=\"passed\"><b>1</b>passed</li>", "<li class=\"failed\"><b>1</b>failed</li>",
        "<li class=\"warned\"><b>1</b>warned</li>", "<li class=\"skipped\"><b>1</b>skipped</li>");
    assertThat(page).contains("Failed: 1 check failed");
    assertThat(page).contains("aria-label=\"1 passed, 1 failed, 1 warned, 1 skipped, 0 info\"");
    assertThat(page).contains("2026-03-01 10:15:30 UTC");
  }

  @Test
  void eachCheckShowsIdSeveritySummaryMessageEvidenceNotesAndSpec() throws Exception {
    String page = html(Fixtures.mixed());
    String check = page.substring(page.indexOf("id=\"check-http.status-200\""));
    check = check.substring(0, check.indexOf("</details>"));
    assertThat(check).contains("<code>http.status-200</code>", "<span class=\"sev\">MUST</span>", "Answers 200 OK",
        "<pre>status: &quot;HTTP/1.1 200 OK\\r\\n&quot;</pre>", "<li>headers after 3 ms</li>", "rule H-01",
        "href=\"https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model\"", ">PASS<");
    assertThat(page).contains("<p class=\"message\">no ids seen in the stream</p>");
  }

  @Test
  void advisoriesHaveTheirOwnSectionStyleAndCountAndSeveritiesAreTheDecidingOnes() throws Exception {
    String page = html(Fixtures.signal());
    assertThat(page).contains(".badge.info {", "details.check.info {", "<li class=\"info\"><b>1</b>info</li>",
        "<section id=\"advisories\">", "<h2>Advisories (1)</h2>", "<th>Info</th>", "Passed with 1 warning",
        "1 passed, 0 failed, 1 warned, 0 skipped, 1 info");
    String info = page.substring(page.indexOf("id=\"check-http.h2-offered\""));
    info = info.substring(0, info.indexOf("</details>"));
    assertThat(page).contains("<details class=\"check info\" id=\"check-http.h2-offered\" open>");
    assertThat(info).contains(">INFO<")
        .contains("<p class=\"message\">plain http means HTTP/1.1");
    assertThat(page.indexOf("id=\"advisories\"")).isGreaterThan(page.indexOf("id=\"attention\""))
        .isLessThan(page.indexOf("id=\"by-category\""));
    assertThat(page).contains("<span class=\"sev\">SHOULD (declared MUST)</span>")
        .contains("<p class=\"message\">the witness comparison did not apply: 2 reused ids</p>");
  }

  @Test
  void aCleanRunSaysSo() throws Exception {
    assertThat(html(Fixtures.report(Fixtures.passed(), Fixtures.warned()))).contains("Passed with 1 warning")
        .contains("Failed and warned (1)");
    assertThat(html(Fixtures.report())).contains("No check ran").contains("No check failed or warned.");
  }

  @Test
  void writesConformanceHtmlIntoTheReportDirectory(@TempDir Path dir) throws Exception {
    Path file = new HtmlReportWriter().writeTo(Fixtures.mixed(), dir);
    assertThat(file.getFileName().toString()).isEqualTo("conformance.html");
    assertThat(Files.readString(file)).contains("SSE conformance report");
  }
}
