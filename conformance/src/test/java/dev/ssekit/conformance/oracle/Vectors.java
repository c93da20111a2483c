package dev.ssekit.conformance.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog's edge-case vectors, read from {@code vectors.jsonl}: bytes (in Java-style escapes,
 * split where the catalog splits them) and the items a conforming client reports, written from
 * the spec — never produced by the parser under test.
 */
final class Vectors {

  record Vector(String id, String rule, List<byte[]> chunks, List<StreamItem> expected, String cursor) {
    byte[] whole() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      chunks.forEach(out::writeBytes);
      return out.toByteArray();
    }

    @Override
    public String toString() {
      return id + " (" + rule + ")";
    }
  }

  private Vectors() {}

  static List<Vector> all() {
    ObjectMapper json = new ObjectMapper();
    List<Vector> out = new ArrayList<>();
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors.jsonl")) {
      if (in == null) throw new IllegalStateException("vectors.jsonl is missing from the test resources");
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) continue;
        JsonNode v = json.readTree(line);
        List<byte[]> chunks = new ArrayList<>();
        v.get("chunks").forEach(c -> chunks.add(unescape(c.textValue())));
        List<StreamItem> expected = new ArrayList<>();
        for (JsonNode e : v.get("expect")) {
          if (e.has("retry")) expected.add(new StreamItem.RetryHint(e.get("retry").longValue()));
          else expected.add(new StreamItem.Event(e.get("type").textValue(), e.get("data").textValue(), e.get("lastEventId").textValue()));
        }
        out.add(new Vector(v.get("id").textValue(), v.get("rule").textValue(), chunks, expected,
            v.has("cursor") ? v.get("cursor").textValue() : null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Java-style escapes to bytes: \r \n \t \0 \\ and \xNN (one raw byte); other characters as UTF-8. */
  static byte[] unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
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
