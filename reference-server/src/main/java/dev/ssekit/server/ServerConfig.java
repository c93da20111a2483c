package dev.ssekit.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of one {@link SseServer}; every field maps to a command-line option of
 * {@code sse-reference-server.jar} and is documented in the README.
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
    Duration shutdownGrace) {

  public static final String DEFAULT_TOPIC = "default";

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(corsOrigin, "corsOrigin");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    if (tick.isNegative() || heartbeat.isNegative() || retry.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (history < 1) throw new IllegalArgumentException("history must be at least 1: " + history);
    if (historyBytes < 4096) throw new IllegalArgumentException("history-bytes must be at least 4096");
    if (maxConnections < 1) throw new IllegalArgumentException("max-connections must be at least 1");
    if (maxQueueBytes < 1024) throw new IllegalArgumentException("max-queue-bytes must be at least 1024");
    if (maxEventBytes < 16) throw new IllegalArgumentException("max-event-bytes must be at least 16");
    if (corsOrigin.indexOf('\r') >= 0 || corsOrigin.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("cors-origin must not contain line breaks");
    }
    if (publishToken != null && publishToken.isEmpty()) publishToken = null;
  }

  /** The defaults of the command line, bound to 127.0.0.1:8080. */
  public static ServerConfig defaults() {
    return new ServerConfig("127.0.0.1", 8080, Duration.ofSeconds(1), Duration.ofSeconds(15),
        Duration.ofSeconds(3), 10_000, 256L << 20, 20_000, 1L << 20, 1 << 20, "*", null, false,
        Duration.ofSeconds(5));
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(host, newPort, tick, heartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withTick(Duration newTick) {
    return new ServerConfig(host, port, newTick, heartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withHeartbeat(Duration newHeartbeat) {
    return new ServerConfig(host, port, tick, newHeartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withHistory(int newHistory) {
    return new ServerConfig(host, port, tick, heartbeat, retry, newHistory, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withMaxConnections(int newMax) {
    return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, newMax,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withMaxQueueBytes(long newMax) {
    return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, maxConnections,
        newMax, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withMaxEventBytes(int newMax) {
    return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, newMax, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withPublishToken(String token) {
    return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, token, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withHost(String newHost, boolean anonymousPublish) {
    return new ServerConfig(newHost, port, tick, heartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, anonymousPublish, shutdownGrace);
  }

  public ServerConfig withHistoryBytes(long newHistoryBytes) {
    return new ServerConfig(host, port, tick, heartbeat, retry, history, newHistoryBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withRetry(Duration newRetry) {
    return new ServerConfig(host, port, tick, heartbeat, newRetry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, corsOrigin, publishToken, allowAnonymousPublish, shutdownGrace);
  }

  public ServerConfig withCorsOrigin(String origin) {
    return new ServerConfig(host, port, tick, heartbeat, retry, history, historyBytes, maxConnections,
        maxQueueBytes, maxEventBytes, origin, publishToken, allowAnonymousPublish, shutdownGrace);
  }
}
