package dev.ssekit.bench;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link HoldConnections}' command line: the options with their defaults, the usage text, and the
 * checks that keep a run bounded (connection count, rates, durations) and on loopback (only
 * 127.0.0.0/8 targets are accepted). {@link #parse} throws {@link IllegalArgumentException} for
 * anything it refuses, with a message for the user; {@code --help} is refused the same way.
 */
final class HoldOptions {

  /** Fits one client process under a 20,000 open-file limit. */
  static final int MAX_CONNECTIONS = 19_000;

  static final String USAGE = """
      usage: HoldConnections --url http://127.0.0.1:PORT/events?topic=bench [options]
        --connections N          streams to open (default 18000, at most 19000)
        --rate R                 connects started per second (default 2000)
        --max-inflight M         connects without a response head at once (default 1000)
        --threads T              client event-loop threads (default 1)
        --steps K                pause K times during the ramp to sample RSS (default 1: at the end)
        --settle D               wait before each RSS sample (default 2s)
        --connect-timeout D      per connect (default 5s)
        --head-timeout D         for the last response heads after the ramp (default 15s)
        --publish-url URL        POST one event there once all streams are open (loopback only)
        --publish-body TEMPLATE  body; {marker} is replaced (default {"data":"{marker}"})
        --publish-content-type T (default application/json)
        --delivery-timeout D     wait for every open stream to see the event (default 30s)
        --rss-pid LABEL=PID      sample VmRSS of PID at each step and after the fan-out (repeatable)
        --ready-file F           write the figures so far to F once holding after the fan-out
        --release-file F         stop holding as soon as F exists
        --hold-max D             hold at most D after the fan-out (default 0)
        --deadline D             bound on the whole run (default 5m)
        --label S                free text copied to the output
        --out F                  also write the JSON line to F
      Durations: 500ms, 15s, 2m. Prints one JSON line; exit 0 when every requested stream opened
      and (with --publish-url) every open stream got the event, 1 otherwise, 2 for bad usage.""";

  URI url;
  InetSocketAddress target;
  /** The path and query of {@link #url}, as the request line sends them. */
  String requestTarget;
  int connections = 18_000;
  int rate = 2_000;
  int maxInflight = 1_000;
  int threads = 1;
  int steps = 1;
  Duration connectTimeout = Duration.ofSeconds(5);
  Duration headTimeout = Duration.ofSeconds(15);
  Duration settle = Duration.ofSeconds(2);
  Duration deliveryTimeout = Duration.ofSeconds(30);
  Duration deadline = Duration.ofMinutes(5);
  Duration holdMax = Duration.ZERO;
  URI publishUrl;
  String publishBody = "{\"data\":\"{marker}\"}";
  String publishContentType = "application/json";
  String label = "";
  Path readyFile;
  Path releaseFile;
  Path outFile;
  final Map<String, Integer> rssPids = new LinkedHashMap<>();

  private HoldOptions() {
  }

  /** Reads {@code args} (every option takes one value), then checks the bounds and the targets. */
  static HoldOptions parse(String[] args) {
    HoldOptions o = new HoldOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) throw new IllegalArgumentException("help");
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
      o.set(a, args[++i]);
    }
    o.check();
    o.target = loopbackTarget(o.url, "--url");
    o.requestTarget = requestTarget(o.url);
    if (o.publishUrl != null) loopbackTarget(o.publishUrl, "--publish-url");
    return o;
  }

  private void set(String option, String v) {
    switch (option) {
      case "--url" -> url = URI.create(v);
      case "--connections" -> connections = Integer.parseInt(v);
      case "--rate" -> rate = Integer.parseInt(v);
      case "--max-inflight" -> maxInflight = Integer.parseInt(v);
      case "--threads" -> threads = Integer.parseInt(v);
      case "--steps" -> steps = Integer.parseInt(v);
      case "--settle" -> settle = duration(v);
      case "--connect-timeout" -> connectTimeout = duration(v);
      case "--head-timeout" -> headTimeout = duration(v);
      case "--publish-url" -> publishUrl = URI.create(v);
      case "--publish-body" -> publishBody = v;
      case "--publish-content-type" -> publishContentType = v;
      case "--delivery-timeout" -> deliveryTimeout = duration(v);
      case "--rss-pid" -> {
        int eq = v.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("--rss-pid wants LABEL=PID, got " + v);
        rssPids.put(v.substring(0, eq), Integer.parseInt(v.substring(eq + 1)));
      }
      case "--ready-file" -> readyFile = Path.of(v);
      case "--release-file" -> releaseFile = Path.of(v);
      case "--hold-max" -> holdMax = duration(v);
      case "--deadline" -> deadline = duration(v);
      case "--label" -> label = v;
      case "--out" -> outFile = Path.of(v);
      default -> throw new IllegalArgumentException("unknown option " + option);
    }
  }

  /** The bounds, checked in this order so the first complaint is the same for the same command line. */
  private void check() {
    if (url == null) throw new IllegalArgumentException("--url is required");
    if (connections < 1 || connections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException("--connections must be 1.." + MAX_CONNECTIONS
          + " (one client process is limited to 20,000 open files; run several clients for more)");
    }
    if (rate < 1 || rate > 50_000) throw new IllegalArgumentException("--rate must be 1..50000");
    if (maxInflight < 1 || maxInflight > 10_000) throw new IllegalArgumentException("--max-inflight must be 1..10000");
    if (threads < 1 || threads > 16) throw new IllegalArgumentException("--threads must be 1..16");
    if (steps < 1 || steps > 20) throw new IllegalArgumentException("--steps must be 1..20");
    if (deadline.compareTo(Duration.ofMinutes(30)) > 0) throw new IllegalArgumentException("--deadline is at most 30m");
    if (holdMax.compareTo(Duration.ofMinutes(10)) > 0) throw new IllegalArgumentException("--hold-max is at most 10m");
    if (settle.compareTo(Duration.ofMinutes(1)) > 0) throw new IllegalArgumentException("--settle is at most 1m");
  }

  /** The path ({@code /} when empty) and query of {@code u}, raw, for an HTTP request line. */
  static String requestTarget(URI u) {
    return (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  /** Resolves an http URL and refuses anything outside 127.0.0.0/8. */
  static InetSocketAddress loopbackTarget(URI u, String what) {
    if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException(what + " must be an http:// URL with a host: " + u);
    }
    InetAddress addr;
    try {
      addr = InetAddress.getByName(u.getHost());
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": cannot resolve " + u.getHost());
    }
    if (!(addr instanceof Inet4Address) || (addr.getAddress()[0] & 0xff) != 127) {
      throw new IllegalArgumentException(what + " must point into 127.0.0.0/8 (this benchmark only loads "
          + "its own machine's loopback); " + u.getHost() + " is " + addr.getHostAddress());
    }
    return new InetSocketAddress(addr, u.getPort() < 0 ? 80 : u.getPort());
  }

  static Duration duration(String s) {
    return dev.ssekit.protocol.Durations.parse(s);
  }
}
