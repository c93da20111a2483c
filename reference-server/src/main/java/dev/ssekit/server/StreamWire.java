package dev.ssekit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that writes the parts of a stream that are not events: the response head, the
 * opening block ({@code retry:} and an optional comment), the takeover of a connection's pipeline,
 * the chunk framing and the end of the body. Used by {@link EventStreams} (streams, turn-aways and
 * {@code HEAD /events}), {@link LoopSubscribers} (ending streams) and the scenario package
 * ({@code lossy-ticks}, and the scripted scenarios, whose heads are what their scripts say:
 * {@link #rawHead}).
 */
public final class StreamWire {

  private StreamWire() {}

  /** The handlers of the HTTP phase, removed when a connection becomes a stream. */
  private static final String[] HTTP_HANDLERS = {"aggregator", "guard", "cors", "flow", "codec", "deadline"};

  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};

  /**
   * The head of a {@code 200 text/event-stream} response.
   *
   * @param http11 HTTP/1.1 status line (else HTTP/1.0)
   * @param cacheControl the {@code Cache-Control} value
   * @param unbuffered whether to send {@code X-Accel-Buffering: no} (proxies pass events at once)
   * @param corsOrigin the {@code Access-Control-Allow-Origin} value; empty sends none
   * @param chunked {@code Transfer-Encoding: chunked}; else {@code Connection: close} (the body
   *     ends with the connection)
   */
  public record Head(boolean http11, String cacheControl, boolean unbuffered, String corsOrigin, boolean chunked) {

    public Head {
      if (chunked && !http11) throw new IllegalArgumentException("HTTP/1.0 has no chunked transfer coding");
    }

    /** What {@code GET /events} answers: chunked on HTTP/1.1, close-delimited on HTTP/1.0. */
    static Head stream(boolean http11, String corsOrigin) {
      return new Head(http11, "no-cache, no-transform", true, corsOrigin, http11);
    }

    /** A stream that only sets a retry time and closes (a turn-away). */
    static Head closing(String corsOrigin) {
      return new Head(true, "no-cache, no-transform", false, corsOrigin, false);
    }

    /** The status line and headers, with the blank line that ends them. */
    public String text() {
      List<String> lines = new ArrayList<>(6);
      lines.add("Content-Type: text/event-stream");
      lines.add("Cache-Control: " + cacheControl);
      if (unbuffered) lines.add("X-Accel-Buffering: no");
      if (!corsOrigin.isEmpty()) lines.add("Access-Control-Allow-Origin: " + corsOrigin);
      lines.add(chunked ? "Transfer-Encoding: chunked" : "Connection: close");
      return rawHead(http11 ? "HTTP/1.1 200 OK" : "HTTP/1.0 200 OK", lines);
    }

    /** {@link #text()} as it goes on the wire: UTF-8 (a non-ASCII {@code --cors-origin} as its bytes). */
    public byte[] bytes() {
      return text().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same headers on a Netty response (for {@code HEAD}, which goes through the codec): the
     * framing header only when chunked, the codec's caller decides {@code Connection}, and
     * {@link CrossOriginHandler} adds {@code Access-Control-Allow-Origin} as to every answer
     * that goes through the codec.
     */
    void applyTo(io.netty.handler.codec.http.HttpResponse res) {
      HttpHeaders headers = res.headers();
      headers.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      headers.set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
      if (unbuffered) headers.set("X-Accel-Buffering", "no");
      if (chunked) HttpUtil.setTransferEncodingChunked(res, true);
    }
  }

  /**
   * A response head written raw, past the codec: the status line, then each header line, each
   * ended by CRLF, then the blank line. Every raw head is written here: {@link Head#text()}, the
   * scripted scenarios' heads (any status, their own headers in their order), and
   * {@link RequestDeadline}'s 408 and 503 (it sits in front of the codec).
   *
   * @param statusLine such as {@code HTTP/1.1 200 OK}, without CRLF
   * @param headerLines {@code Name: value} each, without CRLF
   * @return the head as text
   */
  public static String rawHead(String statusLine, List<String> headerLines) {
    StringBuilder h = new StringBuilder(256).append(statusLine).append("\r\n");
    for (String line : headerLines) h.append(line).append("\r\n");
    return h.append("\r\n").toString();
  }

  /**
   * An opening (or closing) block: {@code retry:} first (WHATWG §9.2.6: it takes effect when the
   * line is processed), then an optional comment, then a blank line.
   *
   * @param retryMillis the reconnection time
   * @param comment one line without CR or LF, or null for none
   * @return the block as UTF-8
   */
  public static byte[] retryBlock(long retryMillis, String comment) {
    if (comment != null && (comment.indexOf('\r') >= 0 || comment.indexOf('\n') >= 0)) {
      throw new IllegalArgumentException("a comment is one line: " + comment.replace("\r", "\\r").replace("\n", "\\n"));
    }
    String block = "retry: " + retryMillis + "\n" + (comment == null ? "" : ": " + comment + "\n") + "\n";
    return block.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Leaves {@code handler} (named {@code name}) where the calling handler was, and removes the
   * handlers of the HTTP phase: bytes are written raw from here on, and the connection is no
   * longer bound by the HTTP idle and request deadlines.
   *
   * @param ctx the calling handler's context (the router's)
   * @param name the name of the handler that takes over
   * @param handler the handler that takes over
   * @param <T> its type
   * @return {@code handler}, to start it
   */
  public static <T extends ChannelHandler> T takeOver(ChannelHandlerContext ctx, String name, T handler) {
    ChannelPipeline p = ctx.pipeline();
    // Replace first, so bytes the decoder still holds are handed to the new handler, which drops them.
    p.replace(ctx.name(), name, handler);
    for (String http : HTTP_HANDLERS) {
      if (p.get(http) != null) p.remove(http);
    }
    return handler;
  }

  /** The line that opens a chunk of {@code size} bytes: the size in hex and CRLF. */
  static byte[] chunkSizeLine(int size) {
    return (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * {@code data} as one HTTP/1.1 chunk (size line, the bytes, CRLF); takes over {@code data}'s reference.
   *
   * @param data the chunk's bytes, not empty (an empty chunk would end the body)
   * @return the chunk
   */
  public static ByteBuf chunk(ByteBuf data) {
    return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(chunkSizeLine(data.readableBytes())), data,
        Unpooled.wrappedBuffer(CRLF));
  }

  /**
   * Ends a stream's body and closes: the last chunk when chunked, else just the close (after
   * everything written before is flushed).
   *
   * @param ch the stream's connection
   * @param chunked whether its body is chunked
   */
  public static void end(Channel ch, boolean chunked) {
    ch.writeAndFlush(chunked ? Unpooled.wrappedBuffer(LAST_CHUNK) : Unpooled.EMPTY_BUFFER).addListener(f -> ch.close());
  }
}
