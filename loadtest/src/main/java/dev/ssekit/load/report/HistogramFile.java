package dev.ssekit.load.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * {@code histograms.json}: everything a run measured ({@link RunRecord}) with its histograms in
 * HdrHistogram's compressed encoding (base64, microseconds), so that {@code capacity.html} can be
 * drawn again and {@code merge} can add runs of several injector processes exactly (histograms
 * add; counts sum).
 *
 * <pre>{"format": "ssekit-load-histograms/1", "unit": "microseconds",
 *  "histograms": {"deliveryLatency": "HISTFAAA…", "connect": "…", "firstEvent": "…"},
 *  "diagnostics": {"messages": N, …},
 *  "timeline": [{"atMs", "open", "serverRssBytes", "injectorHeapBytes", "deliveryLatency": "…", "serverCpuSeconds"?,
 *                "injectorCpuSeconds"?, "injectorRssBytes"?, "published"?}],
 *  "steps": [{"target", "fromMs", "toMs", "open", "rssBytes", "deliveryLatency": "…", "serverCpuSeconds", "openMin"?, "cpuSpanMs"?,
 *             "injectorCpuSeconds"?, "injectorRssBytes"?, "published"?}],
 *  "capacity": { capacity.json }}</pre>
 */
public final class HistogramFile {
  /** The format tag a reader checks. */
  public static final String FORMAT = "ssekit-load-histograms/1";

  /** The largest file {@link #read} accepts (a day-long run at 2 samples/s is about 30 MB). */
  static final long MAX_FILE_BYTES = 256L << 20;

  /** The least range a decoded histogram covers: an hour in µs, the longest latency we track. */
  static final long DECODED_RANGE = 3_600_000_000L;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HistogramFile() {}

  /** HdrHistogram's compressed encoding, base64. */
  public static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  /**
   * The inverse of {@link #encode}. The decoded histogram covers at least an hour in µs: an
   * auto-resizing histogram's header can name a smaller range than its counts fill, and
   * HdrHistogram sizes the decoded one by that header alone.
   */
  public static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), DECODED_RANGE);
    } catch (DataFormatException | RuntimeException e) { // a truncated one fails deep inside the inflater
      throw new IllegalArgumentException("not an encoded histogram: " + e, e);
    }
  }

  /** The run as a JSON tree. */
  public static ObjectNode toTree(RunRecord run) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("unit", "microseconds");
    ObjectNode hs = root.putObject("histograms");
    run.histograms().forEach((name, h) -> hs.put(name, encode(h)));
    ObjectNode diag = root.putObject("diagnostics");
    run.diagnostics().forEach(diag::put);
    ArrayNode timeline = root.putArray("timeline");
    for (RunRecord.TimelinePoint p : run.timeline()) {
      ObjectNode o = timeline.addObject();
      o.put("atMs", p.atMs());
      o.put("open", p.open());
      o.put("serverRssBytes", p.serverRssBytes());
      o.put("injectorHeapBytes", p.injectorHeapBytes());
      o.put("deliveryLatency", p.deliveryLatency());
      if (p.serverCpuSeconds() != null) {
        o.put("serverCpuSeconds", p.serverCpuSeconds());
      }
      if (p.injector() != null) {
        o.put("injectorCpuSeconds", p.injector().cpuSeconds());
        o.put("injectorRssBytes", p.injector().rssBytes());
        o.put("published", p.injector().published());
      }
    }
    ArrayNode steps = root.putArray("steps");
    for (RunRecord.StepRecord s : run.steps()) {
      ObjectNode o = steps.addObject();
      o.put("target", s.target());
      o.put("fromMs", s.fromMs());
      o.put("toMs", s.toMs());
      o.put("open", s.open());
      o.put("rssBytes", s.rssBytes());
      o.put("deliveryLatency", encode(s.deliveryLatency()));
      o.put("serverCpuSeconds", s.serverCpuSeconds());
      if (s.openMin() != null) {
        o.put("openMin", s.openMin());
      }
      if (s.cpuSpanMs() != null) {
        o.put("cpuSpanMs", s.cpuSpanMs());
      }
      if (s.injector() != null) {
        o.put("injectorCpuSeconds", s.injector().cpuSeconds());
        o.put("injectorRssBytes", s.injector().rssBytes());
        o.put("published", s.injector().published());
        o.put("injectorSpanMs", s.injector().spanMs());
      }
    }
    root.set("capacity", CapacityJson.toTree(run.capacity()));
    return root;
  }

  /** Writes {@code histograms.json} into {@code dir}. */
  public static Path write(Path dir, RunRecord run) {
    try {
      return ReportFile.write(dir, "histograms.json", JSON.writeValueAsString(toTree(run)) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a {@code histograms.json} back.
   *
   * @throws IOException when the file cannot be read or is not one of ours (the message says
   *     which field is wrong)
   */
  public static RunRecord read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(readBounded(file, MAX_FILE_BYTES));
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IOException(file + " is not an ssekit histograms file (" + FORMAT + ")");
    }
    try {
      Map<String, Histogram> histograms = new LinkedHashMap<>();
      root.path("histograms").properties().forEach(e -> histograms.put(e.getKey(), decode(e.getValue().asText())));
      Map<String, Long> diagnostics = new LinkedHashMap<>();
      root.path("diagnostics").properties().forEach(e -> diagnostics.put(e.getKey(), e.getValue().asLong()));
      List<RunRecord.TimelinePoint> timeline = new ArrayList<>();
      for (JsonNode p : root.path("timeline")) {
        timeline.add(new RunRecord.TimelinePoint(
            p.path("atMs").asLong(), p.path("open").asLong(), optLong(p, "serverRssBytes"),
            p.path("injectorHeapBytes").asLong(), checked(p.path("deliveryLatency").asText()),
            optDouble(p, "serverCpuSeconds"), p.has("injectorCpuSeconds")
                ? new RunRecord.InjectorReading(p.path("injectorCpuSeconds").asDouble(), optLong(p, "injectorRssBytes"),
                    optLong(p, "published"))
                : null));
      }
      List<RunRecord.StepRecord> steps = new ArrayList<>();
      for (JsonNode s : root.path("steps")) {
        steps.add(new RunRecord.StepRecord(
            s.path("target").asLong(), s.path("fromMs").asLong(), s.path("toMs").asLong(),
            s.path("open").asLong(), optLong(s, "rssBytes"), decode(s.path("deliveryLatency").asText()),
            optDouble(s, "serverCpuSeconds"), optLong(s, "openMin"), optLong(s, "cpuSpanMs"),
            s.has("injectorCpuSeconds") || s.has("injectorRssBytes") || s.has("published")
                ? new CapacityReport.StepInjector(optDouble(s, "injectorCpuSeconds"), optLong(s, "injectorRssBytes"),
                    optLong(s, "published"), optLong(s, "injectorSpanMs"))
                : null));
      }
      return new RunRecord(CapacityJson.fromTree(root.path("capacity")), histograms, diagnostics, timeline, steps);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A regular file's text, refused past {@code max} bytes (a FIFO or a device such as
   * /dev/zero would otherwise be read forever).
   */
  static String readBounded(Path file, long max) throws IOException {
    if (!Files.exists(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " is not a regular file");
    }
    long size = Files.size(file);
    if (size > max) {
      throw new IOException(file + " is " + size + " bytes; at most " + max + " are read");
    }
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static String checked(String encoded) {
    decode(encoded);
    return encoded;
  }

  private static Long optLong(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isIntegralNumber() ? v.asLong() : null;
  }

  private static Double optDouble(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? v.asDouble() : null;
  }
}
