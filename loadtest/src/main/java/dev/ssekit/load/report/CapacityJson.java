package dev.ssekit.load.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code capacity.json}: the design's schema, in its order, with every field present
 * ({@code null} when not measured). Built by hand rather than by reflection so the order and the
 * names are the schema's and do not move when a record changes.
 */
public final class CapacityJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CapacityJson() {}

  /** The report as a JSON tree. */
  public static ObjectNode toTree(CapacityReport r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", r.scenario());
    ObjectNode target = root.putObject("target");
    target.put("url", r.target().url());
    target.put("publishUrl", r.target().publishUrl());
    target.put("metricsUrl", r.target().metricsUrl());
    root.put("durationMs", r.durationMs());

    var c = r.connections();
    ObjectNode connections = root.putObject("connections");
    connections.put("requested", c.requested());
    connections.put("opened", c.opened());
    connections.put("failed", c.failed());
    connections.put("peakOpen", c.peakOpen());
    connections.put("reconnects", c.reconnects());
    connections.put("recoveryMs", c.recoveryMs());

    var cm = r.connectMs();
    ObjectNode connectMs = root.putObject("connectMs");
    connectMs.put("p50", cm.p50());
    connectMs.put("p95", cm.p95());
    connectMs.put("p99", cm.p99());
    connectMs.put("max", cm.max());

    var d = r.deliveryLatencyMs();
    ObjectNode latency = root.putObject("deliveryLatencyMs");
    latency.put("count", d.count());
    latency.put("p50", d.p50());
    latency.put("p95", d.p95());
    latency.put("p99", d.p99());
    latency.put("p999", d.p999());
    latency.put("max", d.max());

    var e = r.events();
    ObjectNode events = root.putObject("events");
    events.put("published", e.published());
    events.put("expectedDeliveries", e.expectedDeliveries());
    events.put("delivered", e.delivered());
    events.put("lost", e.lost());
    events.put("duplicated", e.duplicated());
    events.put("outOfOrder", e.outOfOrder());

    var s = r.server();
    ObjectNode server = root.putObject("server");
    server.put("rssBytesBaseline", s.rssBytesBaseline());
    server.put("rssBytesPeak", s.rssBytesPeak());
    server.put("bytesPerConnection", s.bytesPerConnection());

    ObjectNode injector = root.putObject("injector");
    injector.put("heapBytesPeak", r.injector().heapBytesPeak());
    injector.put("cpuSeconds", r.injector().cpuSeconds());

    ArrayNode steps = root.putArray("steps");
    for (var step : r.steps()) {
      ObjectNode o = steps.addObject();
      o.put("connections", step.connections());
      o.put("rssBytes", step.rssBytes());
      o.put("deliveryP99Ms", step.deliveryP99Ms());
    }

    ObjectNode projection = root.putObject("projection");
    projection.put("connectionsPerGiB", r.projection().connectionsPerGiB());
    projection.put("assumptions", r.projection().assumptions());
    return root;
  }

  /** The report as indented JSON text, ending with a newline. */
  public static String toJson(CapacityReport r) {
    try {
      return JSON.writeValueAsString(toTree(r)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code capacity.json} into {@code dir}. */
  public static Path write(CapacityReport r, Path dir) {
    Path file = dir.resolve("capacity.json");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, toJson(r), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }
}
