package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ssekit.server.testing.DevToolsPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo page in a real browser (headless Chromium over DevTools) when its resume misses: its
 * last event id left the server's history while it was disconnected, so on reconnecting it gets
 * {@code event: reset} and must clear its panes and say so. Skipped, with the reason, where no
 * Chromium is installed (CI installs it).
 */
class DemoPageResetBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration RECONNECT = Duration.ofSeconds(10);
  private SseServer server;
  private DevToolsPage page;

  @BeforeEach
  void chromiumIsInstalled() {
    Path chromium = DevToolsPage.chromium();
    assumeTrue(Files.isExecutable(chromium), "no Chromium at " + chromium
        + ": install Debian's chromium (apt-get install chromium; .ci/run does) or name one with -Dssekit.chromium=PATH");
  }

  @AfterEach
  void stop() {
    if (page != null) page.close();
    if (server != null) server.close();
  }

  private JsonNode eval(String js) {
    try {
      return page.eval(js);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private String text(String id) {
    return eval("document.getElementById('" + id + "').textContent").asText();
  }

  private void publishNotification(int port, String data) throws IOException {
    assertThat(publish(port, null, "{\"event\":\"notification\",\"data\":\"" + data + "\"}").status()).isEqualTo(202);
  }

  @Test
  void aResumeMissClearsThePanesAndSaysSo() throws Exception {
    // Three events of history; a 10 s reconnection time (the server's retry: hint) leaves ample room
    // to publish while the page is away, even on a slow machine.
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).history(3).retry(RECONNECT).build());
    int port = server.port();
    page = DevToolsPage.open(DevToolsPage.chromium(), "http://127.0.0.1:" + port + "/");
    DevToolsPage.await("the demo page's stream is open", WAIT,
        () -> eval("window.ssekitDemo ? window.ssekitDemo.stats().opened : 0").asInt() >= 1);

    publishNotification(port, "seen before the gap");
    DevToolsPage.await("the page shows the notification", WAIT, () -> text("notifications").contains("seen before the gap"));
    String lastId = text("last-id");
    assertThat(lastId).matches("\\d+");
    assertThat(text("reset-notice")).isEmpty();

    // Drop the page's stream; once the server has ended it (nothing published from here on can reach
    // the page), push its last id out of the history. The page reconnects RECONNECT after it notices
    // the end, so this does not race it; waiting for the page itself is not needed.
    assertThat(ServerTestSupport.post(port, "/admin/disconnect", new byte[0]).status()).isEqualTo(202);
    DevToolsPage.await("the server ended the page's stream", WAIT, () -> server.openStreams() == 0);
    for (int i = 1; i <= 4; i++) publishNotification(port, "missed " + i);
    assertThat(eval("window.ssekitDemo.stats().reconnects").asInt()).as("the page has not reconnected yet").isZero();

    // It reconnects with Last-Event-ID = lastId, which has expired: event: reset, then live.
    DevToolsPage.await("the page handled a reset", WAIT, () -> eval("window.ssekitDemo.resets()").asInt() >= 1);
    assertThat(text("reset-notice")).contains("history lost").contains("it left the server's history");
    assertThat(text("notifications")).as("the panes were cleared").doesNotContain("seen before the gap");
    JsonNode reset = eval("window.ssekitDemo.received.filter(e => e.type === 'reset').map(e => JSON.parse(e.data))[0]");
    assertThat(reset.path("lastEventId").asText()).isEqualTo(lastId);
    assertThat(reset.path("reason").asText()).isEqualTo("expired");
    assertThat(eval("window.ssekitDemo.stats().reconnects").asInt()).isEqualTo(1);

    // The stream goes on from there: a new event reaches the cleared pane.
    publishNotification(port, "after the reset");
    DevToolsPage.await("the page shows the next notification", WAIT, () -> text("notifications").contains("after the reset"));
    assertThat(text("notifications")).doesNotContain("seen before the gap");
  }
}
