package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.BrowserStream;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.StreamItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of a recording and where its cursor moved: after each id change, how many events had
 * been dispatched (the event that carried the id included). Also how the resume checks read ids:
 * the id each event's own block set, and decimal ids as numbers.
 */
final class Cursors {
  final List<DispatchedEvent> events = new ArrayList<>();
  final List<String> cursor = new ArrayList<>();
  final List<Integer> eventsSoFar = new ArrayList<>();
  /** The events with the id their own block set ("" when it set none), for the judgement without a witness. */
  final List<DispatchedEvent> ownIds = new ArrayList<>();
  String finalCursor = "";

  /** The events of every connection of a followed stream, in order, as a browser dispatched them. */
  static Cursors of(BrowserStream.Followed f) {
    Cursors c = new Cursors();
    for (BrowserStream.Connection conn : f.connections()) {
      Cursors one = of(conn.recording());
      int offset = c.events.size();
      c.events.addAll(one.events);
      c.cursor.addAll(one.cursor);
      for (int n : one.eventsSoFar) c.eventsSoFar.add(offset + n);
      c.ownIds.addAll(one.ownIds);
      if (!one.finalCursor.isEmpty() || conn.index() == 0) c.finalCursor = one.finalCursor;
    }
    return c;
  }

  static Cursors of(Recording r) {
    Cursors c = new Cursors();
    c.ownIds.addAll(ownIdsOf(r));
    String seed = r.lastEventIdSent() == null ? "" : r.lastEventIdSent();
    EventStreamParser p = new EventStreamParser(item -> {
      if (item instanceof DispatchedEvent e) c.events.add(e);
    }, seed, EventStreamParser.DEFAULT_MAX_LINE_CHARS, EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    String last = seed;
    for (Recording.Chunk chunk : r.chunks()) {
      byte[] b = chunk.bytes();
      for (int i = 0; i < b.length; i++) {
        p.feed(b, i, 1);
        String now = p.lastEventId();
        if (!now.equals(last)) {
          c.cursor.add(now);
          c.eventsSoFar.add(c.events.size());
          last = now;
        }
      }
    }
    c.finalCursor = last;
    return c;
  }

  /** How many events precede the position where the cursor first became {@code id}; -1 if never. */
  int eventsAfterFirst(String id) {
    for (int i = 0; i < cursor.size(); i++) if (cursor.get(i).equals(id)) return eventsSoFar.get(i);
    return -1;
  }

  /**
   * The events of {@code r}, each with the id its own block set ({@code ""} when it set none), not
   * the cursor it inherited: each block is parsed by the oracle on its own.
   */
  static List<DispatchedEvent> ownIdsOf(Recording r) {
    LineScan scan = LineScan.of(r.body(), EventStreamParser.DEFAULT_MAX_LINE_CHARS);
    List<DispatchedEvent> out = new ArrayList<>();
    StringBuilder block = new StringBuilder();
    for (LineScan.Line line : scan.lines) {
      block.append(line.text()).append('\n');
      if (line.isBlank()) {
        for (StreamItem item : EventStreamParser.parse(block.toString().getBytes(StandardCharsets.UTF_8))) {
          if (item instanceof DispatchedEvent e) out.add(e);
        }
        block.setLength(0);
      }
    }
    return out;
  }

  /** A non-negative decimal id as a number, or null when the id is anything else (opaque). */
  static Long decimal(String id) {
    return id.matches("[0-9]{1,18}") ? Long.valueOf(id) : null;
  }
}
