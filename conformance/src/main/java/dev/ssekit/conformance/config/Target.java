package dev.ssekit.conformance.config;

import dev.ssekit.protocol.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server under test and how to run against it. Built from configuration parameters, so the
 * same checks run from the CLI and inside a user's own JUnit Platform run:
 *
 * <pre>
 *   ssekit.url             the stream URL (required)
 *   ssekit.publishUrl      a URL that accepts the publish contract (POST {"data","event"?,"id"?})
 *   ssekit.headers         extra request headers for the stream, one "Name: value" per line
 *   ssekit.publishHeaders  extra request headers for publishing, one per line
 *   ssekit.profile         quick | standard | full (default standard)
 *   ssekit.strict          true: SHOULD violations fail instead of warning
 *   ssekit.insecure        true: accept any TLS certificate (self-signed test servers)
 *   ssekit.window          how long to record the shared stream (500ms, 5s, 1m: dev.ssekit.protocol.Durations;
 *                          default by profile)
 *   ssekit.serverPid       the server's process id, when it runs on this machine (lifecycle checks
 *                          count its sockets)
 *   ssekit.metricsUrl      the server's metrics in Prometheus text format (lifecycle checks read its
 *                          connection gauge)
 *   ssekit.connectionGauge the metric that counts open streams (default sse_connections_open, the
 *                          reference server's); samples of all its label sets are added up
 * </pre>
 *
 * @param url the stream URL (http or https)
 * @param publishUrl the publish contract URL, or null
 * @param headers extra headers for stream requests
 * @param publishHeaders extra headers for publish requests
 * @param profile how much to run
 * @param strict whether SHOULD violations fail
 * @param insecure whether to trust any TLS certificate
 * @param window how long to record the shared stream, or null for the profile's default
 * @param serverPid the server's process id on this machine, or null
 * @param metricsUrl the server's Prometheus metrics URL, or null
 * @param connectionGauge the name of the metric that counts the server's open streams
 */
public record Target(URI url, URI publishUrl, List<Header> headers, List<Header> publishHeaders, Profile profile,
    boolean strict, boolean insecure, java.time.Duration window, Long serverPid, URI metricsUrl,
    String connectionGauge) {

  /** Configuration parameter names. */
  public static final String URL = "ssekit.url";
  public static final String PUBLISH_URL = "ssekit.publishUrl";
  public static final String HEADERS = "ssekit.headers";
  public static final String PUBLISH_HEADERS = "ssekit.publishHeaders";
  public static final String PROFILE = "ssekit.profile";
  public static final String STRICT = "ssekit.strict";
  public static final String INSECURE = "ssekit.insecure";
  public static final String WINDOW = "ssekit.window";
  public static final String SERVER_PID = "ssekit.serverPid";
  public static final String METRICS_URL = "ssekit.metricsUrl";
  public static final String CONNECTION_GAUGE = "ssekit.connectionGauge";
  /**
   * The key of a target already built and validated by the command line ({@link #handOver}): the
   * checks use that very object instead of parsing the other parameters again.
   */
  public static final String HANDED_OVER = "ssekit.internal.handedOverTarget";

  private static final java.util.Map<String, Target> HANDOVERS = new java.util.concurrent.ConcurrentHashMap<>();

  /** The reference server's gauge of open streams (Micrometer's {@code sse.connections.open}). */
  public static final String DEFAULT_CONNECTION_GAUGE = "sse_connections_open";

  /** How much of the suite runs. */
  public enum Profile {
    /** Core MUSTs, seconds on a local server. */
    QUICK,
    /** The default: everything but long idle windows and storms, under a minute locally. */
    STANDARD,
    /** Adds long idle windows (heartbeats, fixed-age cuts) and reconnect storms. */
    FULL;

    /** True when this profile includes checks of {@code minimum}. */
    public boolean includes(Profile minimum) {
      return ordinal() >= minimum.ordinal();
    }
  }

  /** One request header. */
  public record Header(String name, String value) {
    public Header {
      if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c > '~')) {
        throw new IllegalArgumentException("not a header name: '" + name + "'");
      }
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("header " + name + " must not contain line breaks");
      }
    }

    /** Parses {@code Name: value}. */
    public static Header parse(String line) {
      int colon = line.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("a header is written 'Name: value', not '" + line + "'");
      return new Header(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
  }

  public Target {
    headers = List.copyOf(headers);
    publishHeaders = List.copyOf(publishHeaders);
    checkHttp(url, "url");
    if (publishUrl != null) checkHttp(publishUrl, "publish URL");
    if (metricsUrl != null) checkHttp(metricsUrl, "metrics URL");
    if (!connectionGauge.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      throw new IllegalArgumentException("--connection-gauge must be a Prometheus metric name (letters, digits, _ and :),"
          + " not '" + connectionGauge + "'");
    }
  }

  private static void checkHttp(URI uri, String what) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("the " + what + " must be an absolute http or https URL: " + uri);
    }
  }

  /**
   * Makes {@code target} available to the checks of one launcher run: put the returned key under
   * {@link #HANDED_OVER} in the run's configuration parameters, and {@link #release} it when the
   * run is over.
   */
  public static String handOver(Target target) {
    String key = java.util.UUID.randomUUID().toString();
    HANDOVERS.put(key, target);
    return key;
  }

  /** Forgets a target handed over for a run that is over. */
  public static void release(String key) {
    HANDOVERS.remove(key);
  }

  /**
   * The target of a run: the one the command line {@link #handOver handed over}, or else one read
   * from configuration parameters (the JUnit route); throws with a readable reason when there is none.
   */
  public static Target fromConfiguration(Function<String, Optional<String>> parameters) {
    Optional<String> key = parameters.apply(HANDED_OVER).filter(k -> !k.isBlank());
    if (key.isPresent()) {
      Target handed = HANDOVERS.get(key.get());
      if (handed == null) throw new IllegalArgumentException("no target handed over under " + key.get());
      return handed;
    }
    String url = parameters.apply(URL).filter(s -> !s.isBlank())
        .orElseThrow(() -> new IllegalArgumentException("no target: set the configuration parameter " + URL));
    return new Target(uri(url), parameters.apply(PUBLISH_URL).filter(s -> !s.isBlank()).map(Target::uri).orElse(null),
        headerLines(parameters.apply(HEADERS).orElse("")), headerLines(parameters.apply(PUBLISH_HEADERS).orElse("")),
        parameters.apply(PROFILE).map(p -> Profile.valueOf(p.trim().toUpperCase(Locale.ROOT))).orElse(Profile.STANDARD),
        parameters.apply(STRICT).map(Boolean::parseBoolean).orElse(false),
        parameters.apply(INSECURE).map(Boolean::parseBoolean).orElse(false),
        parameters.apply(WINDOW).filter(s -> !s.isBlank()).map(Durations::parse).orElse(null),
        parameters.apply(SERVER_PID).filter(s -> !s.isBlank()).map(Target::pid).orElse(null),
        parameters.apply(METRICS_URL).filter(s -> !s.isBlank()).map(Target::uri).orElse(null),
        parameters.apply(CONNECTION_GAUGE).filter(s -> !s.isBlank()).map(String::trim).orElse(DEFAULT_CONNECTION_GAUGE));
  }

  /** Parses a process id with a readable error. */
  public static Long pid(String text) {
    try {
      long pid = Long.parseLong(text.trim());
      if (pid > 0) return pid;
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("--server-pid must be a process id, not '" + text + "'");
  }

  /** Parses a URL with a readable error. */
  public static URI uri(String text) {
    try {
      return new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + text + " (" + e.getReason() + ")");
    }
  }

  private static List<Header> headerLines(String text) {
    List<Header> out = new ArrayList<>();
    for (String line : text.split("\n")) if (!line.isBlank()) out.add(Header.parse(line));
    return out;
  }
}
