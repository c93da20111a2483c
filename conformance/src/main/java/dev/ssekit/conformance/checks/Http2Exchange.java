package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.config.Target;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One HTTP/2 attempt for the {@code http.h2-*} checks, made with the JDK's HTTP client: the
 * response, or the client's refusal of a malformed one. Anything else that keeps the exchange from
 * being judged (no TLS, no connection, no head in time) ends the check as not applicable.
 *
 * @param response the response (null when refused)
 * @param refused why the client refused the exchange after TLS (null when it answered)
 */
record Http2Exchange(HttpResponse<InputStream> response, IOException refused) {

  /** One JDK client per trust mode for the whole run (JDK 17's HttpClient cannot be closed). */
  private static final ConcurrentHashMap<Boolean, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  /** GETs the target's stream over HTTP/2 with the target's headers; not applicable when it cannot be judged. */
  static Http2Exchange attempt(Target target, Findings f) throws InterruptedException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(target.url()).timeout(Duration.ofSeconds(10))
        .header("Accept", "text/event-stream").header("Cache-Control", "no-cache");
    for (Target.Header h : target.headers()) rb.header(h.name(), h.value());
    try {
      return new Http2Exchange(client(target.insecure()).send(rb.GET().build(), HttpResponse.BodyHandlers.ofInputStream()),
          null);
    } catch (javax.net.ssl.SSLException | java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
      f.notApplicable("HTTP/2 could not be tried (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "); with --insecure the JDK's HTTP/2 client still checks the host name");
      return null;
    } catch (java.net.http.HttpTimeoutException e) {
      f.notApplicable("no HTTP/2 response head within 10 s (http.headers-promptly judges a slow head)");
      return null;
    } catch (IOException e) {
      if (malformed(e)) return new Http2Exchange(null, e);
      f.notApplicable("the HTTP/2 exchange failed before a response could be judged ("
          + Findings.escape(e.getClass().getSimpleName() + ": " + e.getMessage()) + ")");
      return null;
    }
  }

  /**
   * Whether the JDK's HTTP/2 client refused the response itself as malformed (its header
   * validation), as opposed to a reset, an early end or a GOAWAY, which say nothing about H-08.
   */
  static boolean malformed(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ProtocolException) return true;
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (m.contains("malformed") || m.contains("bad header") || m.contains("invalid header")) return true;
    }
    return false;
  }

  private static HttpClient client(boolean insecure) {
    return CLIENTS.computeIfAbsent(insecure, trustAll -> {
      HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
          .connectTimeout(Duration.ofSeconds(10));
      if (trustAll) {
        try {
          b.sslContext(org.apache.hc.core5.ssl.SSLContexts.custom()
              .loadTrustMaterial(org.apache.hc.client5.http.ssl.TrustAllStrategy.INSTANCE).build());
        } catch (java.security.GeneralSecurityException e) {
          throw new IllegalStateException("cannot build a trust-all TLS context", e);
        }
      }
      return b.build();
    });
  }
}
