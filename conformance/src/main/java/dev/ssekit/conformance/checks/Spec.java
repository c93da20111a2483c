package dev.ssekit.conformance.checks;

/** Links to the rules the checks cite. */
final class Spec {
  private Spec() {}

  static final String WHATWG = "https://html.spec.whatwg.org/multipage/server-sent-events.html";
  static final String PROCESSING = WHATWG + "#sse-processing-model";
  static final String PARSING = WHATWG + "#parsing-an-event-stream";
  static final String INTERPRETING = WHATWG + "#event-stream-interpretation";
  static final String LAST_EVENT_ID = WHATWG + "#the-last-event-id-header";
  static final String AUTHORING = WHATWG + "#authoring-notes";
  static final String CONNECTING = WHATWG + "#sse-processing-model";
  static final String FETCH_CORS = "https://fetch.spec.whatwg.org/#http-cors-protocol";
  static final String RFC9113_CONNECTION = "https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2";
  static final String RFC9111 = "https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2";
  static final String RFC9112_LENGTH = "https://www.rfc-editor.org/rfc/rfc9112#section-6.3";
  static final String ENCODING = "https://encoding.spec.whatwg.org/#utf-8-decode";
}
