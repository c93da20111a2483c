package dev.ssekit.server;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line per start, stop and anomaly, on standard error; never one per event. Anomalies of one
 * kind are limited to one line per second, with a count of the ones left out.
 */
final class ServerLog {

  private static final long WINDOW_NANOS = 1_000_000_000L;
  private static final ConcurrentHashMap<String, Window> WINDOWS = new ConcurrentHashMap<>();

  private ServerLog() {}

  static {
    WINDOWS.put("", new Window()); // load the nested class now: later, loading it may need a descriptor there is not
  }

  static void info(String message) {
    line("INFO", message);
  }

  static void error(String message) {
    line("ERROR", message);
  }

  /** Logs an anomaly of {@code kind}, at most once a second per kind. */
  static void anomaly(String kind, String message) {
    Window w = WINDOWS.computeIfAbsent(kind, k -> new Window());
    long now = System.nanoTime();
    long last = w.lastLogged.get();
    if (now - last >= WINDOW_NANOS && w.lastLogged.compareAndSet(last, now)) {
      long suppressed = w.suppressed.getAndSet(0);
      line("WARN", message + (suppressed > 0 ? " (" + suppressed + " more like it not shown)" : ""));
    } else {
      w.suppressed.incrementAndGet();
    }
  }

  private static void line(String level, String message) {
    System.err.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + level + " " + message);
  }

  private static final class Window {
    final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - 2 * WINDOW_NANOS);
    final AtomicLong suppressed = new AtomicLong();
  }
}
