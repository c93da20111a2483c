package dev.ssekit.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.function.Predicate;

/**
 * A deliberately plain HTTP/1.1 client over a real loopback socket, for tests: it sends exactly the bytes it
 * is given and hands back exactly the bytes the server wrote (chunked framing removed, nothing else).
 *
 * <p>The body can be read two ways over one reader: as the pieces it arrived in ({@link #next}: one per chunk
 * when chunked, else one read, each with its arrival time; {@link #readResponse}, {@link #end()} tells how
 * the body ended: last chunk, content length, FIN or reset), or as the bytes so far ({@link #awaitBody},
 * {@link #awaitText}, {@link #readToEnd}, {@link #bodyBytes()}). Every read is bounded by a deadline and a
 * timeout ends in an {@link AssertionError} that shows, escaped, what had arrived.
 *
 * <p>Past the ~350 lines a class keeps here, on purpose: one socket, one read buffer and one parse state
 * (head, chunk framing, content length, end) are shared by every way of reading, and split into classes they
 * would have to pass that state between them.
 */
public final class RawHttp implements AutoCloseable {

  /** Status line and headers; names lower-cased, repeated headers joined with ", ". */
  public record Head(int status, String statusLine, Map<String, String> headers) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** How a response body ended. */
  public enum End {
    /** The terminating zero-size chunk arrived. */
    LAST_CHUNK,
    /** All {@code Content-Length} bytes arrived (or the status has no body: 204, 304). */
    CONTENT_LENGTH,
    /** The server closed the connection (FIN) without one of the above. */
    EOF,
    /** The connection was reset. */
    RESET
  }

  /** One body piece as it arrived: a whole chunk when chunked, else one read. */
  public record Piece(byte[] bytes, long arrivalNanos) {}

  /** A whole response. */
  public record Response(Head head, List<Piece> pieces, End end) {
    public byte[] body() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      pieces.forEach(p -> out.writeBytes(p.bytes()));
      return out.toByteArray();
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  /** The first 4 KiB of the head, then of the body: for failure messages. */
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  /** Every body byte read so far. */
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private Head head;
  private long contentLeft = -1;
  private End end;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code 127.0.0.1:port} and sends nothing. */
  public static RawHttp connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setTcpNoDelay(true);
    return new RawHttp(s);
  }

  /** Opens a connection and sends {@code GET path} with {@code Host} and the given extra header lines. */
  public static RawHttp get(int port, String path, String... headerLines) throws IOException {
    RawHttp http = connect(port);
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
    for (String h : headerLines) req.append(h).append("\r\n");
    req.append("\r\n");
    http.send(req.toString().getBytes(StandardCharsets.UTF_8));
    return http;
  }

  /** Opens a connection and sends a request with a body and {@code Content-Length}. */
  public static RawHttp request(int port, String method, String path, byte[] bodyBytes, String... headerLines)
      throws IOException {
    RawHttp http = connect(port);
    StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
    for (String h : headerLines) req.append(h).append("\r\n");
    req.append("Content-Length: ").append(bodyBytes.length).append("\r\n\r\n");
    byte[] headBytes = req.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[headBytes.length + bodyBytes.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
    http.send(all);
    return http;
  }

  /** Opens a connection and sends {@code METHOD path} with {@code Host}, {@code Accept: text/event-stream} and no body. */
  public static RawHttp send(int port, String method, String path) throws IOException {
    RawHttp http = connect(port);
    http.send((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return http;
  }

  /** Sends {@code GET path} (as {@link #send(int, String, String)}) and reads the whole response. */
  public static Response fetch(int port, String path, Duration timeout) throws IOException {
    try (RawHttp client = send(port, "GET", path)) {
      return client.readResponse(timeout);
    }
  }

  /** Writes {@code bytes} as they are. */
  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads the status line and headers, waiting at most {@code timeout}. */
  public Head head(Duration timeout) throws IOException {
    if (head != null) return head;
    long deadline = deadline(timeout);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    while (true) {
      int b = read(deadline);
      if (b < 0) throw new AssertionError("connection closed before the response head; got: " + escape(raw.toByteArray()));
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
  public Piece next(Duration timeout) throws IOException {
    long deadline = deadline(timeout);
    head(timeout);
    if (end != null) return null;
    Piece piece;
    try {
      piece = "chunked".equalsIgnoreCase(head.header("transfer-encoding")) ? nextChunk(deadline) : nextRead(deadline);
    } catch (SocketException reset) {
      end = End.RESET;
      return null;
    }
    if (piece != null) body.writeBytes(piece.bytes());
    return piece;
  }

  private Piece nextRead(long deadline) throws IOException {
    if (contentLeft == 0) {
      end = End.CONTENT_LENGTH;
      return null;
    }
    int first = read(deadline);
    if (first < 0) {
      end = End.EOF;
      return null;
    }
    ByteArrayOutputStream piece = new ByteArrayOutputStream();
    piece.write(first);
    while (position < limit && (contentLeft < 0 || piece.size() < contentLeft)) piece.write(buffer[position++] & 0xFF);
    if (contentLeft > 0) contentLeft -= piece.size();
    return new Piece(piece.toByteArray(), System.nanoTime());
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
  public Response readResponse(Duration timeout) throws IOException {
    long deadline = deadline(timeout);
    head(timeout);
    List<Piece> pieces = new ArrayList<>();
    while (true) {
      Piece piece = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (piece == null) return new Response(head, pieces, end);
      pieces.add(piece);
    }
  }

  /** Reads body pieces until {@code done} accepts every body byte read so far; returns them. */
  public byte[] awaitBody(Predicate<byte[]> done, Duration timeout) throws IOException {
    long deadline = deadline(timeout);
    head(timeout);
    while (!done.test(body.toByteArray())) {
      if (end != null) {
        throw new AssertionError("stream ended (" + end + ") before the expected body; got: " + escape(body.toByteArray()));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for body; got: " + escape(body.toByteArray()));
      }
      next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
    return body.toByteArray();
  }

  /** Waits until the body contains {@code text} (UTF-8); returns the body so far as text. */
  public String awaitText(String text, Duration timeout) throws IOException {
    byte[] b = awaitBody(bytes -> new String(bytes, StandardCharsets.UTF_8).contains(text), timeout);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Reads until the body ends (last chunk, content length, close or reset); returns every body byte. */
  public byte[] readToEnd(Duration timeout) throws IOException {
    readResponse(timeout);
    return body.toByteArray();
  }

  /** Every body byte read so far, as UTF-8 text. */
  public String bodyText() {
    return body.toString(StandardCharsets.UTF_8);
  }

  /** Every body byte read so far. */
  public byte[] bodyBytes() {
    return body.toByteArray();
  }

  /** How the body ended, or null while it goes on. */
  public End end() {
    return end;
  }

  /** True when the server sent nothing at all during {@code window} and kept the connection open. */
  public boolean silentFor(Duration window) throws IOException {
    try {
      read(deadline(window));
      return false; // a byte or the end of the connection arrived
    } catch (AssertionError timedOut) {
      return true;
    } catch (SocketException reset) {
      return false;
    }
  }

  /** True when the server closed or reset the connection within {@code timeout}; bytes are skipped. */
  public boolean closedWithin(Duration timeout) throws IOException {
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
        throw new AssertionError("timed out reading; body so far: " + escape(body.toByteArray())
            + "; bytes since the head (or of the head): " + escape(seen.toByteArray()));
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
  public static String escape(byte[] bytes) {
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
