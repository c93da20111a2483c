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
 * @param broker {@code redis://HOST:PORT[/DB]}: topics are Redis Streams that several instances
 *     serve ({@link RedisBroker}); {@code null} for the in-memory history of this process alone
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
    int maxPendingConnections,
    String broker) {

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
    if (broker != null && broker.isEmpty()) broker = null;
    if (broker != null && !broker.startsWith("redis://") && !broker.startsWith("rediss://")) {
      throw new IllegalArgumentException("broker must be redis://HOST:PORT[/DB] (or rediss:// for TLS): " + broker);
    }
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
    return builder().build();
  }

  /** A builder holding the defaults: the one place they are written ({@link Main}'s options read them). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host; b.port = port; b.tick = tick; b.heartbeat = heartbeat; b.retry = retry; b.history = history;
    b.historyBytes = historyBytes; b.maxConnections = maxConnections; b.maxQueueBytes = maxQueueBytes;
    b.maxEventBytes = maxEventBytes; b.corsOrigin = corsOrigin; b.publishToken = publishToken;
    b.allowAnonymousPublish = allowAnonymousPublish; b.shutdownGrace = shutdownGrace; b.headTimeout = headTimeout;
    b.bodyTimeout = bodyTimeout; b.maxBodyBytesInFlight = maxBodyBytesInFlight; b.publishCorsOrigin = publishCorsOrigin;
    b.maxTopics = maxTopics; b.maxPendingConnections = maxPendingConnections; b.broker = broker;
    return b;
  }

  /**
   * Settings being chosen; starts at the defaults, written here once ({@link Main}'s options start
   * from {@link ServerConfig#defaults()}); {@link #build} validates.
   */
  public static final class Builder {
    String host = "127.0.0.1";
    int port = 8080;
    Duration tick = Duration.ofSeconds(1);
    Duration heartbeat = Duration.ofSeconds(15);
    Duration retry = Duration.ofSeconds(3);
    int history = 10_000;
    long historyBytes = 256L << 20;
    int maxConnections = FALLBACK_MAX_CONNECTIONS;
    int maxEventBytes = 1 << 20;
    /** Unset (-1): derived from {@link #maxEventBytes} when built, whatever order the setters ran in. */
    long maxQueueBytes = -1;
    String corsOrigin = "*";
    String publishToken;
    boolean allowAnonymousPublish;
    Duration shutdownGrace = Duration.ofSeconds(5);
    Duration headTimeout = Duration.ofSeconds(10);
    Duration bodyTimeout = Duration.ofSeconds(10);
    long maxBodyBytesInFlight = 64L << 20;
    String publishCorsOrigin = "";
    int maxTopics = 10_000;
    int maxPendingConnections = FALLBACK_MAX_PENDING_CONNECTIONS;
    String broker;

    private Builder() {}

    public Builder host(String v) { host = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder tick(Duration v) { tick = v; return this; }
    public Builder heartbeat(Duration v) { heartbeat = v; return this; }
    public Builder retry(Duration v) { retry = v; return this; }
    public Builder history(int v) { history = v; return this; }
    public Builder historyBytes(long v) { historyBytes = v; return this; }
    public Builder maxConnections(int v) { maxConnections = v; return this; }
    public Builder maxQueueBytes(long v) { maxQueueBytes = v; return this; }
    public Builder maxEventBytes(int v) { maxEventBytes = v; return this; }
    public Builder corsOrigin(String v) { corsOrigin = v; return this; }
    public Builder publishToken(String v) { publishToken = v; return this; }
    public Builder allowAnonymousPublish(boolean v) { allowAnonymousPublish = v; return this; }
    public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }
    public Builder headTimeout(Duration v) { headTimeout = v; return this; }
    public Builder bodyTimeout(Duration v) { bodyTimeout = v; return this; }
    public Builder maxBodyBytesInFlight(long v) { maxBodyBytesInFlight = v; return this; }
    public Builder publishCorsOrigin(String v) { publishCorsOrigin = v; return this; }
    public Builder maxTopics(int v) { maxTopics = v; return this; }
    public Builder maxPendingConnections(int v) { maxPendingConnections = v; return this; }
    public Builder broker(String v) { broker = v; return this; }

    /** The configuration; throws IllegalArgumentException for settings out of range. */
    public ServerConfig build() {
      long queue = maxQueueBytes < 0 ? defaultMaxQueueBytes(maxEventBytes) : maxQueueBytes;
      return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, maxConnections, queue,
          maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace, headTimeout, bodyTimeout,
          maxBodyBytesInFlight, publishCorsOrigin, maxTopics, maxPendingConnections, broker);
    }
  }
}
