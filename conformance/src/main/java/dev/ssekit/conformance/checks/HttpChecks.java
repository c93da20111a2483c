package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.DispatchedEvent;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpOptions;
import org.junit.jupiter.api.extension.ExtendWith;

/** The response as HTTP: status, content type, caching, framing, compression, CORS, protocol. */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class HttpChecks {

  @SseCheck(id = "http.status-200", severity = Severity.MUST, rule = "H-01", spec = Spec.PROCESSING,
      summary = "The stream is answered with 200 (after redirects)")
  void status200(Target target, PassiveStream stream, Findings f) {
    Recording r = stream.recording();
    if (!r.responded()) {
      f.evidence("connection: " + r.end() + " after " + r.duration().toMillis() + " ms");
      boolean silent = r.end() == Recording.End.NO_RESPONSE;
      f.violation("no response from " + r.url() + ": " + Describe.noResponse(r) + (silent && target.publishUrl() == null ? ". Some servers send the response head only with their first event (Spring MVC's "
          + "SseEmitter on Tomcat, a held head behind a buffering proxy): give --publish-url so the suite can publish "
          + "one, or send a comment as soon as the stream is accepted" : ""));
    }
    f.evidence("status " + r.status() + " from " + r.finalUrl());
    if (r.status() == 200) return;
    String consequence;
    if (r.status() == 204) {
      consequence = "204 tells a browser to stop reconnecting: the EventSource closes for good";
    } else if (r.status() / 100 == 3) {
      consequence = "the redirect could not be followed (missing Location or a loop): the EventSource fails";
    } else {
      consequence = "any status but 200 makes a browser fail the connection for good: no retry, ever";
    }
    f.evidence("body", r.body());
    f.violation("status " + r.status() + ": " + consequence);
  }

  @SseCheck(id = "http.content-type", severity = Severity.MUST, rule = "H-02", spec = Spec.PROCESSING,
      summary = "Content-Type is text/event-stream (parameters allowed)")
  void contentType(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    String type = r.header("Content-Type");
    f.evidence("Content-Type: " + type);
    if (r.status() != 200) f.notApplicable("the status is " + r.status() + ", not a stream (http.status-200 reports it)");
    // The descriptions are the messages (the comparison goes to the evidence): they name what was seen.
    f.assertThat(type).as("the stream has no Content-Type: without one a browser fails the connection for good")
        .isNotNull();
    f.assertThat(essence(type)).as("Content-Type is %s, not text/event-stream: a browser fails the connection for"
        + " good", Findings.escape(type)).isEqualTo("text/event-stream");
  }

  static String essence(String contentType) {
    return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  @SseCheck(id = "http.charset-utf-8", severity = Severity.MUST, rule = "F-01", spec = Spec.PARSING,
      summary = "No charset other than utf-8 is announced (Chromium refuses the stream otherwise)")
  void charset(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    String type = r.header("Content-Type");
    if (type == null) f.notApplicable("no Content-Type");
    for (String param : type.split(";")) {
      String p = param.trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("charset=")) {
        String cs = p.substring(8).replace("\"", "").trim();
        f.evidence("Content-Type: " + type);
        f.require(cs.equals("utf-8") || cs.equals("utf8"),
            "charset=" + cs + ": Chromium aborts the connection (\"response has a charset that is not UTF-8\");"
                + " the spec says to ignore it and decode UTF-8, so a server that really encodes " + cs
                + " sends garbled text to the rest");
      }
    }
  }

  @SseCheck(id = "http.cache-control", severity = Severity.SHOULD, rule = "H-05", spec = Spec.RFC9111,
      summary = "Cache-Control forbids caching the stream (no-cache or no-store)")
  void cacheControl(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    String cc = r.header("Cache-Control");
    f.evidence("Cache-Control: " + cc);
    if (cc == null) {
      f.violation("no Cache-Control: a CDN or proxy may cache the stream and serve stale events");
      return;
    }
    String v = cc.toLowerCase(Locale.ROOT);
    boolean forbids = v.contains("no-cache") || v.contains("no-store") || v.matches(".*max-age\\s*=\\s*0\\b.*");
    boolean allows = v.contains("public") || v.matches(".*max-age\\s*=\\s*[1-9].*");
    f.require(forbids && !allows, "Cache-Control '" + cc + "' lets caches keep the stream; send no-cache (or no-store)");
    if (!v.contains("no-transform")) f.note("no-transform is absent: a proxy may compress or rewrite the stream");
  }

  @SseCheck(id = "http.no-content-length", severity = Severity.SHOULD, rule = "H-06", spec = Spec.RFC9112_LENGTH,
      summary = "The stream has no Content-Length (a finite body ends the stream)")
  void noContentLength(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    String cl = r.header("Content-Length");
    if (cl != null) f.evidence("Content-Length: " + cl);
    if (r.status() != 200) return;
    f.assertThat(cl).as("the stream has Content-Length: %s: a length makes the body finite, so clients see the stream"
        + " end and reconnect in a loop", cl).isNull();
  }

  @SseCheck(id = "http.headers-promptly", severity = Severity.SHOULD, rule = "H-06", spec = Spec.PROCESSING,
      summary = "The response head arrives within 2 s, before any event (browsers fire 'open' on it)")
  void headersPromptly(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    Duration after = r.headersAfter();
    f.note("response head after " + after.toMillis() + " ms");
    if (stream.headHeld()) {
      f.evidence("first bytes", java.util.Arrays.copyOf(r.body(), (int) Math.min(r.bodyLength(), 512)));
      f.violation("the response head came only with the first event: nothing for " + Recorder.NUDGE_AFTER.toSeconds()
          + " s, then an event the suite published brought the head and the event together (after " + after.toMillis()
          + " ms). Until a server's first write a browser's EventSource stays CONNECTING, fires no open event, and an "
          + "idle proxy may cut the silent connection; flush the response head (or a comment) as soon as the stream "
          + "is accepted");
      return;
    }
    f.require(after.compareTo(Duration.ofSeconds(2)) <= 0,
        "the response head took " + after.toMillis() + " ms: the server holds it back (buffering) until it has data");
  }

  @SseCheck(id = "http.compression-flushed", severity = Severity.SHOULD, rule = "H-07", spec = Spec.AUTHORING,
      summary = "If the stream is compressed, every event is flushed through the compressor")
  void compression(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    String coding = r.contentEncoding();
    if (coding.equals("identity")) {
      f.note("not compressed");
      return;
    }
    f.evidence("Content-Encoding: " + coding + "; " + r.wireChunks().size() + " reads, " + r.bodyLength()
        + " bytes decoded");
    if (!r.decodable()) {
      f.notApplicable("compressed with " + coding + ", which this tool cannot decode (it decodes gzip and deflate);"
          + " most deployments turn compression off for event streams");
    }
    if (r.error() != null && r.error().contains("does not decode")) {
      f.violation(r.error() + ": clients cannot read the stream");
      return;
    }
    // Flushed per event: the decoded events arrived over several reads, not all in the last one.
    long readsWithEvents = r.chunks().stream().filter(c -> new String(c.bytes(), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\n\n") || new String(c.bytes(), java.nio.charset.StandardCharsets.UTF_8).contains("\r\r")).count();
    long events = stream.items().stream().filter(i -> i instanceof dev.ssekit.protocol.DispatchedEvent).count();
    if (events < 2) f.notApplicable("fewer than two events arrived in the window: flushing cannot be judged");
    f.require(readsWithEvents > 1, "compressed with " + coding + " and all " + events + " events arrived in one read:"
        + " the compressor is not flushed after each event, so clients wait for its buffer to fill");
  }

  @SseCheck(id = "http.cors-preflight", severity = Severity.SHOULD, rule = "H-09", spec = Spec.FETCH_CORS,
      profile = Target.Profile.STANDARD,
      summary = "An OPTIONS preflight from another origin may send Last-Event-ID")
  void corsPreflight(Target target, Recorder recorder, Findings f) throws InterruptedException {
    HttpOptions options = new HttpOptions(target.url());
    options.setHeader("Origin", "https://ssekit.example");
    options.setHeader("Access-Control-Request-Method", "GET");
    options.setHeader("Access-Control-Request-Headers", "last-event-id");
    Recording r = recorder.exchange(options);
    if (!r.responded()) f.violation("no answer to the preflight: " + Describe.noResponse(r));
    String allowHeaders = r.header("Access-Control-Allow-Headers");
    String allowOrigin = r.header("Access-Control-Allow-Origin");
    f.evidence("OPTIONS → " + r.status() + "; Access-Control-Allow-Origin: " + allowOrigin
        + "; Access-Control-Allow-Headers: " + allowHeaders);
    if (allowOrigin == null) {
      f.notApplicable("the server does not offer the stream to other origins (no Access-Control-Allow-Origin)");
    }
    boolean allowed = r.status() / 100 == 2 && allowHeaders != null
        && (allowHeaders.trim().equals("*") || allowHeaders.toLowerCase(Locale.ROOT).contains("last-event-id"));
    f.require(allowed, "a cross-origin reconnect with a long or non-ASCII Last-Event-ID needs a preflight that allows"
        + " it; this one does not, so such browsers cannot resume (a real bug: dunglas/mercure#535)");
  }

  @SseCheck(id = "http.cors-origin", severity = Severity.MUST, rule = "H-09", spec = Spec.FETCH_CORS,
      profile = Target.Profile.STANDARD,
      summary = "No wildcard or reflected origin together with Access-Control-Allow-Credentials")
  void corsOrigin(Target target, Recorder recorder, Findings f) throws InterruptedException {
    Recording r = recorder.record(Recorder.Request.of(target, Duration.ofMillis(500))
        .withHeaders(Map.of("Origin", "https://attacker.ssekit.example")));
    if (!r.responded()) f.notApplicable("no response to a request with an Origin header");
    String origin = r.header("Access-Control-Allow-Origin");
    String credentials = r.header("Access-Control-Allow-Credentials");
    f.evidence("Origin: https://attacker.ssekit.example → Access-Control-Allow-Origin: " + origin
        + "; Access-Control-Allow-Credentials: " + credentials);
    if (origin == null) {
      f.notApplicable("the stream is not offered to other origins");
    }
    boolean withCredentials = "true".equalsIgnoreCase(credentials == null ? "" : credentials.trim());
    if (!withCredentials) return;
    f.require(!origin.trim().equals("*"), "'*' with credentials is invalid CORS: browsers refuse the stream");
    f.require(!origin.trim().equals("https://attacker.ssekit.example"),
        "the server reflects any Origin and allows credentials: any site can read a logged-in user's stream");
  }

  @SseCheck(id = "http.accept-variants", severity = Severity.SHOULD, rule = "H-10", spec = Spec.PROCESSING,
      profile = Target.Profile.STANDARD,
      summary = "The stream is served without an Accept header and with Accept: */*")
  void acceptVariants(Target target, Recorder recorder, Findings f) throws InterruptedException {
    for (String accept : List.of("*/*", "")) {
      // An empty value removes the header: the request has no Accept at all.
      Recording r = recorder.record(Recorder.Request.of(target, Duration.ofMillis(300))
          .withHeaders(Map.of("Accept", accept)));
      String variant = accept.isEmpty() ? "without Accept" : "with Accept: " + accept;
      String answer = r.responded() ? r.status() + " " + r.header("Content-Type") : "no response (" + Describe.noResponse(r) + ")";
      f.evidence(variant + " → " + answer);
      String why = " (EventSource polyfills and non-browser clients send such requests)";
      if (!r.responded() || r.status() != 200) {
        // The status is the cause to fix; the Content-Type of a refusal (an error page's) is not the stream's.
        f.assertThat(r.status()).as("%s the server answered %s, not 200%s", variant,
            r.responded() ? String.valueOf(r.status()) : answer, why).isEqualTo(200);
        continue;
      }
      String type = r.header("Content-Type");
      f.assertThat(type == null ? null : essence(type))
          .as("%s the server answered Content-Type %s, not text/event-stream%s", variant,
              type == null ? "(none)" : Findings.escape(type), why)
          .isEqualTo("text/event-stream");
    }
  }

  @SseCheck(id = "http.h2-connection-headers", severity = Severity.MUST, rule = "H-08", spec = Spec.RFC9113_CONNECTION,
      profile = Target.Profile.STANDARD,
      summary = "Over HTTP/2, no connection-specific header fields (Connection, Keep-Alive…)")
  void h2ConnectionHeaders(Target target, Findings f) throws Exception {
    if (!target.url().getScheme().equalsIgnoreCase("https")) {
      f.notApplicable("HTTP/2 is negotiated over TLS; the target is plain http");
    }
    Http2Exchange attempt = Http2Exchange.attempt(target, f);
    if (attempt.refused() != null) {
      f.violation("this tool's HTTP/2 client refused the response as malformed ("
          + Findings.escape(String.valueOf(attempt.refused().getMessage()))
          + "). Connection-specific or upper-case header fields make an HTTP/2 response malformed (RFC 9113 §8.2);"
          + " browsers refuse it too (Chromium: net::ERR_HTTP2_PROTOCOL_ERROR), so the EventSource never opens and"
          + " reconnects in a loop");
      return;
    }
    HttpResponse<InputStream> res = attempt.response();
    try (InputStream body = res.body()) {
      if (res.version() != HttpClient.Version.HTTP_2) f.notApplicable("the server does not offer HTTP/2");
      List<String> banned = List.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");
      List<String> present = new java.util.ArrayList<>();
      StringBuilder all = new StringBuilder();
      res.headers().map().forEach((name, values) -> values.forEach(v -> {
        String field = name + ": " + Findings.escape(v);
        all.append(all.length() == 0 ? "" : "; ").append(field);
        if (banned.contains(name.toLowerCase(Locale.ROOT))) present.add(field);
      }));
      f.evidence("HTTP/2 response header fields: " + all);
      f.require(present.isEmpty(), "the HTTP/2 response carries " + String.join(", ", present) + ": connection-specific"
          + " fields make an HTTP/2 response malformed (RFC 9113 §8.2.2); Safari refuses the stream and Chromium may"
          + " report net::ERR_HTTP2_PROTOCOL_ERROR (usually an HTTP/1.1 header copied by a proxy or framework)");
    }
  }

  @SseCheck(id = "http.h2-offered", severity = Severity.MAY, rule = "L-06", spec = Spec.AUTHORING,
      profile = Target.Profile.STANDARD,
      summary = "HTTP/2 is offered (over HTTP/1.1 a browser holds at most six streams per origin)")
  void h2Offered(Target target, Findings f) throws Exception {
    if (!target.url().getScheme().equalsIgnoreCase("https")) {
      // Browsers speak HTTP/2 over TLS only, so this holds for every plain-http server: an advisory, not a warning.
      f.info("plain http means HTTP/1.1: a browser allows six connections per origin, so a seventh tab with"
          + " an EventSource stalls; serve over https with HTTP/2");
    }
    Http2Exchange attempt = Http2Exchange.attempt(target, f);
    if (attempt.refused() != null) {
      f.notApplicable("the exchange failed before its protocol could be read (" + attempt.refused().getMessage()
          + "); http.h2-connection-headers reports a malformed HTTP/2 response");
    }
    HttpResponse<InputStream> res = attempt.response();
    try (InputStream body = res.body()) {
      f.note("negotiated " + res.version());
      f.require(res.version() == HttpClient.Version.HTTP_2,
          "only HTTP/1.1 is offered (ALPN chose http/1.1): a browser allows six streams per origin over HTTP/1.1,"
              + " so a seventh tab or EventSource on the same origin stalls; offer h2");
    }
  }
}
