package dev.ssekit.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /}: one self-contained page (no external scripts, styles or fonts; works offline)
 * showing the classic SSE uses side by side on the default topic, each with its own event type:
 * a clock from the ticks, notifications, a log tail, a progress bar and a multi-line JSON article,
 * a connection-state indicator with the last event id and a count of ticks missed (zero after a
 * reconnect, because the stream resumes by id), and a form that publishes through the publish
 * contract. Read once from the jar.
 */
final class DemoPage {

  static final String HTML = load();

  private DemoPage() {}

  private static String load() {
    try (InputStream in = DemoPage.class.getResourceAsStream("demo.html")) {
      if (in == null) throw new IllegalStateException("demo.html is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
