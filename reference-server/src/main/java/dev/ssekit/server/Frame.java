package dev.ssekit.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * The wire form of one event, built once and written to every subscriber: a single direct
 * buffer holding the HTTP/1.1 chunk (size line, SSE block, CRLF). Subscribers on chunked
 * responses get a duplicate of the whole chunk; close-delimited (HTTP/1.0) responses get a
 * duplicate of the SSE block alone. Writes never release the buffer (it is shared and kept in the
 * history); the garbage collector frees it once the history lets go.
 */
final class Frame {

  final long seq;
  final String id;
  /** Whether the publisher chose the id (such ids stay reserved after eviction). */
  final boolean customId;
  /** Bytes published on the topic up to and including this frame (chunk framing included). */
  final long cumulativeEnd;
  final Topic topic;
  /** Set once, under the publish lock, when the history lets go of this frame. */
  boolean evicted;
  private final ByteBuf chunk;
  private final int sseOffset;
  private final int sseLength;

  private Frame(Topic topic, long seq, String id, boolean customId, byte[] head, byte[] body, long cumulativeBefore) {
    this.topic = topic;
    this.seq = seq;
    this.id = id;
    this.customId = customId;
    int sse = head.length + body.length;
    byte[] sizeLine = StreamWire.chunkSizeLine(sse);
    ByteBuffer direct = ByteBuffer.allocateDirect(sizeLine.length + sse + 2);
    direct.put(sizeLine).put(head).put(body).put((byte) '\r').put((byte) '\n').flip();
    this.chunk = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
    this.sseOffset = sizeLine.length;
    this.sseLength = sse;
    this.cumulativeEnd = cumulativeBefore + chunk.readableBytes();
  }

  /** An event frame: {@code idLine} (may be empty) then the encoded type and data lines. */
  static Frame event(Topic topic, long seq, String id, boolean customId, byte[] idLine, byte[] body,
      long cumulativeBefore) {
    return new Frame(topic, seq, id, customId, idLine, body, cumulativeBefore);
  }

  /** Bytes that are not an event (comments, retry lines): no topic, seq 0, no id. */
  static Frame control(byte[] sse) {
    return new Frame(null, 0, null, false, new byte[0], sse, 0);
  }

  /** A view to write: the chunk for chunked responses, the bare block otherwise. */
  ByteBuf wire(boolean chunked) {
    return chunked ? chunk.duplicate() : chunk.slice(sseOffset, sseLength);
  }

  /** Bytes this frame puts on the wire. */
  int wireLength(boolean chunked) {
    return chunked ? chunk.readableBytes() : sseLength;
  }

  /** Bytes this frame holds in memory (what the history budget counts). */
  int size() {
    return chunk.readableBytes();
  }

  /**
   * Heap and native bytes this frame costs while held, besides its wire bytes: the frame, its
   * buffer wrappers and cleaner, the id string and the id index entry, the ring slot (measured with
   * a heap histogram: about 330 bytes with a short id). Counted against {@code --history-bytes}, so
   * the bound holds for many small events too.
   */
  static final int OVERHEAD_BYTES = 352;

  /** What the history budget counts for this frame: its bytes in memory and their upkeep. */
  long memoryCost() {
    return (long) chunk.readableBytes() + OVERHEAD_BYTES + (id == null ? 0 : 2L * id.length());
  }

  /** The SSE block alone, as bytes. */
  byte[] sseBytes() {
    byte[] out = new byte[sseLength];
    chunk.getBytes(sseOffset, out);
    return out;
  }
}
