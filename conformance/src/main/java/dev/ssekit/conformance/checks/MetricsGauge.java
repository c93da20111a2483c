package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The server's own gauge of open streams, read from its Prometheus metrics (summed over label sets). */
final class MetricsGauge implements Gauge {
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
  public Snapshot read() {
    Scrape s = scrape();
    if (s.problem() != null) return null;
    PrometheusText.Reading r = PrometheusText.read(s.text(), metric);
    return r.present() && !Double.isNaN(r.sum()) && !Double.isInfinite(r.sum()) ? Snapshot.of(r.sum()) : null;
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
      if (!r.responded()) return new Scrape(null, "the metrics at " + url + " did not answer: " + Describe.noResponse(r));
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
