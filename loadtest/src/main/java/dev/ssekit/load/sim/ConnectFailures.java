package dev.ssekit.load.sim;

import dev.ssekit.load.measure.Sizes;
import dev.ssekit.load.report.CapacityReport;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import javax.net.ssl.SSLException;

/**
 * What a failed SSE request is counted as: which {@link CapacityReport.Failure} kind and what
 * message, from the error Gatling's client reported (a bound passed, a head or trailers past
 * Netty's bound, a TLS failure, anything else before the head) or from an answer that is not a
 * stream. {@link GuardedListener} records what this names in {@link Failures}.
 */
final class ConnectFailures {
  private ConnectFailures() {}

  /** A failure's kind and message. */
  record Named(String kind, String message) {}

  /**
   * The failure a request's error counts as, or null when it is not the server's: this client
   * closed the stream itself (the run's end, a drop), or the stream failed after its head (a close
   * Gatling reconnects from).
   *
   * @param headSeen whether the response head had arrived
   * @param closedByClient whether this client had asked to close the connection
   * @param maxHead the head (and trailers) bound, for the message
   */
  static Named name(Throwable e, boolean headSeen, boolean closedByClient, long maxHead) {
    if (e instanceof LimitExceeded l) {
      return new Named(l.kind, l.getMessage());
    }
    if (tooLong(e) != null) {
      return new Named(headSeen ? CapacityReport.Failure.TRAILERS_TOO_LARGE : CapacityReport.Failure.HEAD_TOO_LARGE,
          (headSeen ? "response trailers over " : "response head over ") + Sizes.describe(maxHead));
    }
    if (closedByClient || headSeen) {
      return null;
    }
    String tls = tls(e);
    return tls != null ? new Named(CapacityReport.Failure.TLS, tlsMessage(tls))
        : new Named(CapacityReport.Failure.CONNECT_ERROR, rootMessage(e));
  }

  /** Why an answer is not an SSE stream (Gatling's SSE listener's own test), or null when it is one. */
  static String notAStream(HttpResponseStatus status, HttpHeaders headers) {
    if (status.code() != 200) {
      return "status " + status + " (not 200)";
    }
    String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
      return "Content-Type " + (type == null ? "missing" : type) + " (not text/event-stream)";
    }
    return null;
  }

  /** Netty's head or trailer bound in {@code e}'s causes, or null. */
  static Throwable tooLong(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TooLongHttpHeaderException || t instanceof TooLongHttpLineException) {
        return t;
      }
    }
    return null;
  }

  /** The message of the TLS error in {@code e}'s causes, or null when it is not one. */
  private static String tls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
        return rootMessage(t);
      }
    }
    return null;
  }

  /** What a TLS failure means for the user, with the JDK's words after it. */
  private static String tlsMessage(String jdk) {
    if (jdk.contains("certification path") || jdk.contains("PKIX")) {
      return "TLS: the server's certificate is not trusted (" + jdk + "); trust it with -Djavax.net.ssl.trustStore=FILE"
          + " or accept any certificate with --insecure";
    }
    if (jdk.contains("subject alternative") || jdk.contains("No name matching")) {
      return "TLS: the server's certificate does not name this host (" + jdk + "); --insecure accepts it";
    }
    return "TLS handshake failed: " + jdk;
  }

  /** The message of {@code e}'s root cause (its class name when it has none), cut at 300 characters. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.length() > 300 ? m.substring(0, 300) + "…" : m;
  }
}
