package dev.ssekit.conformance.record;

import dev.ssekit.conformance.config.Target;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;

/**
 * The request headers of a recording, as a browser's {@code EventSource} sends them: Chromium's
 * defaults, the target's {@code --header} values (to the stream's own origin only), a request's
 * extra headers, and its {@code Last-Event-ID}. Used by {@link Recorder} for every request it sends.
 */
final class BrowserHeaders {

  /** Chromium's request headers for an EventSource (fetch with cache mode no-store). */
  static final Map<String, String> DEFAULTS = Map.of(
      "Accept", "text/event-stream",
      "Cache-Control", "no-cache",
      "Pragma", "no-cache",
      "Accept-Encoding", "gzip, deflate, br, zstd",
      "User-Agent", "ssekit-conformance (EventSource-like; +https://github.com/ssekit)");

  private BrowserHeaders() {}

  /**
   * Sets the headers of {@code request} on {@code http}: the defaults it does not set itself, the
   * target's headers when it goes to the target's origin, the extra headers (an empty value removes
   * that header), then the Last-Event-ID.
   */
  static void apply(HttpUriRequestBase http, Recorder.Request request, Target target) {
    DEFAULTS.forEach((k, v) -> { if (!http.containsHeader(k)) http.setHeader(k, v); });
    // The stream's --header values (often credentials) go to the stream's own origin only, as a
    // browser's would: not to a metrics or publish URL elsewhere.
    if (sameOrigin(request.url(), target.url())) {
      for (Target.Header h : target.headers()) http.setHeader(h.name(), h.value());
    }
    request.extraHeaders().forEach((k, v) -> {
      if (v.isEmpty()) http.removeHeaders(k);
      else http.setHeader(k, v);
    });
    if (request.lastEventId() != null) {
      // The header value is the id's UTF-8 bytes (WHATWG §9.2.4); HTTP carries them as ISO-8859-1 octets.
      http.setHeader("Last-Event-ID",
          new String(request.lastEventId().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }
  }

  /** Same scheme, host and port (default ports filled in). */
  static boolean sameOrigin(URI a, URI b) {
    if (a == null || b == null || a.getScheme() == null || b.getScheme() == null || a.getHost() == null) return false;
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }
}
