package dev.ssekit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire form of one event, built once and written to every subscriber: a single direct
 * buffer holding the HTTP/1.1 chunk (size line, SSE block, CRLF). Subscribers on chunked
 * responses get a duplicate of the whole chunk; close-delimited (HTTP/1.0) responses get a
 * duplicate of the SSE block alone. The buffer is never released by writes (it is shared and
 * kept in the history); the garbage collector frees it once the history lets go.
 */
final class Frame {

  final long seq;
  final String id;
  private final ByteBuf chunk;
  private final int sseOffset;
  private final int sseLength;

  private Frame(long seq, String id, byte[] sse) {
    this.seq = seq;
    this.id = id;
    byte[] sizeLine = (Integer.toHexString(sse.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer direct = ByteBuffer.allocateDirect(sizeLine.length + sse.length + 2);
    direct.put(sizeLine).put(sse).put((byte) '\r').put((byte) '\n').flip();
    this.chunk = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
    this.sseOffset = sizeLine.length;
    this.sseLength = sse.length;
  }

  /** A frame for an event with a sequence number and id. */
  static Frame event(long seq, String id, byte[] sse) {
    return new Frame(seq, id, sse);
  }

  /** A frame for bytes that are not an event (comments, retry lines); seq 0, no id. */
  static Frame control(byte[] sse) {
    return new Frame(0, null, sse);
  }

  /** A view to write: the chunk for chunked responses, the bare block otherwise. */
  ByteBuf wire(boolean chunked) {
    return chunked ? chunk.duplicate() : chunk.slice(sseOffset, sseLength);
  }

  /** Bytes this frame puts on the wire. */
  int wireLength(boolean chunked) {
    return chunked ? chunk.readableBytes() : sseLength;
  }

  /** The SSE block alone, as bytes (for tests and logs). */
  byte[] sseBytes() {
    byte[] out = new byte[sseLength];
    chunk.getBytes(sseOffset, out);
    return out;
  }
}
