package dev.ssekit.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's periodic work, shared by every connection: the tick events on the default topic
 * ({@code --tick}), comment heartbeats on idle streams ({@code --heartbeat}: one timer per event
 * loop for all the streams on it, nothing per connection) and the sweep of empty topics. Started
 * by {@link SseServer} once bound, cancelled when it closes.
 */
final class SharedTimers {

  private final ServerConfig config;
  private final Topics topics;
  private final ServerMetrics metrics;
  /** With --broker, ticks are published through Redis like any event (null without). */
  private final RedisBroker broker;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private final AtomicLong tickSeq = new AtomicLong();
  private final Frame heartbeat = Frame.control(": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII));

  SharedTimers(ServerConfig config, Topics topics, ServerMetrics metrics, RedisBroker broker) {
    this.broker = broker;
    this.config = config;
    this.topics = topics;
    this.metrics = metrics;
  }

  /** Schedules every timer on {@code loops}. */
  void start(EventLoopGroup loops) {
    if (!config.tick().isZero()) {
      long ms = config.tick().toMillis();
      timers.add(loops.next().scheduleAtFixedRate(guarded("tick", this::tick), ms, ms, TimeUnit.MILLISECONDS));
    }
    if (!config.heartbeat().isZero()) {
      // One shared timer per event loop, checking a quarter-period so no stream is silent much
      // longer than --heartbeat; nothing per connection.
      long periodNanos = config.heartbeat().toNanos();
      long checkMs = Math.max(50, config.heartbeat().toMillis() / 4);
      for (EventExecutor executor : loops) {
        EventLoop loop = (EventLoop) executor;
        timers.add(loop.scheduleAtFixedRate(guarded("heartbeat", () -> heartbeats(loop, periodNanos)), checkMs, checkMs,
            TimeUnit.MILLISECONDS));
      }
    }
    timers.add(loops.next().scheduleAtFixedRate(guarded("sweep", topics::sweep), 10, 10, TimeUnit.SECONDS));
  }

  /** Cancels every timer; a run in progress finishes. */
  void cancel() {
    timers.forEach(t -> t.cancel(false));
  }

  /** A periodic task that survives its own failures: a scheduled task that throws never runs again. */
  private static Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) { // an OutOfMemoryError too: log it and keep the timer alive
        ServerLog.anomaly(what + "-failed", what + " failed: " + t);
      }
    };
  }

  /** Publishes one tick: a sequence number and the send time in microseconds since the epoch. */
  private void tick() {
    Instant now = Instant.now();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    String data = "{\"seq\":" + tickSeq.incrementAndGet() + ",\"sentAtMicros\":" + micros + "}";
    if (broker != null) {
      broker.publish(ServerConfig.DEFAULT_TOPIC, "tick", data).whenComplete((id, failure) -> {
        if (failure != null) ServerLog.anomaly("tick", "tick not published: " + RedisBroker.reason(failure));
      });
      return;
    }
    try {
      topics.publish(ServerConfig.DEFAULT_TOPIC, null, EventEncoder.body("tick", data));
    } catch (Topics.Refused e) {
      ServerLog.anomaly("tick", "tick not published: " + e.getMessage());
    }
  }

  private void heartbeats(EventLoop loop, long periodNanos) {
    long now = System.nanoTime();
    topics.forGroupsOn(loop, ls -> {
      if (ls.size() > 0 && now - ls.lastWriteNanos >= periodNanos) {
        metrics.heartbeatsSent.increment(ls.size());
        ls.broadcast(heartbeat);
      }
    });
  }
}
