package dev.ssekit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one {@link HoldConnections} run's driver and its connections' handlers share: the counters
 * the handlers update from the event-loop threads, the connect and delivery times, the fan-out's
 * marker, and the notes. The driver reads them to pace the ramp and for the report.
 */
final class HoldState {

  final AtomicInteger launched = new AtomicInteger();
  final AtomicInteger connectFailed = new AtomicInteger();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger badStatus = new AtomicInteger();
  final AtomicInteger badContentType = new AtomicInteger();
  final AtomicInteger headTooLarge = new AtomicInteger();
  final AtomicInteger closedBeforeHead = new AtomicInteger();
  final AtomicInteger closedByPeer = new AtomicInteger();
  final AtomicInteger openNow = new AtomicInteger();
  final AtomicInteger delivered = new AtomicInteger();
  final AtomicLong lastDeliveryNanos = new AtomicLong();
  final AtomicInteger firstStatusSeen = new AtomicInteger();
  /** Connect-to-head times (ms) of opened streams, and publish-to-marker times (ms). */
  final int[] connectMs;
  final int[] deliveryMs;
  /** The fan-out's marker, null until it is published; each stream looks for it in its body. */
  volatile byte[] marker;
  volatile long publishNanos;
  /** Set when the run closes its streams, so their closing is not counted as the server's. */
  volatile boolean closing;
  /** Guarded by {@code this}, like {@link #notes} where it is read for the report. */
  final List<String> notes = new ArrayList<>();
  private int closedAfterPublish;

  HoldState(int connections) {
    connectMs = new int[connections];
    deliveryMs = new int[connections];
  }

  /** Connects started but neither failed nor answered with a complete head yet. */
  int inflight() {
    return launched.get() - connectFailed.get() - opened.get() - badStatus.get() - badContentType.get()
        - headTooLarge.get() - closedBeforeHead.get();
  }

  /** A stream got a good response head; {@code startedNanos} is when its connect began. */
  void streamOpened(long startedNanos) {
    int n = opened.getAndIncrement();
    if (n < connectMs.length) connectMs[n] = (int) HoldReport.ms(System.nanoTime() - startedNanos);
    openNow.incrementAndGet();
  }

  /** A stream saw the marker (once per stream). */
  void markerSeen() {
    long now = System.nanoTime();
    int n = delivered.getAndIncrement();
    if (n < deliveryMs.length) deliveryMs[n] = (int) HoldReport.ms(now - publishNanos);
    lastDeliveryNanos.accumulateAndGet(now, Math::max);
  }

  /** An open stream was closed by the server after the publish, before it saw the marker. */
  synchronized void closedBeforeMarker() {
    closedAfterPublish++;
  }

  int closedAfterPublish() {
    return closedAfterPublish;
  }

  /** Adds a note from an event-loop thread, at most 20 of them. */
  synchronized void noteOnce(String s) {
    if (notes.size() < 20) notes.add(s);
  }
}
