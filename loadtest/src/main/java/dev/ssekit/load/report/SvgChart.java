package dev.ssekit.load.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small inline SVG chart for {@code capacity.html}: x/y axes with round ticks and unit labels,
 * series drawn as lines or dots, a legend, and a {@code <title>}/{@code <desc>} for screen
 * readers. Linear axes, or a base-10 logarithmic y axis. The output is well-formed XML (no
 * namespace needed inside HTML), and every text in it is escaped.
 */
final class SvgChart {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 300;
  private static final int LEFT = 78;
  private static final int RIGHT = 16;
  private static final int TOP = 30;
  private static final int BOTTOM = 48;

  /** A series: points {x, y}, drawn as a line or as dots of a radius. */
  record Series(String name, String cssClass, List<double[]> points, boolean line, double radius) {}

  private final String id;
  private final String title;
  private String desc;
  private final String xLabel;
  private final String yLabel;
  private final boolean logY;
  private final List<Series> series = new ArrayList<>();
  private double xMax = Double.NaN;

  SvgChart(String id, String title, String desc, String xLabel, String yLabel, boolean logY) {
    this.id = id;
    this.title = title;
    this.desc = desc;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logY = logY;
  }

  SvgChart line(String name, String cssClass, List<double[]> points) {
    series.add(new Series(name, cssClass, points, true, 0));
    return this;
  }

  SvgChart dots(String name, String cssClass, List<double[]> points, double radius) {
    series.add(new Series(name, cssClass, points, false, radius));
    return this;
  }

  /** Replaces the chart's description (for screen readers). */
  SvgChart describedAs(String text) {
    this.desc = text;
    return this;
  }

  /** Extends the x axis to at least {@code max} (charts over one timeline share their x range). */
  SvgChart xUpTo(double max) {
    this.xMax = max;
    return this;
  }

  String render() {
    Axes axes = axes();
    Axis x = axes.x();
    Axis y = axes.y();
    StringBuilder sb = new StringBuilder();
    sb.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-labelledby=\"").append(id).append("-t ").append(id).append("-d\">\n");
    sb.append("<title id=\"").append(id).append("-t\">").append(Html.esc(title)).append("</title>\n");
    sb.append("<desc id=\"").append(id).append("-d\">").append(Html.esc(desc)).append("</desc>\n");
    drawAxes(sb, x, y);
    drawSeries(sb, x, y);
    drawLegend(sb);
    return sb.append("</svg>\n").toString();
  }

  private record Axes(Axis x, Axis y) {}

  /** The x and y axes over every point drawn (a log axis skips points at or below zero), x at least to {@link #xUpTo}. */
  private Axes axes() {
    double x0 = Double.MAX_VALUE;
    double x1 = -Double.MAX_VALUE;
    double y0 = Double.MAX_VALUE;
    double y1 = -Double.MAX_VALUE;
    for (Series s : series) {
      for (double[] p : s.points()) {
        if (logY && p[1] <= 0) {
          continue;
        }
        x0 = Math.min(x0, p[0]);
        x1 = Math.max(x1, p[0]);
        y0 = Math.min(y0, p[1]);
        y1 = Math.max(y1, p[1]);
      }
    }
    if (x0 > x1) { // no point at all
      x0 = 0;
      x1 = 1;
      y0 = logY ? 1 : 0;
      y1 = logY ? 10 : 1;
    }
    Axis x = Axis.linear(Math.min(0, x0), Double.isNaN(xMax) ? x1 : Math.max(x1, xMax));
    Axis y = logY ? Axis.log(y0, y1) : Axis.linear(Math.min(0, y0), y1);
    return new Axes(x, y);
  }

  /** Grid lines with their tick labels, the two axis lines and the axis labels. */
  private void drawAxes(StringBuilder sb, Axis x, Axis y) {
    int plotRight = WIDTH - RIGHT;
    int plotBottom = HEIGHT - BOTTOM;
    sb.append("<g class=\"axis\">\n");
    for (double t : x.ticks()) {
      double px = px(x, t);
      sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP, px, plotBottom, px, plotBottom + 16, label(t)));
    }
    for (double t : y.ticks()) {
      double py = py(y, t);
      sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, py, plotRight, py, LEFT - 6, py + 4, label(t)));
    }
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>%n",
        LEFT, plotBottom, plotRight, plotBottom, LEFT, TOP, LEFT, plotBottom));
    sb.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
        (LEFT + plotRight) / 2, HEIGHT - 8, Html.esc(xLabel)));
    sb.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
        (TOP + plotBottom) / 2, (TOP + plotBottom) / 2, Html.esc(yLabel)));
    sb.append("</g>\n");
  }

  /** Each series in its group: a polyline, or a circle per point. */
  private void drawSeries(StringBuilder sb, Axis x, Axis y) {
    for (Series s : series) {
      sb.append("<g class=\"").append(s.cssClass()).append("\">");
      if (s.line()) {
        sb.append("<polyline points=\"");
        for (double[] p : s.points()) {
          if (!logY || p[1] > 0) {
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(x, p[0]), py(y, p[1])));
          }
        }
        sb.append("\"/>");
      } else {
        for (double[] p : s.points()) {
          if (!logY || p[1] > 0) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>", px(x, p[0]), py(y, p[1]), s.radius()));
          }
        }
      }
      sb.append("</g>\n");
    }
  }

  /** One swatch and name per series, left to right above the plot. */
  private void drawLegend(StringBuilder sb) {
    int lx = LEFT + 8;
    for (Series s : series) {
      sb.append(String.format(Locale.ROOT, "<g class=\"%s legend\"><rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\"/>"
          + "<text x=\"%d\" y=\"18\">%s</text></g>%n", s.cssClass(), lx, lx + 16, Html.esc(s.name())));
      lx += 30 + 7 * s.name().length();
    }
  }

  private static double px(Axis x, double v) {
    return LEFT + x.fraction(v) * (WIDTH - RIGHT - LEFT);
  }

  private static double py(Axis y, double v) {
    return HEIGHT - BOTTOM - y.fraction(v) * (HEIGHT - BOTTOM - TOP);
  }

  private static String label(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return String.format(Locale.ROOT, "%.2g", v);
  }

  /** An axis from {@code min} to {@code max}, with its tick values. */
  record Axis(double min, double max, boolean log, List<Double> ticks) {
    static Axis linear(double lo, double hi) {
      if (hi <= lo) {
        hi = lo + 1;
      }
      double step = niceStep((hi - lo) / 5);
      double start = Math.floor(lo / step) * step;
      double end = Math.ceil(hi / step) * step;
      List<Double> ticks = new ArrayList<>();
      for (int i = 0; i <= 20 && start + i * step <= end + step / 2; i++) {
        ticks.add(start + i * step);
      }
      return new Axis(start, end, false, ticks);
    }

    static Axis log(double lo, double hi) {
      double a = Math.floor(Math.log10(lo));
      double b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
      List<Double> ticks = new ArrayList<>();
      for (double e = a; e <= b && ticks.size() < 20; e++) {
        ticks.add(Math.pow(10, e));
      }
      return new Axis(a, b, true, ticks);
    }

    double fraction(double v) {
      double p = log ? Math.log10(v) : v;
      return (p - min) / (max - min);
    }

    private static double niceStep(double raw) {
      double mag = Math.pow(10, Math.floor(Math.log10(raw)));
      double n = raw / mag;
      return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
    }
  }
}
