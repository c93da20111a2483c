package dev.ssekit.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.function.IntSupplier;

/**
 * The admin endpoints: {@code POST /admin/disconnect}. Authorised like publishing, stricter
 * without a token (a loopback peer; never a page on another origin), and they never answer CORS.
 */
final class AdminHandler {

  /** The path of every admin endpoint starts with this. */
  static final String PREFIX = "/admin/";
  static final String DISCONNECT = "/admin/disconnect";

  private final Access access;
  private final IntSupplier disconnectAll;

  /**
   * @param access who may use admin endpoints
   * @param disconnectAll ends every open stream; returns how many
   */
  AdminHandler(Access access, IntSupplier disconnectAll) {
    this.access = access;
    this.disconnectAll = disconnectAll;
  }

  /**
   * {@code POST /admin/disconnect}: ends every open stream the way a restart would (a retry hint,
   * then a clean end of the body), so clients reconnect and resume by id. Answers
   * {@code 202 {"disconnecting": N}}.
   */
  void disconnect(ChannelHandlerContext ctx, FullHttpRequest req) {
    try {
      access.authorize(req, ctx.channel(), true);
      Responses.json(ctx, req, HttpResponseStatus.ACCEPTED, "{\"disconnecting\":" + disconnectAll.getAsInt() + "}", "");
    } catch (Refusal refusal) {
      Responses.finish(ctx, refusal.response(""), HttpUtil.isKeepAlive(req));
    }
  }

  /** The refusal a {@code POST} to an admin endpoint gets from its head alone, or null. */
  Refusal refusalAtHead(HttpRequest req, Channel channel) {
    if (!req.method().equals(HttpMethod.POST)) return null; // the router answers 405
    try {
      access.authorize(req, channel, true);
      return null;
    } catch (Refusal r) {
      return r;
    }
  }
}
