package dev.ssekit.conformance.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.report.CheckResult;
import dev.ssekit.protocol.Engine;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The browser view's judgement without a browser: a page that never opened is Firefox's modelled
 * wait for the first body byte only while the server holds an empty stream open and the page saw
 * no error; otherwise it is a difference.
 */
class BrowserJudgementTest {

  static BrowserView.Result judge(Engine engine, Recording.End end, boolean pageSawError) {
    String log = "{\"k\":\"state\",\"rs\":0,\"t\":1001}"
        + (pageSawError ? ",{\"k\":\"error\",\"conn\":0,\"rs\":0,\"t\":1500}" : "");
    PageReading page = PageReading.parse("{\"started\":1000,\"log\":[" + log + "],\"listened\":{\"message\":1001}}");
    Recording rec = new Recording(URI.create("http://x/s"), URI.create("http://x/s"), 200, "HTTP/1.1",
        List.of(new Recording.Header("Content-Type", "text/event-stream")), Duration.ofMillis(5), List.of(), List.of(),
        end, null, null, Duration.ofMillis(5000), true);
    Parity.OracleConn first = new Parity.OracleConn(rec, List.of(), 600);
    BrowserJudgement.Observation seen = new BrowserJudgement.Observation(engine, page, List.of(), "http://x/", first,
        null, 6000);
    List<String> notes = new ArrayList<>(List.of("browser: " + engine.title() + " 1 (headless), page http://x/"));
    return BrowserJudgement.judge(seen, new ArrayList<>(), notes, 0);
  }

  @Test
  void firefoxWaitingForTheFirstByteOfAHeldEmptyStreamIsModelled() {
    BrowserView.Result r = judge(Engine.FIREFOX, Recording.End.WINDOW, false);
    assertThat(r.check().status()).isEqualTo(CheckResult.Status.PASSED);
    assertThat(String.join("\n", r.check().notes())).contains("fires open only when the first body byte arrives");
  }

  @Test
  void aPageThatNeverOpenedIsADifferenceOtherwise() {
    // An error on the page (a refused or failed request), an empty body the server ended, or Chromium.
    for (BrowserView.Result r : List.of(judge(Engine.FIREFOX, Recording.End.WINDOW, true),
        judge(Engine.FIREFOX, Recording.End.EOF, false), judge(Engine.CHROMIUM, Recording.End.WINDOW, false))) {
      assertThat(r.check().status()).as(r.check().toString()).isEqualTo(CheckResult.Status.FAILED);
      assertThat(r.check().message()).contains("the browser never opened the stream");
    }
  }
}
