package dev.ssekit.load.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code capacity.json}: the fields documented in docs/load.md, in a fixed order, with every
 * field present ({@code null} when not measured). Built by hand rather than by reflection so the
 * order and the names stay the documented ones and do not move when a record changes.
 */
public final class CapacityJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CapacityJson() {}

  /** The report as a JSON tree. */
  public static ObjectNode toTree(CapacityReport r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", r.scenario());
    putTarget(root.putObject("target"), r.target());
    root.put("durationMs", r.durationMs());
    putConnections(root.putObject("connections"), r.connections());
    putConnectMs(root.putObject("connectMs"), r.connectMs());
    putDeliveryLatency(root.putObject("deliveryLatencyMs"), r.deliveryLatencyMs());
    putEvents(root.putObject("events"), r.events());
    putServer(root.putObject("server"), r.server());
    putInjector(root.putObject("injector"), r.injector());
    putSteps(root.putArray("steps"), r.steps());
    putProjection(root.putObject("projection"), r.projection());
    ArrayNode failures = root.putArray("failures");
    for (var failure : r.failures()) {
      failures.addObject().put("kind", failure.kind()).put("count", failure.count()).put("message", failure.message());
    }
    root.putArray("problems").addAll(r.problems().stream().map(JsonNodeFactory.instance::textNode).toList());
    return root;
  }

  private static void putTarget(ObjectNode target, CapacityReport.Target t) {
    target.put("url", t.url());
    target.put("publishUrl", t.publishUrl());
    target.put("metricsUrl", t.metricsUrl());
    target.putArray("urls").addAll(t.urls().stream().map(JsonNodeFactory.instance::textNode).toList());
  }

  private static void putConnections(ObjectNode connections, CapacityReport.Connections c) {
    connections.put("requested", c.requested());
    connections.put("opened", c.opened());
    connections.put("failed", c.failed());
    connections.put("peakOpen", c.peakOpen());
    connections.put("reconnects", c.reconnects());
    connections.put("recoveryMs", c.recoveryMs());
  }

  private static void putConnectMs(ObjectNode connectMs, CapacityReport.ConnectMs cm) {
    connectMs.put("p50", cm.p50());
    connectMs.put("p95", cm.p95());
    connectMs.put("p99", cm.p99());
    connectMs.put("max", cm.max());
  }

  private static void putDeliveryLatency(ObjectNode latency, CapacityReport.DeliveryLatencyMs d) {
    latency.put("count", d.count());
    latency.put("p50", d.p50());
    latency.put("p95", d.p95());
    latency.put("p99", d.p99());
    latency.put("p999", d.p999());
    latency.put("max", d.max());
  }

  private static void putEvents(ObjectNode events, CapacityReport.Events e) {
    events.put("published", e.published());
    events.put("expectedDeliveries", e.expectedDeliveries());
    events.put("delivered", e.delivered());
    events.put("lost", e.lost());
    events.put("duplicated", e.duplicated());
    events.put("outOfOrder", e.outOfOrder());
    events.put("notYetRead", e.notYetRead());
    CapacityReport.Publishing p = e.publishing();
    if (p == null) {
      events.putNull("publishing");
    } else {
      ObjectNode publishing = events.putObject("publishing");
      publishing.put("ratePerSecond", p.ratePerSecond());
      publishing.put("publishedPerSecond", p.publishedPerSecond());
      publishing.put("roundTripP50Ms", p.roundTripP50Ms());
      publishing.put("roundTripP99Ms", p.roundTripP99Ms());
      publishing.put("behind", p.behind());
    }
  }

  private static void putServer(ObjectNode server, CapacityReport.Server s) {
    server.put("rssBytesBaseline", s.rssBytesBaseline());
    server.put("rssBytesPeak", s.rssBytesPeak());
    server.put("bytesPerConnection", s.bytesPerConnection());
  }

  private static void putInjector(ObjectNode injector, CapacityReport.Injector i) {
    injector.put("heapBytesPeak", i.heapBytesPeak());
    injector.put("cpuSeconds", i.cpuSeconds());
    injector.put("bottleneck", i.bottleneck());
    injector.put("rssBytesPeak", i.rssBytesPeak());
    injector.put("bytesPerConnection", i.bytesPerConnection());
    injector.put("streamsPerMachine", i.streamsPerMachine());
    injector.put("streamsPerMachineBasis", i.streamsPerMachineBasis());
  }

  private static void putSteps(ArrayNode steps, List<CapacityReport.Step> list) {
    for (var step : list) {
      ObjectNode o = steps.addObject();
      o.put("connections", step.connections());
      o.put("rssBytes", step.rssBytes());
      o.put("deliveryP99Ms", step.deliveryP99Ms());
      o.put("target", step.target());
      o.put("deliveryP50Ms", step.deliveryP50Ms());
      o.put("windowMs", step.windowMs());
      o.put("delivered", step.delivered());
      o.put("serverCpuSeconds", step.serverCpuSeconds());
      o.put("connectionsMin", step.connectionsMin());
      o.put("serverCpuWindowMs", step.serverCpuWindowMs());
      o.put("serverCpuMicrosPerDelivery", round2(step.serverCpuMicrosPerDelivery()));
      CapacityReport.StepInjector in = step.injector();
      o.put("injectorCpuSeconds", in == null ? null : in.cpuSeconds());
      o.put("injectorCpuMicrosPerDelivery", round2(step.injectorCpuMicrosPerDelivery()));
      o.put("injectorRssBytes", in == null ? null : in.rssBytes());
      o.put("published", in == null ? null : in.published());
      o.put("injectorSpanMs", in == null ? null : in.spanMs());
      o.put("publishedPerSecond", round2(step.publishedPerSecond()));
    }
  }

  private static Double round2(Double v) {
    return v == null ? null : Math.round(v * 100) / 100.0;
  }

  /** The memory projection's figures, then the plan's ({@link #putPlan}). */
  private static void putProjection(ObjectNode projection, CapacityReport.Projection p) {
    projection.put("connectionsPerGiB", p.connectionsPerGiB());
    projection.put("bytesPerConnection", p.bytesPerConnection());
    projection.put("baseRssBytes", p.baseRssBytes());
    projection.put("fitR2", p.fitR2());
    projection.put("targetConnections", p.targetConnections());
    projection.put("instanceMemoryBytes", p.instanceMemoryBytes());
    projection.put("connectionsPerInstance", p.connectionsPerInstance());
    projection.put("instancesForTarget", p.instancesForTarget());
    projection.put("assumptions", p.assumptions());
    putPlan(projection, p.plan());
  }

  /** The plan's fields, flat in {@code projection} after the memory figures (all null without a plan). */
  private static void putPlan(ObjectNode projection, CapacityReport.Plan plan) {
    CapacityReport.Plan p = plan != null ? plan
        : new CapacityReport.Plan(null, null, null, null, null, null, null, null, null, null, List.of());
    projection.put("status", p.status());
    projection.put("headline", p.headline());
    projection.put("sloP99Ms", p.sloP99Ms());
    projection.put("largestPassingStep", p.largestPassingStep());
    projection.put("bindingLimit", p.bindingLimit());
    projection.put("latencyKneeConnections", p.latencyKneeConnections());
    projection.put("serverMaxFiles", p.serverMaxFiles());
    projection.put("serverFilesAtStart", p.serverFilesAtStart());
    projection.put("cpuSecondsPerEvent", p.cpuSecondsPerEvent());
    projection.put("cores", p.cores());
    projection.put("coresShared", p.coresShared());
    projection.put("eventsPerConnectionPerSecond", p.eventsPerConnectionPerSecond());
    ArrayNode limits = projection.putArray("limits");
    for (var l : p.limits()) {
      limits.addObject().put("name", l.name()).put("connectionsPerInstance", l.connectionsPerInstance())
          .put("state", l.state()).put("basis", l.basis()).put("reason", l.reason());
    }
  }

  private static CapacityReport.Plan plan(JsonFields f, JsonNode limitsNode) {
    if (!f.has("projection.status")) {
      return null; // written before the capacity plan
    }
    List<CapacityReport.Limit> limits = new ArrayList<>();
    for (int i = 0; i < limitsNode.size(); i++) {
      JsonFields l = new JsonFields(limitsNode.get(i), "projection.limits[" + i + "].");
      limits.add(new CapacityReport.Limit(l.text("name"), l.optLong("connectionsPerInstance"), l.text("state"),
          l.optText("basis"), l.optText("reason")));
    }
    Long cores = f.optLong("projection.cores");
    return new CapacityReport.Plan(f.text("projection.status"), f.optText("projection.headline"),
        f.optDouble("projection.sloP99Ms"), f.optLong("projection.largestPassingStep"), f.optText("projection.bindingLimit"),
        f.optLong("projection.latencyKneeConnections"), f.optLong("projection.serverMaxFiles"),
        f.optLong("projection.serverFilesAtStart"), f.optDouble("projection.cpuSecondsPerEvent"),
        cores == null ? null : cores.intValue(), limits, f.optDouble("projection.eventsPerConnectionPerSecond"),
        f.optBoolean("projection.coresShared"));
  }

  /**
   * The inverse of {@link #toTree}: a report from its JSON (an earlier run's {@code
   * capacity.json}, or the copy inside {@code histograms.json}).
   *
   * @throws IllegalArgumentException naming the first field that is missing or of the wrong type
   */
  public static CapacityReport fromTree(JsonNode root) {
    JsonFields f = new JsonFields(root);
    List<CapacityReport.Step> steps = new ArrayList<>();
    JsonNode stepsNode = f.node("steps");
    for (int i = 0; i < stepsNode.size(); i++) {
      JsonFields s = new JsonFields(stepsNode.get(i), "steps[" + i + "].");
      long connections = s.longValue("connections");
      steps.add(new CapacityReport.Step(
          connections, s.optLong("rssBytes"), s.optDouble("deliveryP99Ms"),
          s.has("target") ? s.longValue("target") : connections, s.optDouble("deliveryP50Ms"),
          s.optLong("windowMs"), s.optLong("delivered"), s.optDouble("serverCpuSeconds"), s.optLong("connectionsMin"),
          s.optLong("serverCpuWindowMs"),
          s.optDouble("injectorCpuSeconds") == null && s.optLong("injectorRssBytes") == null && s.optLong("published") == null ? null
              : new CapacityReport.StepInjector(s.optDouble("injectorCpuSeconds"), s.optLong("injectorRssBytes"), s.optLong("published"),
                  s.optLong("injectorSpanMs"))));
    }
    return new CapacityReport(
        f.text("scenario"),
        new CapacityReport.Target(f.optText("target.url"), f.optText("target.publishUrl"), f.optText("target.metricsUrl"),
            f.has("target.urls") ? f.texts("target.urls") : null),
        f.longValue("durationMs"),
        new CapacityReport.Connections(
            f.longValue("connections.requested"), f.longValue("connections.opened"), f.longValue("connections.failed"),
            f.longValue("connections.peakOpen"), f.optLong("connections.reconnects"), f.optLong("connections.recoveryMs")),
        new CapacityReport.ConnectMs(
            f.optDouble("connectMs.p50"), f.optDouble("connectMs.p95"), f.optDouble("connectMs.p99"), f.optDouble("connectMs.max")),
        new CapacityReport.DeliveryLatencyMs(
            f.longValue("deliveryLatencyMs.count"), f.optDouble("deliveryLatencyMs.p50"), f.optDouble("deliveryLatencyMs.p95"),
            f.optDouble("deliveryLatencyMs.p99"), f.optDouble("deliveryLatencyMs.p999"), f.optDouble("deliveryLatencyMs.max")),
        new CapacityReport.Events(
            f.optLong("events.published"), f.longValue("events.expectedDeliveries"), f.longValue("events.delivered"),
            f.longValue("events.lost"), f.longValue("events.duplicated"), f.longValue("events.outOfOrder"),
            f.has("events.notYetRead") ? f.longValue("events.notYetRead") : 0,
            f.has("events.publishing") ? new CapacityReport.Publishing(f.doubleValue("events.publishing.ratePerSecond"),
                f.optDouble("events.publishing.publishedPerSecond"), f.optDouble("events.publishing.roundTripP50Ms"),
                f.optDouble("events.publishing.roundTripP99Ms")) : null),
        new CapacityReport.Server(
            f.optLong("server.rssBytesBaseline"), f.optLong("server.rssBytesPeak"), f.optLong("server.bytesPerConnection")),
        new CapacityReport.Injector(f.longValue("injector.heapBytesPeak"), f.doubleValue("injector.cpuSeconds"),
            f.optText("injector.bottleneck"), f.optLong("injector.rssBytesPeak"), f.optLong("injector.bytesPerConnection"),
            f.optLong("injector.streamsPerMachine"), f.optText("injector.streamsPerMachineBasis")),
        steps,
        new CapacityReport.Projection(
            f.optLong("projection.connectionsPerGiB"), f.optLong("projection.bytesPerConnection"),
            f.optLong("projection.baseRssBytes"), f.optDouble("projection.fitR2"),
            f.optLong("projection.targetConnections"), f.optLong("projection.instanceMemoryBytes"),
            f.optLong("projection.connectionsPerInstance"), f.optLong("projection.instancesForTarget"),
            f.optText("projection.assumptions"), plan(f, root.at("/projection/limits"))),
        failures(root.path("failures")));
  }

  private static List<CapacityReport.Failure> failures(JsonNode array) {
    List<CapacityReport.Failure> out = new ArrayList<>();
    for (JsonNode n : array) { // absent in reports written before failures were recorded
      out.add(new CapacityReport.Failure(n.path("kind").asText(), n.path("count").asLong(), n.path("message").asText()));
    }
    return out;
  }

  /** Reads an earlier run's {@code capacity.json}. */
  public static CapacityReport read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(HistogramFile.readBounded(file, 16L << 20));
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not JSON: " + e.getOriginalMessage(), e);
    }
    try {
      return fromTree(root);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a capacity.json: " + e.getMessage(), e);
    }
  }

  /** The report as indented JSON text, ending with a newline. */
  public static String toJson(CapacityReport r) {
    return toJson(r, null);
  }

  /** The report with its comparison to a baseline (a {@code "baseline"} section after the schema's fields), if any. */
  public static String toJson(CapacityReport r, BaselineComparison baseline) {
    ObjectNode root = toTree(r);
    if (baseline != null) {
      root.set("baseline", baseline.toTree());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code capacity.json} into {@code dir}. */
  public static Path write(CapacityReport r, Path dir) {
    return write(r, null, dir);
  }

  /** Writes {@code capacity.json} into {@code dir}, with the comparison to a baseline if there is one. */
  public static Path write(CapacityReport r, BaselineComparison baseline, Path dir) {
    return ReportFile.write(dir, "capacity.json", toJson(r, baseline));
  }
}
