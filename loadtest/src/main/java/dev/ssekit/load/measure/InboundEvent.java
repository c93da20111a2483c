package dev.ssekit.load.measure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One message as Gatling hands it over ({@code SseInboundMessage.message()}), read back into its
 * fields without trusting Gatling's reader.
 *
 * <p>Gatling writes each dispatched block as {@code {"event":"…","id":"…","data":…,"retry":N}}
 * (absent fields omitted; {@code data} pasted raw when it looks like a JSON object or array,
 * {@code event} and {@code id} not escaped), and it also dispatches blocks the spec does not, such
 * as a {@code retry:}-only block. So: a message is an event only if it has a {@code data} field
 * (the spec's dispatch rule), and when the JSON is invalid (an unescaped quote in {@code event} or
 * {@code id}, or data like {@code {Title}}) the fields are recovered from the fixed field order.
 *
 * @param isEvent whether a browser would dispatch it (it has a data field)
 * @param data the data text, or {@code null}
 * @param seq the {@code seq} number in a JSON-object data, or {@code -1}
 * @param sentAtMicros the {@code sentAtMicros} number in a JSON-object data, or {@code -1}
 * @param run the {@code run} string in a JSON-object data, or {@code null}
 */
public record InboundEvent(boolean isEvent, String data, long seq, long sentAtMicros, String run) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final InboundEvent NOT_AN_EVENT = new InboundEvent(false, null, -1, -1, null);

  /** Whether the data carried a sequence number. */
  public boolean sequenced() {
    return seq >= 0;
  }

  /** Reads one Gatling message. Never throws. */
  public static InboundEvent parse(String message) {
    if (message == null) {
      return NOT_AN_EVENT;
    }
    try {
      JsonNode root = JSON.readTree(message);
      if (root != null && root.isObject()) {
        JsonNode data = root.get("data");
        if (data == null) {
          return NOT_AN_EVENT;
        }
        if (data.isObject()) {
          return fromObject(data.toString(), data);
        }
        String text = data.isTextual() ? data.textValue() : data.toString();
        return fromText(text);
      }
    } catch (JsonProcessingException e) {
      // Invalid JSON from Gatling's writer: fall through to the field-order reading.
    }
    return lenient(message);
  }

  private static InboundEvent fromText(String text) {
    if (text.length() > 1 && text.charAt(0) == '{' && text.charAt(text.length() - 1) == '}') {
      try {
        JsonNode node = JSON.readTree(text);
        if (node != null && node.isObject()) {
          return fromObject(text, node);
        }
      } catch (JsonProcessingException e) {
        // not JSON: plain data
      }
    }
    return new InboundEvent(true, text, -1, -1, null);
  }

  private static InboundEvent fromObject(String text, JsonNode node) {
    return new InboundEvent(true, text, number(node, "seq"), number(node, "sentAtMicros"), string(node, "run"));
  }

  private static long number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.canConvertToExactIntegral() && v.asLong() >= 0 ? v.asLong() : -1;
  }

  private static String string(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }

  /**
   * Recovers the data field from Gatling's fixed order when the whole is not valid JSON: skip the
   * raw {@code event} and {@code id} values (they end at the next field's opening or the end), then
   * take data up to {@code ,"retry":N} or the closing brace.
   */
  static InboundEvent lenient(String m) {
    int i = 0;
    if (m.startsWith("{")) {
      i = 1;
    }
    for (String field : new String[] {"\"event\":\"", "\"id\":\""}) {
      if (m.startsWith(field, i)) {
        int end = m.indexOf("\",\"", i + field.length());
        if (end < 0) {
          return NOT_AN_EVENT; // only this field, then "}"
        }
        i = end + 2;
      }
    }
    if (!m.startsWith("\"data\":", i)) {
      return NOT_AN_EVENT;
    }
    i += "\"data\":".length();
    int end = m.length() - 1; // the closing brace
    int retry = m.lastIndexOf(",\"retry\":");
    if (retry >= i && m.substring(retry + 9, end).chars().allMatch(Character::isDigit)) {
      end = retry;
    }
    if (end < i) {
      return NOT_AN_EVENT;
    }
    String raw = m.substring(i, end);
    if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      try {
        return fromText(JSON.readValue(raw, String.class));
      } catch (JsonProcessingException e) {
        return new InboundEvent(true, raw.substring(1, raw.length() - 1), -1, -1, null);
      }
    }
    return fromText(raw);
  }
}
