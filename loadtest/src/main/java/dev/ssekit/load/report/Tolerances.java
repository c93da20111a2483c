package dev.ssekit.load.report;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far a run may fall behind its baseline before {@code --baseline} calls it a regression.
 * Each limit is relative with an absolute slack: a figure may grow to {@code baseline × (1 +
 * fraction) + slack}. The slack keeps a 2 ms p99 from failing the build at 3 ms.
 *
 * @param deliveryP99 delivery latency p99 (slack in ms)
 * @param connectP99 connect time p99 (slack in ms)
 * @param bytesPerConnection server memory per connection (slack in bytes)
 */
public record Tolerances(Limit deliveryP99, Limit connectP99, Limit bytesPerConnection) {
  private static final Pattern SPEC =
      Pattern.compile("([a-z0-9-]+)=(\\d+(?:\\.\\d+)?)%(?:\\+(\\d+(?:\\.\\d+)?)(ms|b))?");

  /** {@code baseline × (1 + fraction) + slack}. */
  public record Limit(double fraction, double slack) {
    public double of(double baseline) {
      return baseline * (1 + fraction) + slack;
    }

    String describe(String unit) {
      String pct = String.format(Locale.ROOT, "+%s%%", trim(fraction * 100));
      return slack == 0 ? pct : pct + " +" + trim(slack) + " " + unit;
    }
  }

  /** p99s may grow by 25 % + 5 ms, bytes per connection by 15 %. */
  public static Tolerances defaults() {
    return new Tolerances(new Limit(0.25, 5), new Limit(0.25, 5), new Limit(0.15, 0));
  }

  /**
   * This with one limit replaced, from {@code NAME=P%} or {@code NAME=P%+Nms} ({@code +Nb} for
   * bytes-per-connection), NAME one of {@code delivery-p99}, {@code connect-p99}, {@code
   * bytes-per-connection}.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  public Tolerances with(String spec) {
    Matcher m = SPEC.matcher(spec.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("--tolerance " + spec + ": expected NAME=P% or NAME=P%+Nms"
          + " (e.g. delivery-p99=30%+10ms, bytes-per-connection=20%)");
    }
    double fraction = Double.parseDouble(m.group(2)) / 100;
    String unit = m.group(4);
    switch (m.group(1)) {
      case "delivery-p99", "connect-p99" -> {
        if ("b".equals(unit)) {
          throw new IllegalArgumentException("--tolerance " + spec + ": a latency's slack is in ms");
        }
        double slack = m.group(3) == null ? 0 : Double.parseDouble(m.group(3));
        Limit l = new Limit(fraction, slack);
        return m.group(1).equals("delivery-p99")
            ? new Tolerances(l, connectP99, bytesPerConnection)
            : new Tolerances(deliveryP99, l, bytesPerConnection);
      }
      case "bytes-per-connection" -> {
        if ("ms".equals(unit)) {
          throw new IllegalArgumentException("--tolerance " + spec + ": bytes per connection's slack is in bytes (+Nb)");
        }
        double slack = m.group(3) == null ? 0 : Double.parseDouble(m.group(3));
        return new Tolerances(deliveryP99, connectP99, new Limit(fraction, slack));
      }
      default -> throw new IllegalArgumentException("--tolerance " + spec
          + ": unknown figure " + m.group(1) + " (delivery-p99, connect-p99, bytes-per-connection)");
    }
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
  }
}
