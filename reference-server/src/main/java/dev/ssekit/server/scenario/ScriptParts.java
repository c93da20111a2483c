package dev.ssekit.server.scenario;

import dev.ssekit.protocol.ParsedItem;
import dev.ssekit.protocol.Vectors;
import dev.ssekit.server.scenario.Scenario.Close;
import dev.ssekit.server.scenario.Scenario.Ending;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.Kind;
import dev.ssekit.server.scenario.Scenario.Step;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The building blocks of the catalog's entries: the standard head of a correct stream and of a
 * fault, steps from spec vectors or from bytes in the vectors' notation ({@link #b}), one write
 * each or paced, split into chunks or bytes, and the items the vectors say a conforming client
 * reports. Static helpers for the scenario families ({@link FieldScenarios},
 * {@link FramingScenarios}, {@link HttpScenarios}, {@link FaultScenarios}).
 */
final class ScriptParts {

  /** The content type of a correct stream. */
  static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  /** No delay: the write follows the previous one at once. */
  static final Duration NOW = Duration.ZERO;
  /** The pace of byte-by-byte and two-byte writes. */
  static final Duration BYTE_PACE = Duration.ofMillis(5);

  private ScriptParts() {}

  /** A correct scenario: {@code 200 text/event-stream}, chunked, ending with a clean close. */
  static Scenario correct(String name, String description, List<String> rules, List<Step> steps,
      List<ParsedItem> expected) {
    return new Scenario(name, description, rules, Kind.CORRECT,
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED), steps, new Close(), expected);
  }

  /** A fault: its own head (or none) and ending, no expected items. */
  static Scenario fault(String name, String description, List<String> rules, Head head, List<Step> steps,
      Ending ending) {
    return new Scenario(name, description, rules, Kind.FAULT, head, steps, ending, List.of());
  }

  /** A {@code Content-Type} header. */
  static Header contentType(String value) {
    return new Header("Content-Type", value);
  }

  /** Bytes in the vectors' notation, as Java values: a String is UTF-8 text, an Integer is one raw byte. */
  static byte[] b(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      } else if (part instanceof Integer raw && raw >= 0 && raw <= 0xFF) {
        out.write(raw);
      } else {
        throw new IllegalArgumentException("not text or a byte: " + part);
      }
    }
    return out.toByteArray();
  }

  /** One immediate write per vector, each with all of that vector's bytes. */
  static List<Step> vectorWrites(String... ids) {
    List<Step> steps = new ArrayList<>();
    for (String id : ids) steps.add(new Step(NOW, Vectors.get(id).whole()));
    return steps;
  }

  /** The bytes of the vectors, one after the other. */
  static byte[] vectorBytes(String... ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String id : ids) out.writeBytes(Vectors.get(id).whole());
    return out.toByteArray();
  }

  /** What a conforming client reports for the vectors, one after the other. */
  static List<ParsedItem> expected(String... ids) {
    List<ParsedItem> items = new ArrayList<>();
    for (String id : ids) items.addAll(Vectors.get(id).expected());
    return items;
  }

  /** The rule ids (docs/spec-rules.md), then the vector ids. */
  static List<String> rules(List<String> rules, String... ids) {
    return join(rules, List.of(ids));
  }

  /** {@code first}, then {@code second}, as one list. */
  static <T> List<T> join(List<? extends T> first, List<? extends T> second) {
    List<T> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /** One write per byte array: the first at once, each next one {@code pace} after the previous. */
  static List<Step> paced(List<byte[]> writes, Duration pace) {
    List<Step> steps = new ArrayList<>();
    for (byte[] bytes : writes) steps.add(new Step(steps.isEmpty() ? NOW : pace, bytes));
    return steps;
  }

  /** One immediate write per byte array. */
  static List<Step> writes(byte[]... each) {
    List<Step> steps = new ArrayList<>();
    for (byte[] bytes : each) steps.add(new Step(NOW, bytes));
    return steps;
  }

  /** One write per byte, each after {@code pace}. */
  static List<Step> eachByte(byte[] all, Duration pace) {
    return inChunks(all, 1, pace);
  }

  /** Writes of {@code size} bytes (the last may be shorter), each after {@code pace}. */
  static List<Step> inChunks(byte[] all, int size, Duration pace) {
    List<Step> steps = new ArrayList<>();
    for (int at = 0; at < all.length; at += size) {
      byte[] piece = new byte[Math.min(size, all.length - at)];
      System.arraycopy(all, at, piece, 0, piece.length);
      steps.add(new Step(at == 0 ? NOW : pace, piece));
    }
    return steps;
  }
}
