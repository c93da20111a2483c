package dev.ssekit.conformance.record;

import dev.ssekit.protocol.DispatchedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A stream followed the way a browser's {@code EventSource} follows it (WHATWG HTML §9.2.3): when
 * the server ends the body or the connection fails after a 200, it waits the reconnection time
 * (the last {@code retry} the server sent), reconnects with {@code Last-Event-ID} set to the last
 * event ID string, and goes on; a reconnect answered with anything but 200 {@code text/event-stream}
 * fails the connection for good. Events from every connection are kept in arrival order, each with
 * the connection that carried it, and can be waited for while the stream goes on. What follows the
 * end of one connection is decided by {@link Reconnection}; this class keeps the follow's state and
 * its waits.
 *
 * <p>Bounded: one window for the whole follow, at most {@link #MAX_RECONNECTS} reconnects, a
 * reconnection wait of at most {@link #MAX_RETRY_WAIT} (browsers wait the full time; what they are
 * sent is the same), and the recorder's byte caps on each connection. Once the follow has ended
 * (window, condition, failure), every wait on it returns at once.
 */
public final class BrowserStream {

  /** Reconnects at most: a server that ends every stream at once cannot keep a check busy. */
  public static final int MAX_RECONNECTS = 40;
  /** The longest reconnection wait honoured. */
  public static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(2);
  /** Streams ended at once without a byte, in a row, after which following stops (the server serves nothing). */
  public static final int EMPTY_IN_A_ROW = 3;
  /** The reconnection time before the server sent a {@code retry} (browsers use about 3 s; bounded here). */
  public static final Duration DEFAULT_RETRY = Duration.ofSeconds(1);

  /** An event and the connection that carried it (0 for the first), with when it was read. */
  public record Arrival(DispatchedEvent event, int connection, long atNanos) {}

  /** One connection of the follow: what it sent as Last-Event-ID and what it recorded. */
  public record Connection(int index, String lastEventIdSent, Recording recording, String lastEventIdAtEnd) {}

  /** Why the follow stopped. */
  public enum Stop {
    /** The condition held. */
    ENOUGH,
    /** The window elapsed, or {@link #stop()} was called. */
    WINDOW,
    /** The first response was not a stream, or a reconnect was refused: a browser gives up. */
    FAILED,
    /** The server ended the stream {@link #MAX_RECONNECTS} times more. */
    RECONNECT_LIMIT,
    /** A connection passed its byte cap. */
    BYTE_CAP,
    /** The server never sent a response head. */
    NO_RESPONSE
  }

  private final Recorder recorder;
  private final Recorder.Request request;
  private final Predicate<List<Arrival>> enough;
  private final long start = System.nanoTime();
  private final long deadline;
  private final Object lock = new Object();
  private final List<Arrival> arrivals = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private final Thread follower;
  private volatile Recorder.Session current;
  private final Recorder.Session first;
  private volatile boolean stopped;
  private Stop stop;
  private String why;

  private BrowserStream(Recorder recorder, Recorder.Request request, Predicate<List<Arrival>> enough) {
    this.recorder = recorder;
    this.request = request;
    this.enough = enough;
    this.deadline = start + request.window().toNanos();
    this.current = recorder.open(request.until(spy(0)));
    this.first = current;
    this.follower = new Thread(this::follow, "ssekit-browser-stream");
    follower.setDaemon(true);
    follower.start();
  }

  /**
   * Follows {@code request} (its URL, headers, first Last-Event-ID and window; its own stop
   * condition is replaced) until {@code enough} holds for every event received so far (null: the
   * whole window).
   */
  public static BrowserStream follow(Recorder recorder, Recorder.Request request, Predicate<List<Arrival>> enough) {
    return new BrowserStream(recorder, request, enough);
  }

  /** Waits for the first response head; true when it is a 200. */
  public boolean awaitHead() throws InterruptedException {
    return first.awaitHead() && first.status() == 200;
  }

  /** Why the follow stopped, or null while it goes on. */
  public Stop stopReason() {
    synchronized (lock) {
      return stop;
    }
  }

  /** The test Recorder sees each connection's events after every read; this keeps them, in order. */
  private Predicate<List<DispatchedEvent>> spy(int connection) {
    int[] seen = {0};
    return events -> {
      long now = System.nanoTime();
      synchronized (lock) {
        for (int i = seen[0]; i < events.size(); i++) arrivals.add(new Arrival(events.get(i), connection, now - start));
        seen[0] = events.size();
        boolean done = stopped || enough != null && enough.test(arrivals);
        lock.notifyAll();
        return done;
      }
    };
  }

  /** The follower thread: each connection to its end, then the spec's verdict, the reconnection wait, the next. */
  private void follow() {
    Reconnection reconnection = new Reconnection(request.lastEventId());
    try {
      while (true) {
        Recording r = current.await();
        Connection ended = reconnection.ended(r);
        synchronized (lock) {
          connections.add(ended);
          lock.notifyAll();
        }
        Reconnection.Verdict verdict = reconnection.verdict(r, stopped, deadline);
        if (verdict.stop() != null) {
          finish(verdict.stop(), verdict.why());
          return;
        }
        if (!awaitReconnectionTime(reconnection.waitNanos())) return;
        reconnection.next();
        reconnect(reconnection);
      }
    } catch (InterruptedException e) {
      finish(Stop.WINDOW, null);
    } catch (RuntimeException e) {
      finish(Stop.FAILED, "the tool failed following the stream: " + e);
    }
  }

  /**
   * Waits the reconnection time (cut at the window's end) unless the follow is stopped; false when
   * the follow has ended instead (stopped, or the window is over).
   */
  private boolean awaitReconnectionTime(long retryNanos) throws InterruptedException {
    long wait = Math.min(retryNanos, deadline - System.nanoTime());
    synchronized (lock) {
      long until = System.nanoTime() + Math.max(0, wait);
      while (!stopped && System.nanoTime() < until) {
        long left = until - System.nanoTime();
        lock.wait(Math.max(1, left / 1_000_000));
      }
      if (stopped || System.nanoTime() >= deadline) {
        finishLocked(Stop.WINDOW, null);
        return false;
      }
      return true;
    }
  }

  /** Opens the next connection for what is left of the window, with the Last-Event-ID a browser sends. */
  private void reconnect(Reconnection reconnection) {
    Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    current = recorder.open(new Recorder.Request(request.url(), reconnection.lastEventIdSent(), request.extraHeaders(),
        left, request.maxBytes(), spy(reconnection.index())));
    if (stopped) current.stop(); // stop() may have run between the wait and the open
  }

  private void finish(Stop s, String reason) {
    synchronized (lock) {
      finishLocked(s, reason);
    }
  }

  private void finishLocked(Stop s, String reason) {
    if (stop == null) {
      stop = s;
      why = reason;
    }
    lock.notifyAll();
  }

  /**
   * Waits until {@code condition} holds for the events so far, the follow ends, or {@code timeout}
   * passes; returns whether the condition holds.
   */
  public boolean awaitArrivals(Predicate<List<Arrival>> condition, Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        if (condition.test(arrivals)) return true;
        long left = until - System.nanoTime();
        if (stop != null || left <= 0) return false;
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** True once the follow has ended (nothing more will arrive). */
  public boolean ended() {
    synchronized (lock) {
      return stop != null;
    }
  }

  /** How many connections have ended so far (each end after a 200 means a reconnect follows). */
  public int connectionsEnded() {
    synchronized (lock) {
      return connections.size();
    }
  }

  /** Nanoseconds since the follow started (the clock of {@link Arrival#atNanos()}). */
  public long elapsedNanos() {
    return System.nanoTime() - start;
  }

  /** A copy of what has arrived so far. */
  public List<Arrival> arrivalsSoFar() {
    synchronized (lock) {
      return List.copyOf(arrivals);
    }
  }

  /** Stops following (as a page closing its EventSource would). */
  public void stop() {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    current.stop();
  }

  /** Stops, waits for the follower, and returns everything seen. */
  public Followed stopAndAwait() throws InterruptedException {
    stop();
    return await();
  }

  /** Waits until the follow ends by itself (window, condition, failure) and returns everything seen. */
  public Followed await() throws InterruptedException {
    follower.join(request.window().toMillis() + Recorder.HEAD_TIMEOUT.toMillis() + 15_000);
    if (follower.isAlive()) {
      stop();
      follower.join(15_000);
    }
    synchronized (lock) {
      return new Followed(List.copyOf(connections), List.copyOf(arrivals), stop == null ? Stop.WINDOW : stop, why);
    }
  }

  /**
   * What a follow saw.
   *
   * @param connections every connection, in order (the first, then each reconnect)
   * @param arrivals every event, in arrival order
   * @param stop why following stopped
   * @param why a sentence for {@link Stop#FAILED}, {@link Stop#NO_RESPONSE}, {@link Stop#RECONNECT_LIMIT}
   */
  public record Followed(List<Connection> connections, List<Arrival> arrivals, Stop stop, String why) {

    /** The events, in arrival order. */
    public List<DispatchedEvent> events() {
      return arrivals.stream().map(Arrival::event).toList();
    }

    /** How many times the client reconnected. */
    public int reconnects() {
      return Math.max(0, connections.size() - 1);
    }

    /** The first connection's recording (its head decides whether the stream opened at all). */
    public Recording first() {
      return connections.get(0).recording();
    }

    /** True when the first response was a 200. */
    public boolean opened() {
      return !connections.isEmpty() && first().status() == 200;
    }

    /** How many connections the server ended (by closing the body or the connection) after a 200. */
    public int endedByServer() {
      int n = 0;
      for (Connection c : connections) {
        Recording r = c.recording();
        if (r.status() == 200 && (r.end() == Recording.End.EOF || r.end() == Recording.End.ERROR)) n++;
      }
      return n;
    }

    /** Every connection's body, one after the other, with a marker line between connections. */
    public byte[] bodies() {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (Connection c : connections) {
        if (c.index() > 0) {
          out.writeBytes(("\n[ssekit: reconnected with Last-Event-ID "
              + (c.lastEventIdSent() == null ? "(none)" : c.lastEventIdSent()) + "]\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        out.writeBytes(c.recording().body());
      }
      return out.toByteArray();
    }

    /** One line per connection: how it opened and ended. */
    public String summary() {
      StringBuilder sb = new StringBuilder();
      for (Connection c : connections) {
        Recording r = c.recording();
        if (sb.length() > 0) sb.append("; ");
        sb.append("connection ").append(c.index() + 1);
        if (c.lastEventIdSent() != null) sb.append(" (Last-Event-ID ").append(c.lastEventIdSent()).append(')');
        sb.append(": ").append(r.responded() ? String.valueOf(r.status()) : "no response").append(", ")
            .append(r.bodyLength()).append(" bytes, ended by ").append(endName(r)).append(" after ")
            .append(r.duration().toMillis()).append(" ms");
      }
      return sb.toString();
    }

    private static String endName(Recording r) {
      return switch (r.end()) {
        case EOF -> "the server";
        case ERROR -> "an error (" + r.error() + ")";
        case WINDOW, ENOUGH -> "the tool";
        default -> r.end().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      };
    }
  }
}
