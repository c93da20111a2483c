package dev.ssekit.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec test vectors, read once from {@code vectors.jsonl} beside this class: one JSON object a
 * line ({@code #} lines are comments) with {@code id}, {@code rule}, {@code chunks} (the bytes in
 * Java-style escapes), {@code expect} ({@code {"type","data","lastEventId"}} for an event,
 * {@code {"retry"}} for a reconnection time) and, when the vector states it, {@code cursor}. The
 * oracle's tests, the reference server's scenarios and, through them, the browser parity tests
 * read them from here.
 */
public final class Vectors {

  private static final String RESOURCE = "vectors.jsonl";
  private static final Map<String, Vector> BY_ID = load();

  private Vectors() {}

  /** Every vector, in the file's order. */
  public static List<Vector> all() {
    return List.copyOf(BY_ID.values());
  }

  /**
   * The vector with this id.
   *
   * @throws IllegalArgumentException when there is none
   */
  public static Vector get(String id) {
    Vector v = BY_ID.get(id);
    if (v == null) throw new IllegalArgumentException("no vector " + id + " in " + RESOURCE);
    return v;
  }

  private static Map<String, Vector> load() {
    ObjectMapper json = new ObjectMapper();
    Map<String, Vector> out = new LinkedHashMap<>();
    try (InputStream in = Vectors.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing beside " + Vectors.class.getName());
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) continue;
        Vector v = vector(json.readTree(line));
        if (out.putIfAbsent(v.id(), v) != null) throw new IllegalStateException("vector " + v.id() + " twice in " + RESOURCE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Collections.unmodifiableMap(out);
  }

  private static Vector vector(JsonNode v) {
    List<byte[]> chunks = new ArrayList<>();
    v.get("chunks").forEach(c -> chunks.add(unescape(c.textValue())));
    List<ParsedItem> expected = new ArrayList<>();
    for (JsonNode e : v.get("expect")) {
      if (e.has("retry")) expected.add(new Retry(e.get("retry").longValue()));
      else expected.add(new DispatchedEvent(e.get("type").textValue(), e.get("data").textValue(), e.get("lastEventId").textValue()));
    }
    return new Vector(v.get("id").textValue(), v.get("rule").textValue(), chunks, expected,
        v.has("cursor") ? v.get("cursor").textValue() : null);
  }

  /** Java-style escapes to bytes: \r \n \t \0 \\ and \xNN (one raw byte); other characters as UTF-8. */
  static byte[] unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        int cp = s.codePointAt(i);
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp) - 1;
        continue;
      }
      char n = s.charAt(++i);
      switch (n) {
        case 'r' -> out.write('\r');
        case 'n' -> out.write('\n');
        case 't' -> out.write('\t');
        case '0' -> out.write(0);
        case '\\' -> out.write('\\');
        case 'x' -> {
          out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
          i += 2;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + n + " in " + s);
      }
    }
    return out.toByteArray();
  }
}
