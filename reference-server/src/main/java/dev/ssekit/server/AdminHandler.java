package dev.ssekit.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.IntSupplier;

/**
 * The admin endpoints: {@code POST /admin/disconnect}. Authorised like publishing, stricter
 * without a token (a loopback peer; never a page on another origin), by {@link Access} on the
 * request's head in {@link RequestGuard}; they never answer CORS.
 */
final class AdminHandler {

  /** The path of every admin endpoint starts with this. */
  static final String PREFIX = "/admin/";
  static final String DISCONNECT = "/admin/disconnect";

  private final IntSupplier disconnectAll;

  /**
   * @param disconnectAll ends every open stream; returns how many
   */
  AdminHandler(IntSupplier disconnectAll) {
    this.disconnectAll = disconnectAll;
  }

  /**
   * {@code POST /admin/disconnect}: ends every open stream the way a restart would (a retry hint,
   * then a clean end of the body), so clients reconnect and resume by id. Answers
   * {@code 202 {"disconnecting": N}}.
   */
  void disconnect(ChannelHandlerContext ctx, FullHttpRequest req) {
    Responses.json(ctx, req, HttpResponseStatus.ACCEPTED, "{\"disconnecting\":" + disconnectAll.getAsInt() + "}");
  }
}
