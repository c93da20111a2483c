package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connection lifecycle: streams stay open, abandoned streams are let go, the tool stays bounded. */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class LifecycleChecks {

  @SseCheck(id = "lifecycle.stream-stays-open", severity = Severity.SHOULD, rule = "L-02", spec = Spec.AUTHORING,
      summary = "The server keeps the stream open for the whole recording window")
  void staysOpen(PassiveStream stream, Findings f) {
    Recording r = HttpChecks.responded(stream, f);
    if (r.status() != 200) f.notApplicable("no stream: status " + r.status());
    f.note("recorded " + r.duration().toMillis() + " ms, " + r.bodyLength() + " bytes, ended by " + r.end());
    if (r.end() == Recording.End.EOF) {
      f.violation("the server ended the stream after " + r.duration().toMillis() + " ms: every client reconnects"
          + " (after its retry time) and depends on resume to lose nothing");
    }
  }

  @SseCheck(id = "lifecycle.bounded-reading", severity = Severity.MUST, rule = "F-08", spec = Spec.PARSING,
      summary = "The stream could be read within the tool's bounds (head in 10 s, no connection error)")
  void boundedReading(PassiveStream stream, Findings f) {
    Recording r = stream.recording();
    f.note("ended by " + r.end() + " after " + r.duration().toMillis() + " ms, " + r.bodyLength() + " bytes");
    switch (r.end()) {
      case NO_RESPONSE -> f.violation("the server accepted the connection but sent no response head within "
          + Recorder.HEAD_TIMEOUT.toSeconds() + " s: a browser shows a stream stuck in CONNECTING");
      case ERROR -> {
        // A connection that never answered is http.status-200's finding; one that broke off mid-stream is ours.
        if (r.responded()) f.violation("the stream broke off: " + r.error());
      }
      case BYTE_CAP -> f.violation("the server sent more than " + r.bodyLength() + " bytes within "
          + r.duration().toMillis() + " ms: an endless or runaway stream");
      default -> { }
    }
  }

  @SseCheck(id = "lifecycle.abandoned-streams-released", severity = Severity.SHOULD, rule = "L-03",
      spec = Spec.AUTHORING, profile = Target.Profile.STANDARD,
      summary = "Streams the clients dropped are released: the server's sockets (with --server-pid) and its"
          + " open-stream gauge (with --metrics-url) return to their baseline, and new streams are answered promptly")
  void abandonedStreams(Target target, Recorder recorder, Findings f) throws InterruptedException {
    int n = target.profile() == Target.Profile.FULL ? 200 : 50;
    List<Gauge> gauges = new ArrayList<>();
    if (target.serverPid() != null) gauges.add(new ServerSockets(target.serverPid()));
    if (target.metricsUrl() != null) {
      MetricsGauge gauge = new MetricsGauge(recorder, target.metricsUrl(), target.connectionGauge());
      String problem = gauge.problem();
      if (problem == null) {
        gauges.add(gauge);
      } else if (target.serverPid() == null) {
        f.notApplicable(problem);
      } else {
        // The sockets still tell: an unreadable gauge must not cost the whole check.
        f.note(problem + "; judged by the server's sockets only");
      }
    }
    Map<Gauge, Double> baseline = read(gauges);
    List<Recorder.Session> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) sessions.add(recorder.open(Recorder.Request.of(target, Duration.ofSeconds(10))));
    int opened = 0;
    for (Recorder.Session s : sessions) if (s.awaitHead()) opened++;
    Map<Gauge, Double> held = read(gauges);
    for (Recorder.Session s : sessions) s.stop();
    for (Recorder.Session s : sessions) s.await();
    for (Gauge gauge : gauges) {
      Double before = baseline.get(gauge);
      Double during = held.get(gauge);
      if (before == null || during == null) {
        f.note(gauge.name() + ": could not be read");
        continue;
      }
      if (gauge instanceof MetricsGauge && during - before < opened / 2.0) {
        // A gauge that did not rise with the streams does not count them: its fall proves nothing.
        f.note(gauge.name() + ": " + fmt(before) + " before, " + fmt(during) + " with " + opened + " streams held;"
            + " it does not count streams, so it was not judged (name the right one with --connection-gauge)");
        continue;
      }
      // Other checks run alongside: allow their few connections, and give the server time to notice.
      int slack = 20;
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      Double after = gauge.read();
      while ((after == null || after > before + slack) && System.nanoTime() < deadline) {
        Thread.sleep(250);
        after = gauge.read();
      }
      if (after == null) {
        f.note(gauge.name() + ": could not be read after the streams were dropped");
        continue;
      }
      f.note(gauge.name() + ": " + fmt(before) + " before, " + fmt(during) + " with " + opened + " streams held, "
          + fmt(after) + " after they were dropped");
      f.require(after <= before + slack, gauge.name() + " still shows " + fmt(after - before) + " more than before, 15 s"
          + " after " + opened + " clients dropped their streams: closed connections are not released (a leak that"
          + " grows with every reconnect until the server runs out of " + gauge.resource() + ")");
    }
    Recording next = recorder.record(Recorder.Request.of(target, Duration.ofMillis(500)));
    f.note(opened + " of " + n + " streams opened and dropped; the next stream answered " + next.status() + " after "
        + (next.headersAfter() == null ? "-" : next.headersAfter().toMillis() + " ms"));
    f.require(next.status() == 200 && next.headersAfter() != null
            && next.headersAfter().compareTo(Duration.ofSeconds(2)) <= 0,
        "after " + n + " clients dropped their streams the server answered a new one with " + next.status()
            + (next.error() == null ? "" : " (" + next.error() + ")") + ": dropped connections are not released");
  }

  private static Map<Gauge, Double> read(List<Gauge> gauges) {
    Map<Gauge, Double> out = new java.util.HashMap<>();
    for (Gauge g : gauges) {
      Double v = g.read();
      if (v != null) out.put(g, v);
    }
    return out;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** Something on the server that counts its open connections. */
  interface Gauge {
    /** What is counted, for messages. */
    String name();

    /** What a leak exhausts, for messages. */
    String resource();

    /** The count now, or null when it cannot be read. */
    Double read();
  }

  /** Counts a local process's open sockets through /proc (Linux). */
  static final class ServerSockets implements Gauge {
    private final java.nio.file.Path fds;

    ServerSockets(long pid) {
      this.fds = java.nio.file.Path.of("/proc", Long.toString(pid), "fd");
    }

    @Override
    public String name() {
      return "server sockets";
    }

    @Override
    public String resource() {
      return "file descriptors";
    }

    @Override
    public Double read() {
      try (var list = java.nio.file.Files.list(fds)) {
        return (double) list.filter(p -> {
          try {
            return java.nio.file.Files.readSymbolicLink(p).toString().startsWith("socket:");
          } catch (java.io.IOException | UnsupportedOperationException gone) {
            return false;
          }
        }).count();
      } catch (java.io.IOException e) {
        return null;
      }
    }
  }

  /** The server's own gauge of open streams, read from its Prometheus metrics (summed over label sets). */
  static final class MetricsGauge implements Gauge {
    /** Metrics pages are small; a larger one is not a metrics page. */
    static final long MAX_BYTES = 4L << 20;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Recorder recorder;
    private final java.net.URI url;
    private final String metric;

    MetricsGauge(Recorder recorder, java.net.URI url, String metric) {
      this.recorder = recorder;
      this.url = url;
      this.metric = metric;
    }

    @Override
    public String name() {
      return metric + " (at " + url + ")";
    }

    @Override
    public String resource() {
      return "memory and stream slots";
    }

    @Override
    public Double read() {
      Scrape s = scrape();
      if (s.problem() != null) return null;
      PrometheusText.Reading r = PrometheusText.read(s.text(), metric);
      return r.present() && !Double.isNaN(r.sum()) && !Double.isInfinite(r.sum()) ? r.sum() : null;
    }

    /** Why the gauge cannot be used (unreachable, too big, metric missing or not a number), or null. */
    String problem() {
      Scrape s = scrape();
      if (s.problem() != null) return s.problem();
      PrometheusText.Reading r = PrometheusText.read(s.text(), metric);
      if (!r.present()) {
        var names = PrometheusText.names(s.text()).keySet();
        // Name the likely candidates first: a user looking for the right gauge wants those.
        List<String> likely = names.stream()
            .filter(m -> m.matches("(?i).*(conn|stream|subscri|client|session|sse).*")).limit(8).toList();
        String seen = names.isEmpty() ? "no samples at all" : likely.isEmpty()
            ? names.size() + " metrics, e.g. " + String.join(", ", names.stream().limit(8).toList())
            : names.size() + " metrics; these may count streams: " + String.join(", ", likely);
        return "the metrics at " + url + " have no sample named " + metric + " (" + seen + "); name the gauge that"
            + " counts open streams with --connection-gauge (ssekit.connectionGauge)";
      }
      if (Double.isNaN(r.sum()) || Double.isInfinite(r.sum())) {
        return metric + " at " + url + " is " + r.sum() + " (over " + r.series() + " label sets): not a count";
      }
      return null;
    }

    private record Scrape(String text, String problem) {}

    private Scrape scrape() {
      try {
        Recording r = recorder.record(new Recorder.Request(url, null,
            Map.of("Accept", "text/plain;version=0.0.4", "Accept-Encoding", "identity", "Cache-Control", "", "Pragma", ""),
            TIMEOUT, MAX_BYTES, null));
        if (!r.responded()) return new Scrape(null, "the metrics at " + url + " did not answer: " + HttpChecks.noResponse(r));
        if (r.status() != 200) return new Scrape(null, "the metrics at " + url + " answered " + r.status());
        if (r.end() == Recording.End.BYTE_CAP) {
          return new Scrape(null, "the metrics at " + url + " are larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        if (r.end() == Recording.End.WINDOW) {
          return new Scrape(null, "the metrics at " + url + " did not end within " + TIMEOUT.toSeconds() + " s");
        }
        return new Scrape(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8), null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Scrape(null, "interrupted while reading " + url);
      }
    }
  }

  @SseCheck(id = "lifecycle.no-fixed-age-cut", severity = Severity.SHOULD, rule = "L-02", spec = Spec.AUTHORING,
      profile = Target.Profile.FULL,
      summary = "A stream is not cut at a fixed age (30, 60 and 100 s are common server and proxy timeouts)")
  void noFixedAgeCut(Target target, Recorder recorder, Findings f) throws InterruptedException {
    Duration window = Duration.ofSeconds(110);
    Recording r = recorder.record(Recorder.Request.of(target, window).withMaxBytes(64L << 20));
    if (!r.responded() || r.status() != 200) f.notApplicable("no stream: " + (r.responded() ? r.status() : r.end()));
    f.note("held " + r.duration().toSeconds() + " s, ended by " + r.end());
    if (r.end() == Recording.End.EOF || r.end() == Recording.End.ERROR) {
      long age = r.duration().toSeconds();
      String hint = Math.abs(age - 30) <= 2 ? " (30 s: a servlet async timeout, as in Spring MVC's default)"
          : Math.abs(age - 60) <= 3 ? " (60 s: nginx proxy_read_timeout or a load balancer's idle timeout)"
          : Math.abs(age - 100) <= 5 ? " (100 s: Cloudflare's proxy timeout)" : "";
      f.violation("the stream was cut after " + age + " s" + hint + ": every client reconnects at that age, and"
          + " loses events unless the server resumes by id");
    }
  }
}
