package dev.ssekit.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The subscribers of one topic that live on one event loop. A publish schedules one drain per
 * loop (coalesced while one is pending); the drain {@linkplain #pump pumps} every subscriber: it
 * writes the frames each still needs from the shared history while the socket accepts data,
 * then flushes once. Everything but {@link #scheduleDrain} runs on {@link #loop}.
 */
final class LoopSubscribers {

  final EventLoop loop;
  private final Topic topic;
  private final Topics registry;
  private final ServerMetrics metrics;
  private final long maxQueueBytes;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private Subscriber[] subscribers = new Subscriber[8];
  private int size;
  /** Last time anything was written to these subscribers, for idle heartbeats. */
  long lastWriteNanos = System.nanoTime();

  LoopSubscribers(EventLoop loop, Topic topic, Topics registry) {
    this.loop = loop;
    this.topic = topic;
    this.registry = registry;
    this.metrics = registry.metrics();
    this.maxQueueBytes = registry.maxQueueBytes();
  }

  int size() {
    return size;
  }

  ServerMetrics metrics() {
    return metrics;
  }

  void add(Subscriber s) {
    if (size == subscribers.length) subscribers = Arrays.copyOf(subscribers, size * 2);
    s.index = size;
    subscribers[size++] = s;
  }

  /** Swap-removes in O(1); idempotent. */
  void remove(Subscriber s) {
    int i = s.index;
    if (i < 0 || i >= size || subscribers[i] != s) return;
    Subscriber last = subscribers[--size];
    subscribers[i] = last;
    last.index = i;
    subscribers[size] = null;
    s.index = -1;
    s.ended = true;
    if (size == 0 && subscribers.length > 64) subscribers = new Subscriber[8];
    registry.unsubscribed(topic);
  }

  /** From any thread: make sure a drain runs on the loop after this call. */
  void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this::drain);
      } catch (RejectedExecutionException stopping) {
        drainScheduled.set(false); // the server is stopping; streams are being ended
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    // Closes triggered below unsubscribe in a later loop task, so the array is stable here.
    int flushes = 0;
    for (int i = 0; i < size; i++) {
      if (writeAndFlush(subscribers[i])) flushes++;
    }
    if (flushes > 0) metrics.eventFlushes.increment(flushes);
  }

  /** Writes what {@code s} still needs while its socket accepts data, then flushes. */
  void pumpAndFlush(Subscriber s) {
    if (writeAndFlush(s)) metrics.eventFlushes.increment();
  }

  /** {@link #pump}, then one flush when anything was written; whether it flushed. */
  private boolean writeAndFlush(Subscriber s) {
    if (pump(s) == 0) return false;
    s.channel.flush();
    lastWriteNanos = System.nanoTime();
    return true;
  }

  /**
   * Writes frames from {@code s.nextSeq} on, while the channel is writable; returns how many.
   * A subscriber whose next event left the history, or that lags more than --max-queue-bytes
   * behind what was published since it joined, is disconnected: it is not keeping up, and it
   * resumes by id when it reconnects.
   */
  int pump(Subscriber s) {
    Channel ch = s.channel;
    if (s.ended || !ch.isActive()) return 0;
    int written = 0;
    long bytes = 0;
    long last = topic.lastSeq();
    while (s.nextSeq <= last && (ch.isWritable() || s.skipThrough != null)) {
      Frame f = topic.frame(s.nextSeq);
      if (f == null) {
        cutOff(s, "its next event left the history");
        break;
      }
      if (s.skipThrough != null && s.skips(f)) { // the client has it: passed over, writable or not
        s.nextSeq++;
        continue;
      }
      if (!ch.isWritable()) break;
      ch.write(f.wire(s.chunked), ch.voidPromise());
      s.nextSeq++;
      written++;
      bytes += f.wireLength(s.chunked);
    }
    if (written > 0) {
      metrics.eventsDelivered.increment(written);
      metrics.bytesWritten.increment(bytes);
    }
    if (!s.ended && s.nextSeq <= last && !ch.isWritable()) checkLag(s);
    return written;
  }

  private void checkLag(Subscriber s) {
    Frame next = topic.frame(s.nextSeq);
    if (next == null) {
      cutOff(s, "its next event left the history");
      return;
    }
    long position = Math.max(next.cumulativeEnd - next.size(), s.joinedAtBytes);
    long lag = topic.cumulativeBytes() - position;
    if (lag > maxQueueBytes) cutOff(s, "more than " + maxQueueBytes + " bytes behind");
  }

  private void cutOff(Subscriber s, String why) {
    s.ended = true;
    metrics.slowConsumerDisconnects.increment();
    ServerLog.anomaly("slow-consumer", "disconnected slow subscriber " + s.channel.remoteAddress()
        + " on topic '" + topic.name + "': " + why);
    s.channel.close();
  }

  /** Writes the same bytes to every subscriber here that can take them (heartbeats). */
  void broadcast(Frame frame) {
    long bytes = 0;
    for (int i = 0; i < size; i++) {
      Subscriber s = subscribers[i];
      Channel ch = s.channel;
      if (s.ended || !ch.isActive() || !ch.isWritable()) continue; // a stalled stream needs no keep-alive
      ch.writeAndFlush(frame.wire(s.chunked), ch.voidPromise());
      bytes += frame.wireLength(s.chunked);
    }
    lastWriteNanos = System.nanoTime();
    metrics.bytesWritten.increment(bytes);
  }

  /**
   * Ends every stream here: {@code notice}, then the last chunk of a chunked body, then close, so
   * clients see a normal end of the body and reconnect (§9.2.2). Nothing is written after.
   */
  int endAll(Frame notice) {
    int ended = 0;
    for (int i = 0; i < size; i++) {
      Subscriber s = subscribers[i];
      Channel ch = s.channel;
      if (s.ended || !ch.isActive()) continue;
      s.ended = true;
      ended++;
      ch.write(notice.wire(s.chunked), ch.voidPromise());
      StreamWire.end(ch, s.chunked);
    }
    return ended;
  }
}
