package dev.ssekit.server.scenario;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plain HTTP/1.1 client over a loopback socket that keeps what a scenario test needs to see:
 * the head, the body as the pieces it arrived in (one per chunk when chunked, with arrival times),
 * and how the body ended (last chunk, content length, FIN or reset). Every read is bounded and a
 * timeout ends in an {@link AssertionError} showing the escaped bytes received so far.
 */
final class WireClient implements AutoCloseable {

  /** How a response body ended. */
  enum End {
    /** The terminating zero-size chunk arrived. */
    LAST_CHUNK,
    /** All {@code Content-Length} bytes arrived. */
    CONTENT_LENGTH,
    /** The server closed the connection (FIN) without one of the above. */
    EOF,
    /** The connection was reset. */
    RESET
  }

  /** Status line and headers; names lower-cased, repeated headers joined with ", ". */
  record Head(int status, String statusLine, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One body piece as it arrived: a whole chunk when chunked, else one read. */
  record Piece(byte[] bytes, long arrivalNanos) {}

  /** A whole response. */
  record Response(Head head, List<Piece> pieces, End end) {
    byte[] body() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      pieces.forEach(p -> out.writeBytes(p.bytes()));
      return out.toByteArray();
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private Head head;
  private long contentLeft = -1;
  private End end;

  private WireClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** Connects and sends {@code METHOD path} with {@code Host} and no body. */
  static WireClient send(int port, String method, String path) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setTcpNoDelay(true);
    String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nAccept: text/event-stream\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return new WireClient(socket);
  }

  /** Sends {@code GET path} and reads the whole response. */
  static Response fetch(int port, String path, Duration timeout) throws IOException {
    try (WireClient client = send(port, "GET", path)) {
      return client.readToEnd(timeout);
    }
  }

  /** Reads the status line and headers. */
  Head head(Duration timeout) throws IOException {
    if (head != null) return head;
    long deadline = deadline(timeout);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    while (true) {
      int b = read(deadline);
      if (b < 0) throw new AssertionError("connection ended before a response head; got " + escape(raw.toByteArray()));
      raw.write(b);
      byte[] r = raw.toByteArray();
      int n = r.length;
      if (n >= 4 && r[n - 4] == '\r' && r[n - 3] == '\n' && r[n - 2] == '\r' && r[n - 1] == '\n') break;
      if (n > 65_536) throw new AssertionError("response head longer than 64 KiB");
    }
    String[] lines = raw.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) throw new AssertionError("malformed header line " + escape(lines[i].getBytes(StandardCharsets.ISO_8859_1)));
      headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
    }
    head = new Head(Integer.parseInt(lines[0].split(" ", 3)[1]), lines[0], headers);
    String length = head.header("content-length");
    if (length != null) contentLeft = Long.parseLong(length);
    if (head.status() == 204 || head.status() == 304) contentLeft = 0;
    seen.reset();
    return head;
  }

  /**
   * The next body piece, or {@code null} once the body has ended (see {@link #end()}).
   * When chunked, a piece is exactly one chunk.
   */
  Piece next(Duration timeout) throws IOException {
    long deadline = deadline(timeout);
    head(timeout);
    if (end != null) return null;
    try {
      if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) return nextChunk(deadline);
      if (contentLeft == 0) {
        end = End.CONTENT_LENGTH;
        return null;
      }
      int available = read(deadline);
      if (available < 0) {
        end = End.EOF;
        return null;
      }
      ByteArrayOutputStream piece = new ByteArrayOutputStream();
      piece.write(available);
      while (position < limit && (contentLeft < 0 || piece.size() < contentLeft)) piece.write(buffer[position++] & 0xFF);
      if (contentLeft > 0) contentLeft -= piece.size();
      return new Piece(piece.toByteArray(), System.nanoTime());
    } catch (SocketException reset) {
      end = End.RESET;
      return null;
    }
  }

  private Piece nextChunk(long deadline) throws IOException {
    String sizeLine = readLine(deadline);
    if (sizeLine == null) {
      end = End.EOF;
      return null;
    }
    int semicolon = sizeLine.indexOf(';');
    int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
    if (size == 0) {
      String trailerEnd = readLine(deadline);
      if (!"".equals(trailerEnd)) throw new AssertionError("expected CRLF after the last chunk, got " + trailerEnd);
      end = End.LAST_CHUNK;
      return null;
    }
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      int b = read(deadline);
      if (b < 0) {
        end = End.EOF;
        return new Piece(Arrays.copyOf(data, i), System.nanoTime());
      }
      data[i] = (byte) b;
    }
    long arrived = System.nanoTime();
    String crlf = readLine(deadline);
    if (!"".equals(crlf)) throw new AssertionError("chunk of " + size + " bytes not followed by CRLF: " + crlf);
    return new Piece(data, arrived);
  }

  /** Reads every piece until the body ends. */
  Response readToEnd(Duration timeout) throws IOException {
    long deadline = deadline(timeout);
    head(timeout);
    List<Piece> pieces = new ArrayList<>();
    while (true) {
      Piece piece = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (piece == null) return new Response(head, pieces, end);
      pieces.add(piece);
    }
  }

  /** How the body ended, or null while it goes on. */
  End end() {
    return end;
  }

  /** True when the server sent nothing at all during {@code window} and kept the connection open. */
  boolean silentFor(Duration window) throws IOException {
    try {
      read(deadline(window));
      return false; // a byte or the end of the connection arrived
    } catch (AssertionError timedOut) {
      return true;
    } catch (SocketException reset) {
      return false;
    }
  }

  /** True when the server closed or reset the connection within {@code timeout}, ignoring bytes. */
  boolean closedWithin(Duration timeout) throws IOException {
    long deadline = deadline(timeout);
    try {
      while (read(deadline) >= 0) {
        position = limit; // skip whatever arrives
      }
      return true;
    } catch (SocketException reset) {
      return true;
    } catch (AssertionError timedOut) {
      return false;
    }
  }

  private String readLine(long deadline) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = read(deadline);
      if (b < 0) return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
  }

  /** One byte, -1 at EOF; a {@link SocketException} on reset; an AssertionError at the deadline. */
  private int read(long deadline) throws IOException {
    while (position == limit) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out; bytes since the head (or of the head): " + escape(seen.toByteArray()));
      }
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
      try {
        int n = in.read(buffer);
        if (n < 0) return -1;
        position = 0;
        limit = n;
        if (seen.size() < 4096) seen.write(buffer, 0, Math.min(n, 4096 - seen.size()));
      } catch (SocketTimeoutException e) {
        // loop to re-check the deadline
      }
    }
    return buffer[position++] & 0xFF;
  }

  private static long deadline(Duration timeout) {
    return System.nanoTime() + timeout.toNanos();
  }

  /** Java-style escaping of raw bytes, for failure messages. */
  static String escape(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte value : bytes) {
      int c = value & 0xFF;
      switch (c) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> sb.append(c < 0x20 || c >= 0x7F ? String.format("\\x%02X", c) : String.valueOf((char) c));
      }
    }
    return sb.append('"').toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
