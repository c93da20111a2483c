package dev.ssekit.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of one {@link SseServer}; every field maps to a command-line option of
 * {@code sse-reference-server.jar} and is documented in docs/server.md.
 *
 * @param host address to bind
 * @param port TCP port, {@code 0} for any free port
 * @param tick period of the built-in tick events on the default topic, {@link Duration#ZERO} for none
 * @param heartbeat period of comment heartbeats on idle streams, {@link Duration#ZERO} for none
 * @param retry reconnection time announced with {@code retry:} at the start of every stream
 * @param history events kept per topic for resumption
 * @param historyBytes bytes of history kept across all topics (oldest events evicted first)
 * @param maxConnections open streams allowed at once; past it a stream gets a long retry and is closed
 * @param maxQueueBytes bytes a subscriber may fall behind before it is disconnected
 * @param maxEventBytes largest accepted publish body
 * @param corsOrigin value of {@code Access-Control-Allow-Origin}, empty for none
 * @param publishToken bearer token required to publish, {@code null} for none
 * @param allowAnonymousPublish allow publishing without a token on a non-loopback address
 * @param shutdownGrace bound on graceful shutdown
 * @param headTimeout time a client has to send a whole request head once it started one
 * @param bodyTimeout time a client has to send a whole request body once its head arrived
 * @param maxBodyBytesInFlight request-body bytes buffered across all connections at once; past it
 *     a request with a body gets 503 and Retry-After
 * @param publishCorsOrigin {@code Access-Control-Allow-Origin} for {@code /publish}, empty for none
 *     (then no web page on another origin can publish)
 * @param maxTopics topics held at once (with history or subscribers); past it new names are refused
 * @param maxPendingConnections connections that are not streams (requests being read or answered,
 *     idle keep-alive) held at once; past nine tenths of it a new one evicts the longest pending
 */
public record ServerConfig(
    String host,
    int port,
    Duration tick,
    Duration heartbeat,
    Duration retry,
    int history,
    long historyBytes,
    int maxConnections,
    long maxQueueBytes,
    int maxEventBytes,
    String corsOrigin,
    String publishToken,
    boolean allowAnonymousPublish,
    Duration shutdownGrace,
    Duration headTimeout,
    Duration bodyTimeout,
    long maxBodyBytesInFlight,
    String publishCorsOrigin,
    int maxTopics,
    int maxPendingConnections) {

  public static final String DEFAULT_TOPIC = "default";

  /** Default --max-connections when the open-file limit cannot be read. */
  public static final int FALLBACK_MAX_CONNECTIONS = 20_000;

  /** Default --max-pending-connections when the open-file limit cannot be read. */
  public static final int FALLBACK_MAX_PENDING_CONNECTIONS = 1_000;

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(corsOrigin, "corsOrigin");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(headTimeout, "headTimeout");
    Objects.requireNonNull(bodyTimeout, "bodyTimeout");
    Objects.requireNonNull(publishCorsOrigin, "publishCorsOrigin");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    if (tick.isNegative() || heartbeat.isNegative() || retry.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (history < 1) throw new IllegalArgumentException("history must be at least 1: " + history);
    if (historyBytes < 4096) throw new IllegalArgumentException("history-bytes must be at least 4096");
    if (maxConnections < 1) throw new IllegalArgumentException("max-connections must be at least 1");
    if (maxQueueBytes < 1024) throw new IllegalArgumentException("max-queue-bytes must be at least 1024");
    if (maxEventBytes < 16) throw new IllegalArgumentException("max-event-bytes must be at least 16");
    if (headTimeout.compareTo(Duration.ofMillis(100)) < 0 || bodyTimeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("head-timeout and body-timeout must be at least 100ms");
    }
    if (maxBodyBytesInFlight < maxEventBytes) {
      throw new IllegalArgumentException("max-body-buffer (" + maxBodyBytesInFlight
          + ") must be at least --max-event-bytes (" + maxEventBytes + "), or no publish of that size could be read");
    }
    if (maxTopics < 1) throw new IllegalArgumentException("max-topics must be at least 1");
    if (maxPendingConnections < 1) throw new IllegalArgumentException("max-pending-connections must be at least 1");
    for (String origin : new String[] {corsOrigin, publishCorsOrigin}) {
      if (origin.indexOf('\r') >= 0 || origin.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("cors-origin must not contain line breaks");
      }
    }
    if (publishToken != null && publishToken.isEmpty()) publishToken = null;
  }

  /** The default --max-queue-bytes for a given --max-event-bytes: room for four of the largest events. */
  public static long defaultMaxQueueBytes(int maxEventBytes) {
    return Math.max(4L << 20, 4L * maxEventBytes);
  }

  /**
   * The defaults of the command line, bound to 127.0.0.1:8080, with --max-connections fixed at
   * {@link #FALLBACK_MAX_CONNECTIONS} and --max-pending-connections at
   * {@link #FALLBACK_MAX_PENDING_CONNECTIONS} (the command line derives both from the open-file limit).
   */
  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 8080, Duration.ofSeconds(1), Duration.ofSeconds(15),
        Duration.ofSeconds(3), 10_000, 256L << 20, FALLBACK_MAX_CONNECTIONS, defaultMaxQueueBytes(1 << 20), 1 << 20, "*",
        null, false, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10), 64L << 20, "", 10_000,
        FALLBACK_MAX_PENDING_CONNECTIONS);
  }

  /** A mutable copy, for the {@code with} methods. */
  private Builder b() {
    return new Builder(this);
  }

  private static final class Builder {
    String host; int port; Duration tick; Duration heartbeat; Duration retry; int history; long historyBytes;
    int maxConnections; long maxQueueBytes; int maxEventBytes; String corsOrigin; String publishToken;
    boolean allowAnonymousPublish; Duration shutdownGrace; Duration headTimeout; Duration bodyTimeout;
    long maxBodyBytesInFlight; String publishCorsOrigin; int maxTopics; int maxPendingConnections;

    Builder(ServerConfig c) {
      host = c.host; port = c.port; tick = c.tick; heartbeat = c.heartbeat; retry = c.retry; history = c.history;
      historyBytes = c.historyBytes; maxConnections = c.maxConnections; maxQueueBytes = c.maxQueueBytes;
      maxEventBytes = c.maxEventBytes; corsOrigin = c.corsOrigin; publishToken = c.publishToken;
      allowAnonymousPublish = c.allowAnonymousPublish; shutdownGrace = c.shutdownGrace; headTimeout = c.headTimeout;
      bodyTimeout = c.bodyTimeout; maxBodyBytesInFlight = c.maxBodyBytesInFlight; publishCorsOrigin = c.publishCorsOrigin;
      maxTopics = c.maxTopics; maxPendingConnections = c.maxPendingConnections;
    }

    ServerConfig build() {
      return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, maxConnections, maxQueueBytes,
          maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace, headTimeout, bodyTimeout,
          maxBodyBytesInFlight, publishCorsOrigin, maxTopics, maxPendingConnections);
    }
  }

  public ServerConfig withPort(int v) { Builder b = b(); b.port = v; return b.build(); }

  public ServerConfig withTick(Duration v) { Builder b = b(); b.tick = v; return b.build(); }

  public ServerConfig withHeartbeat(Duration v) { Builder b = b(); b.heartbeat = v; return b.build(); }

  public ServerConfig withHistory(int v) { Builder b = b(); b.history = v; return b.build(); }

  public ServerConfig withMaxConnections(int v) { Builder b = b(); b.maxConnections = v; return b.build(); }

  public ServerConfig withMaxQueueBytes(long v) { Builder b = b(); b.maxQueueBytes = v; return b.build(); }

  /** Also raises the body buffer to hold at least one such body. */
  public ServerConfig withMaxEventBytes(int v) {
    Builder b = b();
    b.maxEventBytes = v;
    b.maxBodyBytesInFlight = Math.max(b.maxBodyBytesInFlight, v);
    return b.build();
  }

  public ServerConfig withPublishToken(String v) { Builder b = b(); b.publishToken = v; return b.build(); }

  public ServerConfig withHost(String newHost, boolean anonymousPublish) {
    Builder b = b();
    b.host = newHost;
    b.allowAnonymousPublish = anonymousPublish;
    return b.build();
  }

  public ServerConfig withHistoryBytes(long v) { Builder b = b(); b.historyBytes = v; return b.build(); }

  public ServerConfig withRetry(Duration v) { Builder b = b(); b.retry = v; return b.build(); }

  public ServerConfig withCorsOrigin(String v) { Builder b = b(); b.corsOrigin = v; return b.build(); }

  public ServerConfig withPublishCorsOrigin(String v) { Builder b = b(); b.publishCorsOrigin = v; return b.build(); }

  public ServerConfig withHeadTimeout(Duration v) { Builder b = b(); b.headTimeout = v; return b.build(); }

  public ServerConfig withBodyTimeout(Duration v) { Builder b = b(); b.bodyTimeout = v; return b.build(); }

  public ServerConfig withMaxBodyBytesInFlight(long v) { Builder b = b(); b.maxBodyBytesInFlight = v; return b.build(); }

  public ServerConfig withMaxTopics(int v) { Builder b = b(); b.maxTopics = v; return b.build(); }

  public ServerConfig withMaxPendingConnections(int v) { Builder b = b(); b.maxPendingConnections = v; return b.build(); }
}
