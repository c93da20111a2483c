package dev.ssekit.load.measure;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The load tester only ever talks to this machine: a target must be {@code localhost}, an address
 * in 127.0.0.0/8 or {@code [::1]}. Names are never resolved here, so nothing leaves loopback.
 */
public final class LoopbackTargets {
  private LoopbackTargets() {}

  /**
   * Checks one URL option.
   *
   * @param option the option's name, for the message
   * @return the parsed URI
   * @throws IllegalArgumentException with a one-line reason when it is not an http(s) loopback URL
   */
  public static URI require(String option, String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(option + ": '" + url + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(option + ": '" + url + "' is not an http or https URL");
    }
    String host = uri.getHost();
    if (host == null || !isLoopback(host)) {
      throw new IllegalArgumentException(
          option
              + ": '"
              + url
              + "' is not a loopback address; the load tester only targets localhost, 127.0.0.0/8 or [::1]");
    }
    return uri;
  }

  /** True for {@code localhost}, a dotted-quad in 127.0.0.0/8, or {@code ::1} (bracketed or not). */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.equals("localhost.")) {
      return true;
    }
    if (h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return parts[0].equals("127");
  }
}
