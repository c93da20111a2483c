package dev.ssekit.server.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Retry;
import dev.ssekit.server.Responses;
import dev.ssekit.server.StreamWire;
import dev.ssekit.server.scenario.Scenario.Kind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Serves the scenario catalog under {@code /scenarios}.
 *
 * <ul>
 *   <li>{@code GET /scenarios} (or {@code /scenarios/}) — JSON list of
 *       {@code {name, description, kind, rules, url, expectedUrl}}, {@code expectedUrl} null for faults.
 *   <li>{@code GET /scenarios/{name}/expected} — for a correct scenario,
 *       {@code application/x-ndjson}: one object per line in stream order, each dispatched event as
 *       {@code {"type","data","lastEventId"}} and each valid retry as {@code {"retry":N}} (the form
 *       {@code ./ssekit parse} prints); 404 for faults and unknown names.
 *   <li>{@code GET /scenarios/{name}} — the scripted bytes. The handler takes the connection over
 *       ({@link StreamWire#takeOver}): the HTTP handlers go, and a {@link ScriptedStream} replaces
 *       the calling handler ({@code router}); it writes the HTTP/1.1 head itself (always with
 *       {@code Connection: close}), then each step as one write and flush (one chunk when chunked),
 *       with delays on the channel's event loop. Correct scenarios end with the terminating chunk
 *       and a clean close. Every timer is bounded and cancelled when the channel closes.
 * </ul>
 *
 * <p>Other methods get 405 with {@code Allow: GET}; unknown paths get 404 with a short reason.
 * These small answers are the server's ({@link Responses}). Thread-safe: instances hold only the
 * immutable catalog and a Jackson mapper.
 */
public final class ScenarioHandler {

  private static final String PREFIX = "/scenarios";

  private final ScenarioCatalog catalog;
  private final Admission admission;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Whether a scenario stream may start on a connection. Scenario streams are long-lived
   * connections like event streams and count toward the same limit.
   */
  @FunctionalInterface
  public interface Admission {
    /**
     * Takes a slot for a stream on {@code channel}, released when it closes; false when none is free.
     *
     * @param channel the connection about to carry a scenario stream
     * @return whether the stream may start
     */
    boolean admit(io.netty.channel.Channel channel);
  }

  /** A handler for the standard catalog, admitting every stream. */
  public ScenarioHandler() {
    this(ScenarioCatalog.standard(), ch -> true);
  }

  /**
   * A handler for the standard catalog.
   *
   * @param admission decides whether a scenario stream may start (the server's --max-connections)
   */
  public ScenarioHandler(Admission admission) {
    this(ScenarioCatalog.standard(), admission);
  }

  /**
   * A handler for the given catalog, admitting every stream.
   *
   * @param catalog the scenarios to serve
   */
  public ScenarioHandler(ScenarioCatalog catalog) {
    this(catalog, ch -> true);
  }

  /**
   * A handler for the given catalog.
   *
   * @param catalog the scenarios to serve
   * @param admission decides whether a scenario stream may start
   */
  public ScenarioHandler(ScenarioCatalog catalog, Admission admission) {
    this.catalog = catalog;
    this.admission = admission;
  }

  /** The catalog served. */
  public ScenarioCatalog catalog() {
    return catalog;
  }

  /**
   * Answers one request under {@code /scenarios}. Must run on the channel's event loop, from the
   * handler named by {@code ctx} (the router). Does not release {@code request}.
   *
   * @param ctx the calling handler's context; for a scenario stream that handler is replaced
   * @param request the aggregated request
   * @param path the decoded path without query string, starting with {@code /scenarios}
   */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
    if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
      Responses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
      return;
    }
    if (!HttpMethod.GET.equals(request.method())) {
      FullHttpResponse response = Responses.textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
          "method " + request.method() + " not allowed here; use GET");
      response.headers().set(HttpHeaderNames.ALLOW, "GET");
      Responses.finish(ctx, response, HttpUtil.isKeepAlive(request));
      return;
    }
    String rest = path.substring(PREFIX.length());
    if (rest.isEmpty() || rest.equals("/")) {
      Responses.finish(ctx, Responses.response(HttpResponseStatus.OK, "application/json", listing()),
          HttpUtil.isKeepAlive(request));
      return;
    }
    String[] parts = rest.substring(1).split("/", -1);
    if (parts.length == 1 && parts[0].equals(LossyTicks.NAME)) {
      // live, not scripted: not in the catalog
      if (admitted(ctx)) StreamWire.takeOver(ctx, LossyTicks.NAME, new LossyTicks()).start();
      return;
    }
    Optional<Scenario> scenario = catalog.find(parts[0]);
    if (scenario.isEmpty()) {
      Responses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "no scenario named '" + parts[0] + "'; see /scenarios");
    } else if (parts.length == 1) {
      if (admitted(ctx)) StreamWire.takeOver(ctx, "scenario", new ScriptedStream(scenario.get())).start();
    } else if (parts.length == 2 && parts[1].equals("expected")) {
      expected(ctx, request, scenario.get());
    } else {
      Responses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
    }
  }

  /** Past the server's stream limit: 503 with Retry-After, and close. */
  private boolean admitted(ChannelHandlerContext ctx) {
    if (admission.admit(ctx.channel())) return true;
    FullHttpResponse response = Responses.textResponse(HttpResponseStatus.SERVICE_UNAVAILABLE,
        "the server holds as many streams as --max-connections allows; retry later");
    response.headers().set(HttpHeaderNames.RETRY_AFTER, "30");
    Responses.finish(ctx, response, false);
    return false;
  }

  /**
   * The body of {@code /scenarios/{name}/expected} for a correct scenario: one JSON object per line.
   *
   * @param scenario a correct scenario
   * @return UTF-8 NDJSON, empty when no item is expected
   */
  public byte[] expectedNdjson(Scenario scenario) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ParsedItem item : scenario.expected()) {
      ObjectNode node = json.createObjectNode();
      if (item instanceof DispatchedEvent e) {
        node.put("type", e.type()).put("data", e.data()).put("lastEventId", e.lastEventId());
      } else if (item instanceof Retry r) {
        node.put("retry", r.millis());
      }
      out.writeBytes(jsonBytes(node));
      out.write('\n');
    }
    return out.toByteArray();
  }

  private void expected(ChannelHandlerContext ctx, FullHttpRequest request, Scenario scenario) {
    if (scenario.kind() == Kind.FAULT) {
      Responses.text(ctx, request, HttpResponseStatus.NOT_FOUND,
          "'" + scenario.name() + "' is a fault scenario; faults publish no expected events");
      return;
    }
    Responses.finish(ctx, Responses.response(HttpResponseStatus.OK, "application/x-ndjson; charset=utf-8",
        expectedNdjson(scenario)), HttpUtil.isKeepAlive(request));
  }

  private byte[] listing() {
    ArrayNode list = json.createArrayNode();
    for (Scenario s : catalog.all()) {
      ObjectNode node = list.addObject()
          .put("name", s.name())
          .put("description", s.description())
          .put("kind", s.kind().name());
      ArrayNode rules = node.putArray("rules");
      s.rules().forEach(rules::add);
      node.put("url", PREFIX + "/" + s.name());
      node.put("expectedUrl", s.kind() == Kind.CORRECT ? PREFIX + "/" + s.name() + "/expected" : null);
    }
    return jsonBytes(list);
  }

  private byte[] jsonBytes(Object node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }
}
