package dev.ssekit.bench;

import io.netty.channel.epoll.Epoll;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The figures of one {@link HoldConnections} run and the JSON line they are printed as (the
 * scripts read it, and {@code reports/baseline/hold-connections.json} records it). The driver
 * fills in the ramp, fan-out and RSS fields as the run goes; the counters and times come from the
 * run's {@link HoldState}.
 */
final class HoldReport {

  private final HoldOptions options;
  private final HoldState run;
  private final long startNanos;

  long rampNanos;
  int openAtPublish;
  long publishStatus = -1;
  String publishError;
  long deliveryNanos = -1;
  boolean allDelivered;
  String rssHeld = "{}";
  String rssAfterFanout = "{}";
  /** One JSON object per ramp step: streams open, time since the ramp began, RSS. */
  final List<String> steps = new ArrayList<>();

  HoldReport(HoldOptions options, HoldState run, long startNanos) {
    this.options = options;
    this.run = run;
    this.startNanos = startNanos;
  }

  /** The JSON line; {@code done} once the streams are closed ({@code openAtEnd} is then -1). */
  String json(boolean done) {
    // Read once: the ready file is written while the streams are still open.
    int nOpened = run.opened.get();
    int nDelivered = run.delivered.get();
    StringBuilder sb = new StringBuilder(1024);
    sb.append("{\"tool\":\"HoldConnections\",\"label\":\"").append(esc(options.label)).append('"');
    sb.append(",\"url\":\"").append(esc(options.url.toString())).append('"');
    sb.append(",\"transport\":\"").append(Epoll.isAvailable() ? "epoll" : "nio").append('"');
    sb.append(",\"threads\":").append(options.threads);
    appendConnections(sb, nOpened, done);
    int[] c = Arrays.copyOf(run.connectMs, Math.min(nOpened, run.connectMs.length));
    sb.append(",\"connectMs\":").append(percentiles(c));
    sb.append(",\"fanout\":");
    if (options.publishUrl == null) {
      sb.append("null");
    } else {
      appendFanout(sb, nDelivered);
    }
    sb.append(",\"rssHeld\":").append(rssHeld);
    sb.append(",\"rssAfterFanout\":").append(rssAfterFanout);
    sb.append(",\"steps\":[").append(String.join(",", steps)).append(']');
    sb.append(",\"notes\":[");
    synchronized (run) {
      List<String> notes = run.notes;
      for (int i = 0; i < notes.size(); i++) sb.append(i > 0 ? "," : "").append('"').append(esc(notes.get(i))).append('"');
    }
    sb.append("],\"elapsedMs\":").append(ms(System.nanoTime() - startNanos)).append('}');
    return sb.toString();
  }

  private void appendConnections(StringBuilder sb, int nOpened, boolean done) {
    sb.append(",\"connections\":{\"requested\":").append(options.connections)
        .append(",\"launched\":").append(run.launched.get())
        .append(",\"opened\":").append(nOpened)
        .append(",\"openAtEnd\":").append(done ? -1 : run.openNow.get())
        .append(",\"connectFailed\":").append(run.connectFailed.get())
        .append(",\"badStatus\":").append(run.badStatus.get())
        .append(",\"badContentType\":").append(run.badContentType.get())
        .append(",\"headTooLarge\":").append(run.headTooLarge.get())
        .append(",\"closedBeforeHead\":").append(run.closedBeforeHead.get())
        .append(",\"closedByServer\":").append(run.closedByPeer.get())
        .append(",\"rampMs\":").append(ms(rampNanos))
        .append(",\"rampRatePerS\":").append(options.rate)
        .append('}');
  }

  private void appendFanout(StringBuilder sb, int nDelivered) {
    int[] d = Arrays.copyOf(run.deliveryMs, Math.min(nDelivered, run.deliveryMs.length));
    sb.append("{\"publishStatus\":").append(publishStatus)
        .append(",\"publishError\":").append(publishError == null ? "null" : "\"" + esc(publishError) + "\"")
        .append(",\"openAtPublish\":").append(openAtPublish)
        .append(",\"delivered\":").append(nDelivered)
        .append(",\"lost\":").append(Math.max(0, openAtPublish - nDelivered))
        .append(",\"complete\":").append(allDelivered)
        .append(",\"timeTo100PercentMs\":").append(allDelivered ? String.valueOf(ms(deliveryNanos)) : "null")
        .append(",\"timeToLastDeliveryMs\":").append(deliveryNanos < 0 ? "null" : String.valueOf(ms(deliveryNanos)))
        .append(",\"deliveryMs\":").append(percentiles(d))
        .append('}');
  }

  /** {@code {"count":…,"p50":…,"p95":…,"p99":…,"max":…}}, or {@code null} for no values. */
  static String percentiles(int[] values) {
    if (values.length == 0) return "null";
    int[] v = values.clone();
    Arrays.sort(v);
    return "{\"count\":" + v.length + ",\"p50\":" + pct(v, 50) + ",\"p95\":" + pct(v, 95) + ",\"p99\":" + pct(v, 99)
        + ",\"max\":" + v[v.length - 1] + "}";
  }

  static int pct(int[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** Escapes {@code s} for a JSON string. */
  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
          else sb.append(ch);
        }
      }
    }
    return sb.toString();
  }
}
