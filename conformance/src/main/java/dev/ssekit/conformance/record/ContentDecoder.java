package dev.ssekit.conformance.record;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a response body's content coding incrementally, read by read, so events keep their
 * arrival times even when the server compresses: gzip (and x-gzip), deflate (zlib-wrapped, or
 * raw as some servers send it), identity. Other codings (br, zstd) cannot be decoded here:
 * {@link #decodable()} is false and reads pass through undecoded.
 */
final class ContentDecoder {

  private final String coding;
  private Inflater inflater;
  private final ByteArrayOutputStream gzipHeader = new ByteArrayOutputStream();
  private boolean headerDone;
  private boolean failed;
  private String failure;

  ContentDecoder(String contentEncoding) {
    this.coding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
  }

  boolean decodable() {
    return switch (coding) {
      case "", "identity", "gzip", "x-gzip", "deflate" -> true;
      default -> false;
    };
  }

  boolean identity() {
    return coding.isEmpty() || coding.equals("identity");
  }

  /** Why decoding stopped, or null. */
  String failure() {
    return failure;
  }

  /** The decoded bytes of one read (possibly empty); identity and undecodable codings pass through. */
  byte[] decode(byte[] read) {
    if (identity() || !decodable() || failed) return identity() || !decodable() ? read : new byte[0];
    try {
      byte[] data = read;
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        if (!headerDone) {
          gzipHeader.writeBytes(read);
          byte[] h = gzipHeader.toByteArray();
          int len = gzipHeaderLength(h);
          if (len < 0) return new byte[0]; // header not complete yet
          headerDone = true;
          inflater = new Inflater(true);
          data = java.util.Arrays.copyOfRange(h, len, h.length);
        }
      } else if (inflater == null) {
        // deflate: RFC 9110 means zlib-wrapped, but raw deflate is common; the zlib header tells.
        boolean zlib = read.length >= 2 && (read[0] & 0x0f) == 8 && ((read[0] & 0xff) << 8 | (read[1] & 0xff)) % 31 == 0;
        inflater = new Inflater(!zlib);
      }
      inflater.setInput(data);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0) {
          if (inflater.needsInput() || inflater.needsDictionary()) break;
        }
        out.write(buf, 0, n);
        if (out.size() > 8 << 20) break; // a decompression bomb read: the byte cap handles the rest
      }
      return out.toByteArray();
    } catch (DataFormatException | RuntimeException e) {
      failed = true;
      failure = "the " + coding + " body does not decode: " + e.getMessage();
      return new byte[0];
    }
  }

  /** The length of a complete gzip member header (RFC 1952), or -1 when more bytes are needed. */
  static int gzipHeaderLength(byte[] h) {
    if (h.length < 10) return -1;
    if ((h[0] & 0xff) != 0x1f || (h[1] & 0xff) != 0x8b) throw new IllegalArgumentException("not gzip (bad magic)");
    int flags = h[3] & 0xff;
    int pos = 10;
    if ((flags & 4) != 0) { // FEXTRA
      if (h.length < pos + 2) return -1;
      pos += 2 + ((h[pos] & 0xff) | (h[pos + 1] & 0xff) << 8);
    }
    for (int bit : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
      if ((flags & bit) != 0) {
        while (pos < h.length && h[pos] != 0) pos++;
        if (pos >= h.length) return -1;
        pos++;
      }
    }
    if ((flags & 2) != 0) pos += 2; // FHCRC
    return pos <= h.length ? pos : -1;
  }
}
