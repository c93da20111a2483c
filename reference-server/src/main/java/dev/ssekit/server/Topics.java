package dev.ssekit.server;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The topic registry: names are checked, and the number of topics is bounded. */
final class Topics {

  /** Topics a server will create; past it, new topic names are refused (bounded memory). */
  static final int MAX_TOPICS = 10_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._~:@/-]{1,128}");

  private final ConcurrentHashMap<String, Topic> byName = new ConcurrentHashMap<>();
  private final int historyLimit;
  private final long maxQueueBytes;
  private ServerMetrics metrics;

  Topics(int historyLimit, long maxQueueBytes) {
    this.historyLimit = historyLimit;
    this.maxQueueBytes = maxQueueBytes;
  }

  void bind(ServerMetrics serverMetrics) {
    this.metrics = serverMetrics;
  }

  /** Why {@code name} is not a topic name, or null when it is one. */
  static String invalidReason(String name) {
    if (NAME.matcher(name).matches()) return null;
    return "topic must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : @ / -";
  }

  /** The topic called {@code name}, created on first use; null when the registry is full. */
  Topic getOrCreate(String name) {
    Topic t = byName.get(name);
    if (t != null) return t;
    if (byName.size() >= MAX_TOPICS) return null;
    return byName.computeIfAbsent(name,
        n -> new Topic(n, historyLimit, metrics, maxQueueBytes, System.currentTimeMillis() * 1000));
  }

  Collection<Topic> all() {
    return byName.values();
  }

  int size() {
    return byName.size();
  }
}
