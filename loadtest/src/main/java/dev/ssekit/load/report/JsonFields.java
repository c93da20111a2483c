package dev.ssekit.load.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to a JSON object's fields by dotted path ({@code "connections.opened"}), failing
 * with the path's name: how {@link CapacityJson} reads an earlier report and says which field is
 * missing or of the wrong type.
 */
final class JsonFields {
  private final JsonNode root;
  private final String prefix;

  JsonFields(JsonNode root) {
    this(root, "");
  }

  JsonFields(JsonNode root, String prefix) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException((prefix.isEmpty() ? "the document" : prefix) + " is not an object");
    }
    this.root = root;
    this.prefix = prefix;
  }

  boolean has(String path) {
    JsonNode n = at(path);
    return !n.isMissingNode() && !n.isNull();
  }

  private JsonNode at(String path) {
    return root.at("/" + path.replace('.', '/'));
  }

  JsonNode node(String path) {
    JsonNode n = at(path);
    if (!n.isArray()) {
      throw new IllegalArgumentException(prefix + path + " must be an array");
    }
    return n;
  }

  String text(String path) {
    JsonNode n = at(path);
    if (!n.isTextual()) {
      throw new IllegalArgumentException(prefix + path + " must be a string");
    }
    return n.asText();
  }

  String optText(String path) {
    return has(path) ? text(path) : null;
  }

  /** An array of strings. */
  List<String> texts(String path) {
    JsonNode n = node(path);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw new IllegalArgumentException(prefix + path + "[" + i + "] must be a string");
      }
      texts.add(n.get(i).asText());
    }
    return texts;
  }

  long longValue(String path) {
    JsonNode n = at(path);
    if (!n.isIntegralNumber()) {
      throw new IllegalArgumentException(prefix + path + " must be a whole number");
    }
    return n.asLong();
  }

  Long optLong(String path) {
    return has(path) ? longValue(path) : null;
  }

  double doubleValue(String path) {
    JsonNode n = at(path);
    if (!n.isNumber()) {
      throw new IllegalArgumentException(prefix + path + " must be a number");
    }
    return n.asDouble();
  }

  Double optDouble(String path) {
    return has(path) ? doubleValue(path) : null;
  }

  Boolean optBoolean(String path) {
    if (!has(path)) {
      return null;
    }
    JsonNode n = at(path);
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(prefix + path + " must be true or false");
    }
    return n.asBoolean();
  }
}
