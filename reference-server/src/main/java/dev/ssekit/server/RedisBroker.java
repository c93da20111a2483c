package dev.ssekit.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Several server instances serving one logical stream ({@code --broker redis://…}): every topic is a
 * Redis Stream ({@link RedisStreams}) and this instance's {@link Topics} hold a mirror of its newest
 * {@code --history} events, which the local subscribers are written from exactly as without a
 * broker. A topic is mirrored the first time a stream asks for it here ({@link #mirror}): its tail
 * is read, then one reader follows it. A publish on any instance is an {@code XADD}; every instance
 * mirroring the topic reads the entry once, encodes it once and fans it out, so a client may
 * publish on one instance and resume on another with the id it last saw.
 */
final class RedisBroker implements RedisStreams.Sink, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RedisBroker.class.getName());

  private final Topics topics;
  private final String uri;
  private final RedisStreams redis;
  /** Topics whose tail is being read now, and the read's completion. */
  private final ConcurrentHashMap<String, CompletableFuture<Void>> mirroring =
      new ConcurrentHashMap<>();

  /**
   * Connects to Redis and makes {@code topics} a mirror.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached now
   */
  RedisBroker(String uri, int history, Topics topics) {
    this.topics = topics;
    this.uri = uri;
    this.redis = new RedisStreams(uri, history, this);
    topics.brokered(redis::unfollow);
  }

  /** The broker's address as shown (startup line, {@code /healthz}, refusals): without a password. */
  String uri() {
    return shown(uri);
  }

  /** {@code uri} without the user information (a password) it may carry. */
  static String shown(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    return scheme >= 0 && at > scheme ? uri.substring(0, scheme + 3) + uri.substring(at + 1) : uri;
  }

  /** True while Redis answers. */
  boolean up() {
    return redis.up();
  }

  /** Why Redis is unreachable now, or null. */
  String downReason() {
    return redis.downReason();
  }

  /**
   * Completes once {@code topic} is mirrored here (at once when it is); fails when Redis cannot be
   * read or the registry is full ({@link Topics.Refused}).
   */
  CompletionStage<Void> mirror(String topic) {
    if (topics.mirrored(topic)) return CompletableFuture.completedFuture(null);
    // One tail read per topic at a time: a thousand streams reconnecting to this instance after
    // another was killed share it, rather than each reading --history entries.
    CompletableFuture<Void> running = mirroring.get(topic);
    if (running != null) return running;
    CompletableFuture<Void> started = new CompletableFuture<>();
    running = mirroring.putIfAbsent(topic, started);
    if (running != null) return running;
    readTail(topic).whenComplete((ok, failure) -> {
      mirroring.remove(topic, started);
      if (failure != null) started.completeExceptionally(failure);
      else started.complete(null);
    });
    return started;
  }

  private CompletionStage<Void> readTail(String topic) {
    return redis.tail(topic).thenApply(tail -> {
      List<Topics.BrokerEvent> events = encode(topic, tail);
      try {
        // Follow after the newest entry read, kept or skipped: after the newest kept one (or from
        // the stream's start when every one was skipped) would read the skipped ones, or the whole
        // stream's past, again as new events.
        if (topics.mirror(topic, events) != null) redis.follow(topic, newestId(tail));
        return null;
      } catch (Topics.Refused e) {
        throw new CompletionException(e);
      }
    });
  }

  /** The id after which new entries are read: the newest of {@code tail}, or {@code "0-0"} (the start) for an empty stream. */
  static String newestId(List<RedisStreams.Entry> tail) {
    return tail.isEmpty() ? "0-0" : tail.get(tail.size() - 1).id();
  }

  /** Appends an event to {@code topic}'s stream; completes with its id. */
  CompletionStage<String> publish(String topic, String event, String data) {
    return redis.publish(topic, event, data);
  }

  /**
   * True when {@code failure} says the command never left this instance (Redis was not connected,
   * so it was rejected at once); false when it was sent and its outcome is unknown (a timeout, or
   * the connection dropped while it was in flight).
   */
  static boolean rejected(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("Commands are rejected")) return true;
      if (t instanceof io.lettuce.core.RedisConnectionException) return true;
    }
    return false;
  }

  /**
   * True when Redis answered the command with an error (out of memory, a key of another type, no
   * permission): it ran and appended nothing, so nothing was published.
   */
  static boolean refusedByRedis(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof io.lettuce.core.RedisCommandExecutionException) return true;
    }
    return false;
  }

  /** A failed broker call in a sentence: the first cause's message. */
  static String reason(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException || t.getMessage() == null)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  @Override
  public void entries(String topic, List<RedisStreams.Entry> entries) {
    topics.appendFromBroker(topic, encode(topic, entries));
  }

  @Override
  public void health(String reason) {
    if (reason == null) LOG.info("broker " + uri() + " reachable; events flow again");
    else LOG.warning("broker " + uri() + ": " + reason + "; publishes answer 503, new topics wait");
  }

  /**
   * Each entry encoded once, as the publish endpoint would: an entry another program added with a
   * type that could inject fields (CR, LF) is skipped and logged, never written (one without a
   * {@code data} field is an event with empty data).
   */
  private static List<Topics.BrokerEvent> encode(String topic, List<RedisStreams.Entry> entries) {
    List<Topics.BrokerEvent> out = new ArrayList<>(entries.size());
    for (RedisStreams.Entry e : entries) {
      try {
        PublishHandler.Request r = PublishHandler.validate(e.data(), e.event(), null);
        out.add(new Topics.BrokerEvent(e.id(), EventEncoder.body(r.event(), r.data())));
      } catch (Refusal refusal) {
        ServerLog.anomaly("broker-entry", "broker entry " + e.id() + " of topic " + topic + " skipped: " + refusal.getMessage());
      }
    }
    return out;
  }

  @Override
  public void close() {
    redis.close();
  }
}
