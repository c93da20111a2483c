package dev.ssekit.protocol;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * One spec test vector: bytes (split where the vector splits them) and what a conforming client
 * reports for them, written from the spec, never produced by a parser under test.
 *
 * @param id the vector's id, such as {@code V42}
 * @param rule the spec rule it exercises, such as {@code F-03}
 * @param chunks the bytes, in the writes the vector prescribes (one when it prescribes none)
 * @param expected the items a conforming client reports, in stream order
 * @param cursor the last event ID at the end, or null when the vector states none
 */
public record Vector(String id, String rule, List<byte[]> chunks, List<ParsedItem> expected, String cursor) {

  /** Copies the lists (the byte arrays are the vector's own; do not change them). */
  public Vector {
    chunks = List.copyOf(chunks);
    expected = List.copyOf(expected);
  }

  /** All the bytes, the chunks joined. */
  public byte[] whole() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.forEach(out::writeBytes);
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return id + " (" + rule + ")";
  }
}
