package dev.ssekit.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The subscribers of one topic that live on one event loop, and the frames waiting to reach them.
 * Publishers (any thread) append frames under the topic's lock and schedule one drain task per
 * loop; the drain writes every waiting frame to every subscriber and flushes each once. All
 * other state is touched only on {@link #loop}.
 */
final class LoopSubscribers {

  final EventLoop loop;
  private final Topic topic;
  private final ServerMetrics metrics;
  private final long maxQueueBytes;
  private final ConcurrentLinkedQueue<Frame> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private Subscriber[] subscribers = new Subscriber[8];
  private int size;
  /** Last time anything was written to these subscribers, for idle heartbeats (loop-confined). */
  long lastWriteNanos = System.nanoTime();

  LoopSubscribers(EventLoop loop, Topic topic, ServerMetrics metrics, long maxQueueBytes) {
    this.loop = loop;
    this.topic = topic;
    this.metrics = metrics;
    this.maxQueueBytes = maxQueueBytes;
  }

  int size() {
    return size;
  }

  /** Called on {@link #loop}. */
  void add(Subscriber s) {
    if (size == subscribers.length) subscribers = Arrays.copyOf(subscribers, size * 2);
    s.index = size;
    subscribers[size++] = s;
  }

  /** Called on {@link #loop}; swap-removes in O(1). */
  void remove(Subscriber s) {
    int i = s.index;
    if (i < 0 || i >= size || subscribers[i] != s) return;
    Subscriber last = subscribers[--size];
    subscribers[i] = last;
    last.index = i;
    subscribers[size] = null;
    s.index = -1;
    if (size == 0 && subscribers.length > 64) subscribers = new Subscriber[8];
  }

  /** Called by publishers while they hold the topic lock, so frames queue in id order. */
  void enqueue(Frame frame) {
    pending.add(frame);
    if (drainScheduled.compareAndSet(false, true)) loop.execute(this::drain);
  }

  private void drain() {
    drainScheduled.set(false);
    List<Frame> frames = new ArrayList<>();
    for (Frame f; (f = pending.poll()) != null; ) frames.add(f);
    if (frames.isEmpty() || size == 0) return;
    long deliveries = 0;
    long bytes = 0;
    // Iterate over a stable bound: closes triggered below unsubscribe in a later loop task.
    int n = size;
    for (int i = 0; i < n; i++) {
      Subscriber s = subscribers[i];
      Channel ch = s.channel;
      if (!ch.isActive()) continue;
      boolean wrote = false;
      for (Frame f : frames) {
        if (f.seq <= s.startSeq) continue; // already replayed to this subscriber
        ch.write(f.wire(s.chunked), ch.voidPromise());
        deliveries++;
        bytes += f.wireLength(s.chunked);
        wrote = true;
      }
      if (wrote) {
        ch.flush();
        checkBacklog(s);
      }
    }
    lastWriteNanos = System.nanoTime();
    metrics.eventsDelivered.increment(deliveries);
    metrics.bytesWritten.increment(bytes);
  }

  /** Writes the same bytes to every subscriber here (heartbeats, shutdown notices); on the loop. */
  void broadcast(Frame frame) {
    long bytes = 0;
    for (int i = 0; i < size; i++) {
      Subscriber s = subscribers[i];
      Channel ch = s.channel;
      if (!ch.isActive()) continue;
      ch.writeAndFlush(frame.wire(s.chunked), ch.voidPromise());
      bytes += frame.wireLength(s.chunked);
      checkBacklog(s);
    }
    lastWriteNanos = System.nanoTime();
    metrics.bytesWritten.increment(bytes);
  }

  /**
   * Ends every stream here cleanly (the last chunk of a chunked body, then close), so clients
   * see a normal end of the body and reconnect (§9.2.2); on the loop.
   */
  void endAll() {
    for (int i = 0; i < size; i++) {
      Subscriber s = subscribers[i];
      Channel ch = s.channel;
      if (!ch.isActive()) continue;
      if (s.chunked) ch.writeAndFlush(EventStreams.lastChunk()).addListener(f -> ch.close());
      else ch.close();
    }
  }

  /**
   * Disconnects a subscriber whose unsent bytes passed --max-queue-bytes: it is not keeping up,
   * and buffering for it without bound would let one slow reader exhaust the server. It resumes by
   * id when it reconnects.
   */
  private void checkBacklog(Subscriber s) {
    Channel ch = s.channel;
    if (ch.isActive() && ch.unsafe().outboundBuffer() != null
        && ch.unsafe().outboundBuffer().totalPendingWriteBytes() > maxQueueBytes) {
      metrics.slowConsumerDisconnects.increment();
      ServerLog.anomaly("slow-consumer", "disconnected slow subscriber " + ch.remoteAddress()
          + " on topic '" + topic.name + "': more than " + maxQueueBytes + " bytes unsent");
      ch.close();
    }
  }
}
