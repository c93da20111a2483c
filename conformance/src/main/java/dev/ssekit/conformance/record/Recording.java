package dev.ssekit.conformance.record;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Engine;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.StreamReader;
import dev.ssekit.protocol.StreamItem;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one stream request produced: the final response's status and headers, every body read
 * with its arrival time, and how it ended. Immutable; checks that only read share one.
 *
 * @param url the URL requested
 * @param finalUrl the URL that answered, after redirects
 * @param status the final status, or -1 when no response head arrived
 * @param protocol the protocol version of the response, such as HTTP/1.1
 * @param headers the response headers in order (names as sent)
 * @param headersAfter time from sending the request to the response head, or null
 * @param chunks the body reads in order, de-chunked and decoded (gzip and deflate are decoded as they arrive)
 * @param wireChunks the reads as the server's content coding sent them (the same list for identity)
 * @param end why recording stopped
 * @param error what went wrong, for {@link End#ERROR} and {@link End#NO_RESPONSE}
 * @param lastEventIdSent the Last-Event-ID header the request carried, or null
 * @param duration how long the recording lasted
 * @param decodable whether the body's content coding could be decoded (false for br, zstd)
 */
public record Recording(URI url, URI finalUrl, int status, String protocol, List<Header> headers, Duration headersAfter,
    List<Chunk> chunks, List<Chunk> wireChunks, End end, String error, String lastEventIdSent, Duration duration,
    boolean decodable) {

  /** One response header. */
  public record Header(String name, String value) {}

  /**
   * One body read.
   *
   * @param at time since the request was sent
   * @param bytes the bytes read
   */
  public record Chunk(Duration at, byte[] bytes) {}

  /** Why a recording stopped. */
  public enum End {
    /** The server ended the body. */
    EOF,
    /** The recording window elapsed with the stream still open (normal for a live stream). */
    WINDOW,
    /** The stop condition was met (enough events). */
    ENOUGH,
    /** The byte cap was reached. */
    BYTE_CAP,
    /** No response head arrived in time. */
    NO_RESPONSE,
    /** The connection failed (refused, reset, TLS, protocol error). */
    ERROR
  }

  public Recording {
    headers = List.copyOf(headers);
    chunks = List.copyOf(chunks);
    wireChunks = List.copyOf(wireChunks);
  }

  /** The first value of header {@code name} (case-insensitive), or null. */
  public String header(String name) {
    for (Header h : headers) if (h.name().equalsIgnoreCase(name)) return h.value();
    return null;
  }

  /** Every value of header {@code name} (case-insensitive). */
  public List<String> headers(String name) {
    List<String> out = new ArrayList<>();
    for (Header h : headers) if (h.name().equalsIgnoreCase(name)) out.add(h.value());
    return out;
  }

  /** True when a response head arrived. */
  public boolean responded() {
    return status > 0;
  }

  /** The content coding the server applied, lower-cased, or "identity". */
  public String contentEncoding() {
    String e = header("Content-Encoding");
    return e == null || e.isBlank() ? "identity" : e.trim().toLowerCase(Locale.ROOT);
  }

  /** All body bytes in order. */
  public byte[] body() {
    byte[] body = new byte[Math.toIntExact(bodyLength())]; // one array of the exact size: no doubling copies
    int at = 0;
    for (Chunk c : chunks) {
      System.arraycopy(c.bytes(), 0, body, at, c.bytes().length);
      at += c.bytes().length;
    }
    return body;
  }

  /** Total body bytes. */
  public long bodyLength() {
    long n = 0;
    for (Chunk c : chunks) n += c.bytes().length;
    return n;
  }

  /** What a browser dispatches for this body (decoded), as the oracle reads it. */
  public List<StreamItem> items() {
    return read(Engine.SPEC).items().stream().map(Timed::item).toList();
  }

  /**
   * One item read from the body with when the chunk that completed it arrived.
   *
   * @param item the item
   * @param at time since the request was sent
   */
  public record Timed<T>(T item, Duration at) {}

  /**
   * What one reader made of this body.
   *
   * @param items the items, each with the arrival time of the chunk that completed it
   * @param lastEventId the last event ID the reader holds at the end (what its reconnect sends when
   *     not empty): the standard and Chromium set it at every dispatch, Firefox only when an event
   *     is dispatched
   */
  public record Reading(List<Timed<StreamItem>> items, String lastEventId) {}

  /**
   * This body (decoded) read by {@code engine}, starting from the Last-Event-ID the request sent;
   * the unfinished block is dropped only when the server ended the body. One pass.
   */
  public Reading read(Engine engine) {
    List<Timed<StreamItem>> items = new ArrayList<>();
    Duration[] at = {Duration.ZERO};
    StreamReader r = engine.reader(i -> items.add(new Timed<>(i, at[0])), lastEventIdSent == null ? "" : lastEventIdSent,
        EventStreamParser.DEFAULT_MAX_LINE_CHARS, EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
    for (Chunk c : chunks) {
      at[0] = c.at();
      r.feed(c.bytes(), 0, c.bytes().length);
    }
    if (end == End.EOF) r.end();
    return new Reading(items, r.lastEventId());
  }

  /** The dispatched events only. */
  public List<DispatchedEvent> events() {
    List<DispatchedEvent> out = new ArrayList<>();
    for (StreamItem i : items()) if (i instanceof DispatchedEvent e) out.add(e);
    return out;
  }
}
