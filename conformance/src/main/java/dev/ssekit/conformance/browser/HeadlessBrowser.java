package dev.ssekit.conformance.browser;

import dev.ssekit.protocol.Engine;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A headless browser of one engine that the browser view and the parity tests drive: load a page,
 * run script in it, read what it logged. Script follows WebDriver's conventions: the body sees its
 * arguments as {@code arguments}, and returns strings, numbers (integers as {@link Long}), booleans,
 * lists, maps or null; an asynchronous body's last argument is the callback that ends it.
 * {@link #close()} ends the browser and every process it started, and deletes its fresh profile.
 */
public interface HeadlessBrowser extends AutoCloseable {

  /** The browser is not installed (the message names the install command). */
  final class Unavailable extends Exception {
    public Unavailable(String message) {
      super(message);
    }
  }

  /** Time allowed to load a page. */
  Duration PAGE_LOAD = Duration.ofSeconds(10);

  /** Whose EventSource this is. */
  Engine engine();

  /** The browser's version, such as "140.12.0", or "?" when it does not say. */
  String version();

  /** Loads {@code url} and waits until it has loaded (at most {@link #PAGE_LOAD}). */
  void load(URI url) throws IOException;

  /** The URL the page is at now (after redirects). */
  String currentUrl() throws IOException;

  /** Runs {@code body} in the page with {@code args} and returns its result (at most 10 s). */
  Object script(String body, Object... args) throws IOException;

  /**
   * Runs {@code body} in the page with {@code args} and a callback as its last argument, and returns
   * what it passes the callback; at most {@code timeout}.
   */
  Object asyncScript(String body, Duration timeout, Object... args) throws IOException;

  /**
   * Lines the browser logged about refusing a request to {@code stream} (Content-Security-Policy,
   * CORS, mixed content, a refused response), at most 5; empty when the log cannot be read.
   */
  List<String> refusals(URI stream);

  /** Everything the page and the browser logged to the console since the browser started. */
  List<String> console();

  @Override
  void close();

  /** Starts a headless browser of {@code engine} for a stream at {@code stream} read from a page at {@code page}. */
  static HeadlessBrowser start(Engine engine, URI stream, URI page, boolean insecure) throws Unavailable, IOException {
    return switch (engine) {
      case CHROMIUM -> ChromiumBrowser.start(stream, page, insecure);
      case FIREFOX -> FirefoxBrowser.start(stream, page, insecure);
      case SPEC -> throw new IllegalArgumentException("the standard is not a browser");
    };
  }

  /** Throws {@link Unavailable} with the install command when {@code engine}'s browser is missing. */
  static void requireInstalled(Engine engine) throws Unavailable {
    switch (engine) {
      case CHROMIUM -> ChromiumBrowser.requireInstalled();
      case FIREFOX -> FirefoxBrowser.requireInstalled();
      case SPEC -> throw new IllegalArgumentException("the standard is not a browser");
    }
  }

  /**
   * Deletes a browser's temporary profile directory. The browser may still be writing to it while
   * it exits, so whatever cannot be deleted is left: a leftover temp dir is harmless.
   */
  static void deleteProfile(java.nio.file.Path dir) {
    if (!java.nio.file.Files.exists(dir)) return;
    try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // still being written: left behind
    }
  }

  /** The first line of {@code s} ("" for null). */
  static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
