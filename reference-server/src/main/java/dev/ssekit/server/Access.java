package dev.ssekit.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may publish and who may use the admin endpoints. Asked once per request, on its head, by
 * {@link RequestGuard} (in front of the routes, before any body is read): {@link PublishHandler}
 * and {@link AdminHandler} only see requests it let through.
 */
final class Access {

  private final ServerConfig config;
  private final byte[] expectedToken;

  Access(ServerConfig config) {
    this.config = config;
    this.expectedToken = config.publishToken() == null ? null : config.publishToken().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The refusal a request gets from its head alone, or null: {@code POST /publish} and
   * {@code POST} to the admin endpoint are checked ({@link #authorize}); other requests need no
   * permission (a wrong method is the router's 405).
   *
   * @param req the request head
   * @param path its decoded path
   * @param channel its connection (admin endpoints look at the peer address)
   */
  Refusal refusalAtHead(HttpRequest req, String path, Channel channel) {
    if (!req.method().equals(HttpMethod.POST)) return null;
    boolean admin = path.equals(AdminHandler.DISCONNECT);
    if (!admin && !path.equals("/publish")) return null;
    try {
      authorize(req, channel, admin);
      return null;
    } catch (Refusal r) {
      return r;
    }
  }

  /**
   * Who may publish or use an admin endpoint (docs/server.md, "Who may do what"):
   * <ul>
   *   <li>with {@code --publish-token}, whoever presents it ({@code Authorization: Bearer T}, the
   *       scheme in any case);
   *   <li>without one, publishing is anonymous, but a request a web page sent from another origin
   *       ({@code Origin} neither this server's nor {@code --publish-cors-origin}) is refused, and
   *       on a loopback address the {@code Host} must be a loopback name too, so a page that
   *       rebinds its own DNS name to 127.0.0.1 cannot reach it;
   *   <li>admin endpoints need the token, or (without one) a loopback peer with a loopback
   *       {@code Host} and no foreign {@code Origin}; they never answer CORS.
   * </ul>
   */
  private void authorize(HttpRequest req, Channel channel, boolean admin) throws Refusal {
    if (expectedToken != null) {
      String presented = bearerToken(req.headers().get(HttpHeaderNames.AUTHORIZATION));
      // Constant-time comparison: the token must not leak through response timing.
      if (presented == null || !MessageDigest.isEqual(expectedToken, presented.getBytes(StandardCharsets.UTF_8))) {
        throw new Refusal(HttpResponseStatus.UNAUTHORIZED,
            presented == null ? "this needs 'Authorization: Bearer <token>' (--publish-token is set)" : "wrong publish token");
      }
      return;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    String host = req.headers().get(HttpHeaderNames.HOST);
    if (origin != null && !sameOrigin(origin, host) && (admin || !originAllowed(origin))) {
      throw new Refusal(HttpResponseStatus.FORBIDDEN, "requests from pages on " + printable(origin) + " may not "
          + (admin ? "use admin endpoints" : "publish (see --publish-cors-origin)"));
    }
    boolean loopbackBound = isLoopbackName(config.host()) || isLoopbackName(hostPart(config.host()));
    if ((admin || loopbackBound) && host != null && !isLoopbackName(hostPart(host))) {
      throw new Refusal(HttpResponseStatus.FORBIDDEN, "Host '" + printable(host) + "' is not a loopback name; without"
          + " --publish-token only requests addressed to this machine by a loopback name are accepted (DNS rebinding)");
    }
    if (admin && !(channel.remoteAddress() instanceof InetSocketAddress peer && peer.getAddress() != null
        && peer.getAddress().isLoopbackAddress())) {
      throw new Refusal(HttpResponseStatus.FORBIDDEN, "admin endpoints need --publish-token or a loopback client");
    }
  }

  /** The token of an {@code Authorization: Bearer T} value (scheme case-insensitive, RFC 9110 §11.1), or null. */
  static String bearerToken(String authorization) {
    if (authorization == null) return null;
    String v = authorization.strip();
    int space = v.indexOf(' ');
    if (space < 0 || !v.substring(0, space).equalsIgnoreCase("Bearer")) return null;
    String token = v.substring(space + 1).strip();
    return token.isEmpty() ? null : token;
  }

  private boolean originAllowed(String origin) {
    String allowed = config.publishCorsOrigin();
    return allowed.equals("*") || (!allowed.isEmpty() && allowed.equalsIgnoreCase(origin));
  }

  private static boolean sameOrigin(String origin, String host) {
    return host != null && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
  }

  /** The host of a Host header or address: without the port, brackets kept off IPv6. */
  static String hostPart(String host) {
    String h = host.strip();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(1, end) : h;
    }
    int colon = h.indexOf(':');
    return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.substring(0, colon) : h;
  }

  /** localhost, *.localhost, 127.0.0.0/8, ::1 — names that always mean this machine (no DNS asked). */
  static boolean isLoopbackName(String h) {
    String lower = h.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".")) lower = lower.substring(0, lower.length() - 1);
    if (lower.equals("localhost") || lower.endsWith(".localhost") || lower.equals("::1")
        || lower.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    return lower.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }
}
