package dev.ssekit.conformance.checks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * What the checks that publish share: publishing through the contract, run ids and markers, and
 * compact text.
 */
final class Publishing {
  private Publishing() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Publishes; a transport error becomes a pseudo-answer with status -1 and the error as body. */
  static Recorder.Published publish(Recorder recorder, String json) {
    try {
      return recorder.publish(json);
    } catch (IOException e) {
      return new Recorder.Published(-1, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
    }
  }

  static boolean accepted(Recorder.Published p) {
    return p.status() / 100 == 2;
  }

  /** "202", or "400 bad id" / "no answer (…)" for a refusal. */
  static String answer(Recorder.Published p) {
    if (p.status() < 0) return "no answer (" + oneLine(p.body()) + ")";
    return accepted(p) ? String.valueOf(p.status()) : p.status() + " " + oneLine(p.body());
  }

  static String json(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when an event of {@code arrivals} carries {@code marker} in its data or type (in any encoding). */
  static boolean seen(List<BrowserStream.Arrival> arrivals, String marker) {
    for (int i = arrivals.size() - 1; i >= 0; i--) {
      var e = arrivals.get(i).event();
      if (e.data().contains(marker) || e.type().contains(marker)) return true;
    }
    return false;
  }

  static Predicate<List<BrowserStream.Arrival>> seen(String marker) {
    return a -> seen(a, marker);
  }

  /** Opens a followed stream and waits for its head; not applicable when it does not open. */
  static BrowserStream follow(Recorder recorder, Recorder.Request request,
      Predicate<List<BrowserStream.Arrival>> enough, Findings findings) throws InterruptedException {
    BrowserStream s = BrowserStream.follow(recorder, request, enough);
    if (!s.awaitHead()) {
      BrowserStream.Followed f = s.stopAndAwait();
      findings.notApplicable("the stream did not open: " + Describe.head(f.first())
          + " (the http checks report it)");
    }
    return s;
  }

  /** How many times {@link #ready} publishes before it gives up. */
  static final int READY_TRIES = 3;

  /**
   * Waits until every stream has received an event published after it opened. A server may
   * subscribe a stream only a moment after sending its head (Jetty's EventSourceServlet adds the
   * emitter in onOpen), so an event published at once can miss it, and a check must not blame that
   * on what it publishes next. Publishes {@code ssekit-RUN-ready-N} up to {@link #READY_TRIES}
   * times, waiting {@code wait} after each; returns how many it took (0: none arrived everywhere).
   */
  static int ready(List<BrowserStream> streams, Recorder recorder, String run, Duration wait,
      DeliveryProbe.Outcome probe) throws InterruptedException {
    // A slow server that took the probe's first event at once: waiting here would cost a flush per check.
    if (probe != null && probe.slowWithoutRace()) return -1;
    String base = readyMarker(run);
    for (int i = 1; i <= READY_TRIES; i++) {
      publish(recorder, json("data", base + i));
      boolean all = true;
      for (BrowserStream s : streams) all &= s.awaitArrivals(seen(base), wait);
      if (all) return i;
    }
    return 0;
  }

  /** A new id for one check's run, to tell its own events (markers, payloads) from everyone else's. */
  static String runId() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  static String readyMarker(String run) {
    return "ssekit-" + run + "-ready-";
  }

  static String esc(String s) {
    return Findings.escape(s.getBytes(StandardCharsets.UTF_8), 160);
  }

  static String oneLine(String s) {
    String t = s == null ? "" : s.strip().replace('\n', ' ').replace('\r', ' ');
    return t.length() > 160 ? t.substring(0, 160) + "…" : t;
  }

  static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
