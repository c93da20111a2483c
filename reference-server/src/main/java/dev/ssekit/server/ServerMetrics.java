package dev.ssekit.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The server's counters and gauges, served as Prometheus text at {@code GET /metrics}. Hot paths
 * add in bulk (one increment per fan-out batch, not per subscriber write).
 */
final class ServerMetrics {

  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final AtomicInteger openStreams = new AtomicInteger();
  /** Connections counted against --max-connections: event streams and scenario streams. */
  final AtomicInteger slots = new AtomicInteger();
  final AtomicInteger scenarioStreams = new AtomicInteger();
  final Counter streamsOpened;
  final Counter streamsRejected;
  final Counter eventsPublished;
  final Counter eventsDelivered;
  final Counter eventFlushes;
  final Counter bytesWritten;
  final Counter slowConsumerDisconnects;
  final Counter resumeHits;
  final Counter resumeMisses;
  final Counter heartbeatsSent;
  final Counter acceptFailures;

  ServerMetrics(Topics topics) {
    Gauge.builder("sse.connections.open", openStreams, AtomicInteger::get)
        .description("Event streams open now").register(registry);
    Gauge.builder("sse.scenario.streams.open", scenarioStreams, AtomicInteger::get)
        .description("Scripted /scenarios streams open now (they count toward --max-connections too)").register(registry);
    streamsOpened = Counter.builder("sse.connections.opened")
        .description("Event streams opened since start").register(registry);
    streamsRejected = Counter.builder("sse.connections.rejected")
        .description("Streams turned away at --max-connections (told to retry later)").register(registry);
    eventsPublished = Counter.builder("sse.events.published")
        .description("Events accepted for publishing, ticks included").register(registry);
    eventsDelivered = Counter.builder("sse.events.delivered")
        .description("Event writes to subscribers (one per event per subscriber), replays included")
        .register(registry);
    eventFlushes = Counter.builder("sse.events.flushes")
        .description("Flushes of event writes to subscribers: each is one write system call or more (several"
            + " events go in one when a subscriber is behind); delivered over flushes is events per flush")
        .register(registry);
    bytesWritten = Counter.builder("sse.written").baseUnit("bytes")
        .description("Bytes written on event streams, HTTP framing included").register(registry);
    slowConsumerDisconnects = Counter.builder("sse.slow.consumer.disconnects")
        .description("Subscribers disconnected for falling behind by more than --max-queue-bytes")
        .register(registry);
    resumeHits = Counter.builder("sse.resume.hits")
        .description("Reconnects whose Last-Event-ID was found in the history").register(registry);
    resumeMisses = Counter.builder("sse.resume.misses")
        .description("Reconnects whose Last-Event-ID was unknown or expired (stream from live)")
        .register(registry);
    heartbeatsSent = Counter.builder("sse.heartbeats.sent")
        .description("Comment heartbeats written to idle streams").register(registry);
    acceptFailures = Counter.builder("sse.accept.failures")
        .description("Failed accepts (e.g. no file descriptor left); accepting pauses briefly and resumes")
        .register(registry);
    Gauge.builder("sse.topics", topics, (ToDoubleFunction<Topics>) Topics::size)
        .description("Topics known to the server").register(registry);
    Gauge.builder("process.resident.memory", ServerMetrics::residentBytes).baseUnit("bytes")
        .description("Resident set size of the server process (VmRSS)").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /**
   * Gauges of the request side: request-body bytes reserved ({@link BodyBudget}) and connections
   * that are not streams ({@link PendingConnections}), with their eviction and refusal counts.
   */
  void watchRequests(BodyBudget bodies, PendingConnections pending) {
    Gauge.builder("sse.request.body.buffered", bodies, BodyBudget::used).baseUnit("bytes")
        .description("Request-body bytes reserved now across all connections (bounded by --max-body-buffer)")
        .register(registry);
    Gauge.builder("sse.pending.connections", pending, PendingConnections::held)
        .description("Connections that are not streams now: requests being read or answered, idle keep-alive"
            + " (bounded by --max-pending-connections)").register(registry);
    FunctionCounter.builder("sse.pending.evicted", pending, PendingConnections::evicted)
        .description("Pending connections closed to make room for a new one (503 if mid-request)").register(registry);
    FunctionCounter.builder("sse.pending.refused", pending, PendingConnections::refused)
        .description("New connections closed at once: --max-pending-connections reached").register(registry);
  }

  /** Takes one of --max-connections slots unless all are taken; exact under concurrency. */
  boolean reserveSlot(int max) {
    while (true) {
      int used = slots.get();
      if (used >= max) return false;
      if (slots.compareAndSet(used, used + 1)) return true;
    }
  }

  String scrape() {
    return registry.scrape();
  }

  /** VmRSS of this process in bytes, or NaN where /proc is not available. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
