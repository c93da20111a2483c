package dev.ssekit.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The reference server's side of a Redis Streams broker ({@code --broker redis://HOST:PORT[/DB]}):
 * each topic is one Redis Stream, {@value #KEY_PREFIX}{@code <topic>}, whose entries have the fields
 * {@code data} and (when the event has a type) {@code event}, so any other program can publish with
 * a plain {@code XADD}. The stream's entry ids are the events' SSE ids.
 *
 * <p>Three uses, two connections (Lettuce, on Netty, with two small threads of its own (its minimum)):
 * <ul>
 *   <li>{@link #publish}: {@code XADD key MAXLEN ~ history * …}; the reply is the new entry's id.
 *   <li>{@link #tail}: the newest {@code history} entries ({@code XREVRANGE}), read when a topic is
 *       first used on this instance.
 *   <li>{@link #follow}: from then on one thread reads every followed topic with one blocking
 *       {@code XREAD} on a connection of its own, so each instance reads each new entry once per
 *       topic, however many streams it serves, and hands it to {@link Sink#entries}.
 * </ul>
 * When Redis cannot be reached, commands fail at once (they are not queued), {@link #up()} turns
 * false with the reason, the reader retries every {@link #RETRY} and, once Redis answers again,
 * continues after the last id it read, so nothing kept by Redis is lost or read twice.
 */
final class RedisStreams implements AutoCloseable {

  /** The prefix of every stream key this server reads or writes. */
  static final String KEY_PREFIX = "ssekit:events:";
  /** How long one {@code XREAD} waits for new entries before it looks at the followed topics again. */
  static final Duration BLOCK = Duration.ofMillis(100);
  /** How long the reader waits between attempts while Redis cannot be reached. */
  static final Duration RETRY = Duration.ofMillis(250);
  /** Entries one {@code XREAD} returns at most, per stream. */
  static final int READ_BATCH = 1_000;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  /** The longest wait between two attempts to reconnect to Redis. */
  static final Duration RECONNECT_MAX = Duration.ofSeconds(1);
  private static final Logger LOG = Logger.getLogger(RedisStreams.class.getName());

  /** One entry of a topic's stream. */
  record Entry(String id, String event, String data) {}

  /** Where the reader hands what it reads. Called on the reader's thread, never concurrently. */
  interface Sink {
    /** New entries of {@code topic}, in stream order. */
    void entries(String topic, List<Entry> entries);

    /** Redis became reachable ({@code reason} null) or stopped being so. */
    void health(String reason);
  }

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> commands;
  private final StatefulRedisConnection<String, String> reads;
  private final int history;
  private final Sink sink;
  /** Followed topics and the id of the last entry read from each. */
  private final Map<String, String> followed = new ConcurrentHashMap<>();
  private final Thread reader;
  private volatile String downReason;
  private volatile boolean closed;

  /**
   * Connects to Redis and starts the reader.
   *
   * @param uri {@code redis://HOST:PORT[/DB]}
   * @param history entries each stream keeps (approximately: {@code MAXLEN ~})
   * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached now
   */
  RedisStreams(String uri, int history, Sink sink) {
    this.history = history;
    this.sink = sink;
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(COMMAND_TIMEOUT);
    // Reconnect attempts back off from 10 ms to at most RECONNECT_MAX, so a long outage is noticed
    // ending within about a second (Lettuce's default backs off to 30 s).
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(10), RECONNECT_MAX, 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources, redisUri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
        .build());
    try {
      this.commands = client.connect(StringCodec.UTF8);
      this.reads = client.connect(StringCodec.UTF8);
    } catch (RuntimeException e) {
      shutDownClient();
      throw e;
    }
    this.reader = new Thread(this::readLoop, "redis-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** The key of {@code topic}'s stream. */
  static String key(String topic) {
    return KEY_PREFIX + topic;
  }

  /** True while Redis answers. */
  boolean up() {
    return downReason == null;
  }

  /** Why Redis is not reachable now, or null when it is. */
  String downReason() {
    return downReason;
  }

  /** Appends an event to {@code topic}'s stream; completes with its id. */
  CompletionStage<String> publish(String topic, String event, String data) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (event != null) fields.put("event", event);
    fields.put("data", data);
    return commands.async().xadd(key(topic), XAddArgs.Builder.maxlen(history).approximateTrimming(), fields);
  }

  /** The newest {@code history} entries of {@code topic}'s stream, oldest first. */
  CompletionStage<List<Entry>> tail(String topic) {
    return commands.async().xrevrange(key(topic), Range.unbounded(), Limit.from(history)).thenApply(messages -> {
      List<Entry> entries = new ArrayList<>(messages.size());
      for (StreamMessage<String, String> m : messages) entries.add(entry(m));
      Collections.reverse(entries);
      return entries;
    });
  }

  /**
   * Reads {@code topic}'s new entries from now on, those after {@code afterId} first ({@code "0-0"}:
   * from the start of the stream).
   */
  void follow(String topic, String afterId) {
    followed.put(topic, afterId);
  }

  /** Stops reading {@code topic}. */
  void unfollow(String topic) {
    followed.remove(topic);
  }

  private void readLoop() {
    while (!closed) {
      try {
        if (followed.isEmpty()) {
          Thread.sleep(BLOCK.toMillis());
          reads.sync().ping(); // keeps up() true to the fact while nothing is followed
        } else {
          readOnce();
        }
        healthy();
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) { // a bug or an Error must not end the reader while /healthz says ok
        if (closed) return;
        unhealthy(e);
        try {
          Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void readOnce() {
    List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>(followed.size());
    followed.forEach((topic, after) -> offsets.add(XReadArgs.StreamOffset.from(key(topic), after)));
    List<StreamMessage<String, String>> messages = reads.sync().xread(
        XReadArgs.Builder.block(BLOCK).count(READ_BATCH), offsets.toArray(XReadArgs.StreamOffset[]::new));
    if (messages == null || messages.isEmpty()) return;
    Map<String, List<Entry>> byTopic = new LinkedHashMap<>();
    for (StreamMessage<String, String> m : messages) {
      String topic = m.getStream().substring(KEY_PREFIX.length());
      byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(entry(m));
    }
    byTopic.forEach((topic, entries) -> {
      // A topic unfollowed meanwhile is skipped: a later follow starts from its own tail. The
      // offset moves only once the sink has taken the entries (a failing sink reads them again).
      if (!followed.containsKey(topic)) return;
      sink.entries(topic, entries);
      followed.replace(topic, entries.get(entries.size() - 1).id());
    });
  }

  private void healthy() {
    if (downReason == null) return;
    downReason = null;
    LOG.info("redis is reachable again; reading the followed topics after the last ids read");
    sink.health(null);
  }

  private void unhealthy(Throwable e) {
    String reason = "redis unreachable: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    boolean wasUp = downReason == null;
    downReason = reason; // the text may change during one outage; the sink hears of transitions only
    if (!wasUp) return;
    LOG.log(Level.WARNING, reason + "; retrying every " + RETRY.toMillis() + " ms");
    sink.health(reason);
  }

  private static Entry entry(StreamMessage<String, String> m) {
    Map<String, String> body = m.getBody();
    String data = body.get("data");
    return new Entry(m.getId(), body.get("event"), data == null ? "" : data);
  }

  @Override
  public void close() {
    closed = true;
    reader.interrupt();
    try {
      reader.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commands.close();
    reads.close();
    shutDownClient();
  }

  private void shutDownClient() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
