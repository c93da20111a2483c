package dev.ssekit.load.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * This run's figures against an earlier run's ({@code --baseline FILE}), within {@link
 * Tolerances}: a performance gate for CI. Only like is compared with like: the same scenario
 * against as many server instances, requested connections within {@value
 * #CONNECTIONS_SPREAD_PERCENT} %, and (when both runs published) an event rate within a factor of
 * {@value #RATE_FACTOR}; anything else is not comparable. A figure either run did not measure is "not compared", with the reason.
 *
 * @param file the baseline file as given
 * @param verdict passed, regressed (at least one figure past its limit) or not comparable
 * @param reason why the runs are not comparable, else null
 * @param rows one per compared figure, in a fixed order
 */
public record BaselineComparison(String file, Verdict verdict, String reason, List<Row> rows) {
  static final int CONNECTIONS_SPREAD_PERCENT = 10;
  static final double RATE_FACTOR = 2.0;

  /** The comparison's outcome. */
  public enum Verdict {
    PASSED, REGRESSED, NOT_COMPARABLE;

    /** As {@code capacity.json} and the summary write it: {@code not comparable}. */
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /** One figure's outcome. */
  public enum RowVerdict {
    OK, REGRESSED, NOT_COMPARED;

    /** As {@code capacity.json} and the summary write it: {@code not compared}. */
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /**
   * One figure.
   *
   * @param figure what is compared
   * @param unit the values' unit ({@code ms}, {@code B}, or empty for counts)
   * @param baseline the baseline's value, or null when it did not measure it
   * @param now this run's value, or null
   * @param limit the bound {@code now} must keep (an upper bound unless {@code atLeast}), or null
   * @param atLeast whether the limit is a lower bound
   * @param rule how the limit was derived, or why the figure was not compared
   * @param verdict ok, regressed or not compared
   */
  public record Row(String figure, String unit, Double baseline, Double now, Double limit, boolean atLeast,
      String rule, RowVerdict verdict) {

    /** The relative change from the baseline, or null when it cannot be said. */
    public Double changePercent() {
      if (baseline == null || now == null || baseline == 0) {
        return null;
      }
      return Math.round((now - baseline) / baseline * 1000) / 10.0;
    }
  }

  public boolean regressed() {
    return verdict == Verdict.REGRESSED;
  }

  /** Compares {@code now} with {@code base}. */
  public static BaselineComparison compare(String file, CapacityReport base, CapacityReport now, Tolerances t) {
    String why = notComparable(base, now);
    if (why != null) {
      return new BaselineComparison(file, Verdict.NOT_COMPARABLE, why, List.of());
    }
    List<Row> rows = new ArrayList<>();
    rows.add(upper("delivery latency p99", "ms", base.deliveryLatencyMs().p99(), now.deliveryLatencyMs().p99(),
        t.deliveryP99(), null));
    rows.add(upper("connect time p99", "ms", base.connectMs().p99(), now.connectMs().p99(), t.connectP99(), null));
    Long bpc = base.server().bytesPerConnection();
    rows.add(upper("server bytes per connection", "B", toDouble(bpc), toDouble(now.server().bytesPerConnection()),
        t.bytesPerConnection(), bpc != null && bpc <= 0
            ? "not compared: the baseline's memory did not grow with connections" : null));
    rows.add(opened(base.connections(), now.connections()));
    rows.add(stayedZero("events lost", base.events(), now.events(), base.events().lost(), now.events().lost()));
    rows.add(stayedZero("events duplicated", base.events(), now.events(), base.events().duplicated(), now.events().duplicated()));
    boolean regressed = rows.stream().anyMatch(r -> r.verdict() == RowVerdict.REGRESSED);
    return new BaselineComparison(file, regressed ? Verdict.REGRESSED : Verdict.PASSED, null, rows);
  }

  /**
   * Why a run with these settings against one instance cannot be compared with {@code base}, or
   * null when it can (as far as the settings tell; {@link #compare} also checks the event rate,
   * known after the run).
   */
  public static String notComparable(CapacityReport base, String scenario, long requested) {
    return notComparable(base, scenario, requested, 1);
  }

  /** The same for a run whose connections are spread over {@code instances} server instances ({@code --urls}). */
  public static String notComparable(CapacityReport base, String scenario, long requested, int instances) {
    if (!base.scenario().equals(scenario)) {
      return "the baseline is a " + base.scenario() + " run and this is " + scenario;
    }
    if (base.target().instances() != instances) {
      return String.format(Locale.ROOT, "the baseline ran against %d instance%s and this run against %d",
          base.target().instances(), base.target().instances() == 1 ? "" : "s", instances);
    }
    long b = base.connections().requested();
    if (Math.abs(requested - b) * 100 > CONNECTIONS_SPREAD_PERCENT * Math.max(b, 1)) {
      return String.format(Locale.ROOT, "the baseline requested %,d connections and this run %,d (more than %d %% apart)",
          b, requested, CONNECTIONS_SPREAD_PERCENT);
    }
    return null;
  }

  private static String notComparable(CapacityReport base, CapacityReport now) {
    String why = notComparable(base, now.scenario(), now.connections().requested(), now.target().instances());
    if (why != null) {
      return why;
    }
    Double rb = eventsPerSecond(base);
    Double rn = eventsPerSecond(now);
    if (rb != null && rn != null && rb > 0 && rn > 0 && Math.max(rb / rn, rn / rb) > RATE_FACTOR) {
      return String.format(Locale.ROOT, "the baseline published %.1f events/s over its run and this run %.1f"
          + " (more than a factor of %.0f apart)", rb, rn, RATE_FACTOR);
    }
    return null;
  }

  private static Double eventsPerSecond(CapacityReport r) {
    Long p = r.events().published();
    return p == null || r.durationMs() <= 0 ? null : p * 1000.0 / r.durationMs();
  }

  private static Row upper(String figure, String unit, Double base, Double now, Tolerances.Limit limit, String skip) {
    if (skip != null || base == null || now == null) {
      return new Row(figure, unit, base, now, null, false, skip != null ? skip
          : "not compared: not measured in " + (base == null ? "the baseline" : "this run"), RowVerdict.NOT_COMPARED);
    }
    // Bytes are whole: a limit of 4,600.5 B is 4,600 B.
    double max = unit.equals("B") ? Math.floor(limit.of(base) + 1e-9) : round2(limit.of(base));
    return new Row(figure, unit, base, now, max, false, "at most baseline " + limit.describe(unit),
        now > max ? RowVerdict.REGRESSED : RowVerdict.OK);
  }

  private static Row opened(CapacityReport.Connections base, CapacityReport.Connections now) {
    // Scaled by the requested counts, which may differ a little; equal counts: must not fall.
    double min = base.requested() == 0 ? base.opened()
        : Math.ceil(base.opened() * (double) now.requested() / base.requested() - 1e-9);
    String rule = base.requested() == now.requested() ? "must not fall"
        : "must not fall (scaled to this run's requested connections)";
    return new Row("connections opened", "", (double) base.opened(), (double) now.opened(), min, true, rule,
        now.opened() < min ? RowVerdict.REGRESSED : RowVerdict.OK);
  }

  private static Row stayedZero(String figure, CapacityReport.Events be, CapacityReport.Events ne, long base, long now) {
    if (be.expectedDeliveries() == 0 || ne.expectedDeliveries() == 0) {
      return new Row(figure, "", (double) base, (double) now, null, false,
          "not compared: no sequenced events in " + (be.expectedDeliveries() == 0 ? "the baseline" : "this run"),
          RowVerdict.NOT_COMPARED);
    }
    if (base > 0) {
      return new Row(figure, "", (double) base, (double) now, null, false,
          "not compared: the baseline already had some (the run itself fails on any)", RowVerdict.NOT_COMPARED);
    }
    return new Row(figure, "", 0.0, (double) now, 0.0, false, "must stay 0",
        now > 0 ? RowVerdict.REGRESSED : RowVerdict.OK);
  }

  private static Double toDouble(Long v) {
    return v == null ? null : v.doubleValue();
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** The {@code "baseline"} section of {@code capacity.json}. */
  public ObjectNode toTree() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("file", file);
    o.put("verdict", verdict.text());
    o.put("reason", reason);
    var rowsNode = o.putArray("figures");
    for (Row r : rows) {
      ObjectNode n = rowsNode.addObject();
      n.put("figure", r.figure());
      n.put("unit", r.unit());
      n.put("baseline", r.baseline());
      n.put("now", r.now());
      n.put("changePercent", r.changePercent());
      n.put(r.atLeast() ? "atLeast" : "atMost", r.limit());
      n.put("rule", r.rule());
      n.put("verdict", r.verdict().text());
    }
    return o;
  }

  /** The comparison as lines for the text summary. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("  baseline     ").append(file).append(": ").append(verdict.text().toUpperCase(Locale.ROOT));
    if (reason != null) {
      return sb.append(" (").append(reason).append(")\n").toString();
    }
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, "    %-30s %12s %12s %8s %14s  %s%n", "figure", "baseline", "now", "change", "limit", "verdict"));
    for (Row r : rows) {
      String unit = r.unit().isEmpty() ? "" : " (" + r.unit() + ")";
      sb.append(String.format(Locale.ROOT, "    %-30s %12s %12s %8s %14s  %s%n", r.figure() + unit,
          number(r.baseline()), number(r.now()), percent(r.changePercent()), limitText(r), r.verdict().text()));
    }
    return sb.toString();
  }

  /** The limit as {@code ≤ 12.5} or {@code ≥ 100}, or a dash. */
  public static String limitText(Row r) {
    return r.limit() == null ? "-" : (r.atLeast() ? ">= " : "<= ") + number(r.limit());
  }

  /** A figure with at most two decimals, or {@code n/a}. */
  public static String number(Double v) {
    if (v == null) {
      return "n/a";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%,d", v.longValue())
        : String.format(Locale.ROOT, "%,.2f", v);
  }

  /** A change as {@code +12.5%}, or a dash. */
  public static String percent(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%+.1f%%", v);
  }
}
