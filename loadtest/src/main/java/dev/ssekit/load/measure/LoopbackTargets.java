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

  /** The most source addresses {@link #sourceAddresses} expands to. */
  public static final int MAX_SOURCE_ADDRESSES = 256;

  /**
   * Parses the source addresses connections are spread over: a comma-separated list of addresses
   * in 127.0.0.0/8, each alone or as a range of the last part ({@code 127.0.0.2-127.0.0.9}).
   * Loopback answers on the whole /8, so each is a separate source of 28,000-odd ephemeral ports.
   *
   * @throws IllegalArgumentException with a one-line reason
   */
  public static java.util.List<String> sourceAddresses(String text) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String item : text.split(",", -1)) {
      String part = item.trim();
      String[] ends = part.split("-", -1);
      if (ends.length > 2 || !isDottedLoopback(ends[0]) || (ends.length == 2 && !isDottedLoopback(ends[1]))) {
        throw new IllegalArgumentException("--local-addresses: '" + part
            + "' is not an address in 127.0.0.0/8 or a range like 127.0.0.2-127.0.0.9");
      }
      if (ends.length == 1) {
        out.add(ends[0]);
        continue;
      }
      String prefix = ends[0].substring(0, ends[0].lastIndexOf('.') + 1);
      if (!ends[1].startsWith(prefix) || ends[1].lastIndexOf('.') + 1 != prefix.length()) {
        throw new IllegalArgumentException("--local-addresses: a range may differ in its last part only: '" + part + "'");
      }
      int from = Integer.parseInt(ends[0].substring(prefix.length()));
      int to = Integer.parseInt(ends[1].substring(prefix.length()));
      if (to < from) {
        throw new IllegalArgumentException("--local-addresses: '" + part + "' runs backwards");
      }
      for (int i = from; i <= to && out.size() <= MAX_SOURCE_ADDRESSES; i++) {
        out.add(prefix + i);
      }
    }
    if (out.size() > MAX_SOURCE_ADDRESSES) {
      throw new IllegalArgumentException("--local-addresses: at most " + MAX_SOURCE_ADDRESSES + " addresses");
    }
    if (new java.util.HashSet<>(out).size() != out.size()) {
      throw new IllegalArgumentException("--local-addresses: an address is listed twice");
    }
    return java.util.List.copyOf(out);
  }

  private static boolean isDottedLoopback(String s) {
    return !s.equalsIgnoreCase("localhost") && s.indexOf(':') < 0 && isLoopback(s) && s.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }
}
