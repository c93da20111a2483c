package dev.ssekit.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /publish[?topic=T]} with {@code {"data": string, "event"?: string, "id"?: string}}
 * answers {@code 202 {"id": "…"}}. This is also the publish contract the conformance suite's
 * driven checks use on any server. A request is published whole or not at all: every refusal is a
 * 4xx with a one-line reason, decided before anything reaches a subscriber. Who may publish, and
 * the content type, were checked on the request's head ({@link RequestGuard}, {@link Access}).
 */
final class PublishHandler {

  private static final Set<String> FIELDS = Set.of("data", "event", "id");
  private static final int MAX_ID_CHARS = 256;
  private static final int MAX_EVENT_CHARS = 256;

  private final Topics topics;
  /** With --broker: publishes go to Redis, and come back to every instance's mirror from there. */
  private final RedisBroker broker;
  private final ObjectMapper json;

  PublishHandler(Topics topics, RedisBroker broker) {
    this.topics = topics;
    this.broker = broker;
    this.json = new ObjectMapper();
    this.json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // "{...} trailing junk" and concatenated objects are not one JSON object: refuse them.
    this.json.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The parts of a valid publish request. */
  record Request(String data, String event, String id) {}

  void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
    try {
      String topicName = topicOf(query);
      Request r = parse(req);
      if (broker != null) {
        viaBroker(ctx, req, topicName, r);
        return;
      }
      // Encoded before the publish lock is taken; the id line is added under it.
      byte[] body = EventEncoder.body(r.event(), r.data());
      Frame frame;
      try {
        frame = topics.publish(topicName, r.id(), body);
      } catch (Topics.Refused e) {
        throw new Refusal(HttpResponseStatus.valueOf(e.status), e.getMessage());
      }
      Responses.json(ctx, req, HttpResponseStatus.ACCEPTED, json.writeValueAsString(Map.of("id", frame.id)));
    } catch (Refusal refusal) {
      Responses.finish(ctx, refusal.response(), HttpUtil.isKeepAlive(req));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a map of strings", e);
    }
  }

  /**
   * Publishes through the broker and answers once Redis has the event: {@code 202} with the
   * stream entry's id; {@code 503} when Redis could not be reached or answered with an error (out of
   * memory, a key of another type: nothing was published);
   * {@code 504} when the command was sent but not confirmed (it may have been published). The
   * connection reads nothing more until then (requests pipelined behind it wait in the "flow"
   * handler), so answers go out in order.
   */
  private void viaBroker(ChannelHandlerContext ctx, FullHttpRequest req, String topicName, Request r) throws Refusal {
    if (r.id() != null) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "with --broker the ids are the Redis stream's entry ids, "
          + "the same on every instance: publish without \"id\"");
    }
    if (topics.isClosed()) {
      throw new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down; publish to another instance");
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpRequest head = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers().copy());
    ctx.channel().config().setAutoRead(false);
    broker.publish(topicName, r.event(), r.data()).whenComplete((id, failure) -> ctx.executor().execute(() -> {
      answer(ctx, head, keepAlive, id, failure);
      // After the answer: turning reading on hands the next pipelined request on at once.
      ctx.channel().config().setAutoRead(true);
    }));
  }

  private void answer(ChannelHandlerContext ctx, HttpRequest head, boolean keepAlive, String id, Throwable failure) {
      if (failure == null) {
        try {
          Responses.json(ctx, head, HttpResponseStatus.ACCEPTED, json.writeValueAsString(Map.of("id", id)));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("cannot serialise a map of strings", e);
        }
      } else {
        Refusal down = RedisBroker.refusedByRedis(failure)
            ? new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "nothing was published: the broker " + broker.uri()
                + " refused the event (" + RedisBroker.reason(failure) + ")")
            : RedisBroker.rejected(failure)
            ? new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "nothing was published: the broker " + broker.uri()
                + " cannot be reached (" + RedisBroker.reason(failure) + "); publish again when /healthz says ok")
            // Sent, but no answer: Redis may have appended it. A blind retry could publish it twice.
            : new Refusal(HttpResponseStatus.GATEWAY_TIMEOUT, "the broker " + broker.uri() + " did not confirm the event ("
                + RedisBroker.reason(failure) + "); it may or may not have been published: look for it before publishing again");
        FullHttpResponse res = down.response();
        res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        Responses.finish(ctx, res, keepAlive);
      }
  }

  /** The refusal of a publish whose head does not say JSON, or null; asked before any body is read. */
  static Refusal contentTypeRefusal(HttpRequest req) {
    String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type != null && type.split(";", 2)[0].trim().equalsIgnoreCase("application/json")) return null;
    return new Refusal(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "send the event as JSON with 'Content-Type: application/json'");
  }

  private static String topicOf(QueryStringDecoder query) throws Refusal {
    List<String> values = query.parameters().get("topic");
    String name = values == null || values.isEmpty() ? ServerConfig.DEFAULT_TOPIC : values.get(0);
    String invalid = Topics.invalidReason(name);
    if (invalid != null) throw new Refusal(HttpResponseStatus.BAD_REQUEST, invalid);
    return name;
  }

  Request parse(FullHttpRequest req) throws Refusal {
    if (!req.content().isReadable()) throw new Refusal(HttpResponseStatus.BAD_REQUEST, "empty body; expected a JSON object");
    String text = strictUtf8(req.content());
    JsonNode root;
    try {
      root = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "body must be a JSON object like {\"data\": \"…\"}");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new Refusal(HttpResponseStatus.BAD_REQUEST, "unknown field '" + name + "'; allowed: data, event, id");
      }
    }
    return validate(string(root, "data", true), string(root, "event", false), string(root, "id", false));
  }

  /**
   * The one validation of an event to publish: what cannot be framed safely is refused (a type or
   * id with CR or LF would inject fields, WHATWG HTML §9.2.5; an id with NUL is ignored by every
   * client, §9.2.6), and so are ids a client could not send back or resume from.
   *
   * @param data the payload (required)
   * @param event the type, null or empty for {@code message}
   * @param id the id, null for one the server assigns
   * @return the request, with an empty type as null
   * @throws Refusal with a 400 and the reason
   */
  static Request validate(String data, String event, String id) throws Refusal {
    if (data == null) throw new Refusal(HttpResponseStatus.BAD_REQUEST, "missing field 'data' (a string)");
    if (event != null) {
      if (event.indexOf('\r') >= 0 || event.indexOf('\n') >= 0) {
        throw new Refusal(HttpResponseStatus.BAD_REQUEST, "event must not contain CR or LF (it would inject fields)");
      }
      if (event.length() > MAX_EVENT_CHARS) {
        throw new Refusal(HttpResponseStatus.BAD_REQUEST, "event is longer than " + MAX_EVENT_CHARS + " characters");
      }
      if (event.isEmpty()) event = null;
    }
    if (id != null) checkId(id);
    return new Request(data, event, id);
  }

  /**
   * The body as text, refusing anything that is not well-formed UTF-8 (RFC 8259 §8.1, RFC 3629):
   * overlong forms such as {@code C0 AF} for {@code /}, encoded surrogates, code points past
   * U+10FFFF, stray continuation bytes. A lenient decoder would deliver a character the publisher
   * never sent. A leading byte order mark is skipped.
   */
  static String strictUtf8(ByteBuf content) throws Refusal {
    ByteBuffer bytes = content.nioBuffer();
    if (bytes.remaining() >= 3 && (bytes.get(bytes.position()) & 0xff) == 0xEF
        && (bytes.get(bytes.position() + 1) & 0xff) == 0xBB && (bytes.get(bytes.position() + 2) & 0xff) == 0xBF) {
      bytes.position(bytes.position() + 3);
    }
    int start = bytes.position();
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer out = CharBuffer.allocate((int) (bytes.remaining() * (double) decoder.maxCharsPerByte()) + 1);
    CoderResult result = decoder.decode(bytes, out, true);
    if (!result.isError()) result = decoder.flush(out);
    if (result.isError()) {
      int at = bytes.position() - start;
      StringBuilder shown = new StringBuilder();
      for (int i = 0; i < Math.max(1, result.length()) && bytes.position() + i < bytes.limit(); i++) {
        shown.append(String.format("%02X ", bytes.get(bytes.position() + i) & 0xff));
      }
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "body is not well-formed UTF-8 at byte " + at + " ("
          + shown.toString().trim() + "); send JSON as UTF-8, with non-ASCII characters encoded once");
    }
    return out.flip().toString();
  }

  private static void checkId(String id) throws Refusal {
    if (id.isEmpty()) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "id must not be empty (an empty id resets the client's last event ID)");
    }
    if (id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "id must not contain CR or LF (it would inject fields)");
    }
    if (id.indexOf('\0') >= 0) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "id must not contain NUL (clients ignore such ids)");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        // A client sends the id back as a Last-Event-ID header, where control characters are not
        // allowed (RFC 9110 §5.5): the reconnect would be refused or the id dropped.
        throw new Refusal(HttpResponseStatus.BAD_REQUEST, String.format(
            "id must not contain control characters (U+%04X at %d): a client could not send it back in Last-Event-ID", (int) c, i));
      }
    }
    if (id.length() > MAX_ID_CHARS) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "id is longer than " + MAX_ID_CHARS + " characters");
    }
    if (Character.isWhitespace(id.charAt(0)) || Character.isWhitespace(id.charAt(id.length() - 1))) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST,
          "id must not start or end with whitespace (HTTP trims it from Last-Event-ID, so resume would fail)");
    }
    if (id.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST,
          "numeric ids are assigned by the server; omit id, or use one with a non-digit");
    }
  }

  private static String string(JsonNode root, String name, boolean required) throws Refusal {
    JsonNode node = root.get(name);
    if (node == null || node.getNodeType() == JsonNodeType.NULL) {
      if (required) throw new Refusal(HttpResponseStatus.BAD_REQUEST, "missing field '" + name + "' (a string)");
      return null;
    }
    if (!node.isTextual()) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "'" + name + "' must be a string, not " + node.getNodeType().name().toLowerCase());
    }
    String value = node.textValue();
    if (hasUnpairedSurrogate(value)) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "'" + name + "' contains an unpaired surrogate (not encodable as UTF-8)");
    }
    return value;
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
        else return true;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
