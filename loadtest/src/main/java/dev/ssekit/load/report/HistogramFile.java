package dev.ssekit.load.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * {@code histograms.json}: one run's histograms in HdrHistogram's compressed encoding (base64),
 * in microseconds, plus the run's report and diagnostic counters, so that a later {@code merge}
 * can add runs of several injector processes exactly (histograms add; counts sum).
 *
 * <pre>{"format": "ssekit-load-histograms/1", "unit": "microseconds",
 *  "histograms": {"deliveryLatency": "HISTFAAA…", "connect": "…", "firstEvent": "…"},
 *  "diagnostics": {"messages": N, …}, "capacity": { capacity.json }}</pre>
 */
public final class HistogramFile {
  /** The format tag a reader checks. */
  public static final String FORMAT = "ssekit-load-histograms/1";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HistogramFile() {}

  /** HdrHistogram's compressed encoding, base64. */
  public static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  /** The inverse of {@link #encode}. */
  public static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram: " + e.getMessage(), e);
    }
  }

  /** Writes {@code histograms.json} into {@code dir}. */
  public static Path write(
      Path dir,
      Map<String, Histogram> histograms,
      Map<String, Long> diagnostics,
      CapacityReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("unit", "microseconds");
    ObjectNode hs = root.putObject("histograms");
    histograms.forEach((name, h) -> hs.put(name, encode(h)));
    ObjectNode diag = root.putObject("diagnostics");
    diagnostics.forEach(diag::put);
    root.set("capacity", CapacityJson.toTree(report));
    Path file = dir.resolve("histograms.json");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** Reads the histograms of a {@code histograms.json}. */
  public static Map<String, Histogram> readHistograms(Path file) throws IOException {
    JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    if (!FORMAT.equals(root.path("format").asText())) {
      throw new IOException(file + " is not an ssekit histograms file (" + FORMAT + ")");
    }
    Map<String, Histogram> out = new LinkedHashMap<>();
    root.path("histograms").properties().forEach(e -> out.put(e.getKey(), decode(e.getValue().asText())));
    return out;
  }
}
