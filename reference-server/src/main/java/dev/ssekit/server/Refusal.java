package dev.ssekit.server;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/** A refusal of a publish or admin request: the status and the one-line reason sent back. */
final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;
  final HttpResponseStatus status;

  Refusal(HttpResponseStatus status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  /** The answer: the reason as text, with a Bearer challenge on 401. */
  FullHttpResponse response() {
    FullHttpResponse res = Responses.textResponse(status, getMessage());
    if (status.code() == 401) res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ssekit publish\"");
    return res;
  }
}
