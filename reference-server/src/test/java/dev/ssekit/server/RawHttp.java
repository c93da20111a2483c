package dev.ssekit.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A deliberately plain HTTP/1.1 client over a real loopback socket, for tests: it sends exactly
 * the bytes it is given and hands back exactly the bytes the server wrote (chunked framing
 * removed, nothing else). Every read is bounded by a deadline and ends in an {@link AssertionError}
 * that shows what had arrived.
 */
final class RawHttp implements AutoCloseable {

  /** Status line and headers (names lower-cased) of one response. */
  record Head(int status, String statusLine, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private Head head;
  private boolean chunked;
  private long remainingInChunk = -1; // -1: expecting a chunk-size line
  private long contentLength = -1;
  private boolean eof;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 65536);
    this.out = socket.getOutputStream();
  }

  static RawHttp connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setTcpNoDelay(true);
    return new RawHttp(s);
  }

  /** Opens a connection and sends {@code GET path} with the given extra header lines. */
  static RawHttp get(int port, String path, String... headerLines) throws IOException {
    RawHttp http = connect(port);
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
    for (String h : headerLines) req.append(h).append("\r\n");
    req.append("\r\n");
    http.send(req.toString().getBytes(StandardCharsets.UTF_8));
    return http;
  }

  /** Sends a request with a body and {@code Content-Length}. */
  static RawHttp request(int port, String method, String path, byte[] bodyBytes, String... headerLines)
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

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads the status line and headers, waiting at most {@code timeout}. */
  Head head(Duration timeout) throws IOException {
    if (head != null) return head;
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    while (true) {
      int b = readByte(deadline, raw);
      if (b < 0) throw new AssertionError("connection closed before the response head; got: " + escape(raw.toByteArray()));
      raw.write(b);
      byte[] r = raw.toByteArray();
      int n = r.length;
      if (n >= 4 && r[n - 4] == '\r' && r[n - 3] == '\n' && r[n - 2] == '\r' && r[n - 1] == '\n') break;
      if (n > 65536) throw new AssertionError("response head too long");
    }
    String text = raw.toString(StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = lines[i].substring(colon + 1).trim();
        headers.merge(name, value, (a, b) -> a + ", " + b);
      }
    }
    String[] status = lines[0].split(" ", 3);
    head = new Head(Integer.parseInt(status[1]), lines[0], headers);
    chunked = "chunked".equalsIgnoreCase(head.header("transfer-encoding"));
    String cl = head.header("content-length");
    if (cl != null) contentLength = Long.parseLong(cl);
    return head;
  }

  /** Reads body bytes until {@code done} accepts everything read so far; returns all body bytes. */
  byte[] awaitBody(Predicate<byte[]> done, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    head(timeout);
    while (!done.test(body.toByteArray())) {
      if (eof) {
        throw new AssertionError("stream ended before the expected body; got: " + escape(body.toByteArray()));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for body; got: " + escape(body.toByteArray()));
      }
      readBodyStep(deadline);
    }
    return body.toByteArray();
  }

  /** Waits until the body contains {@code text} (UTF-8). */
  String awaitText(String text, Duration timeout) throws IOException {
    byte[] b = awaitBody(bytes -> new String(bytes, StandardCharsets.UTF_8).contains(text), timeout);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Reads until the server ends the body (close, last chunk or content length); returns the body. */
  byte[] readToEnd(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    head(timeout);
    while (!eof) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for the end of the body; got: " + escape(body.toByteArray()));
      }
      readBodyStep(deadline);
    }
    return body.toByteArray();
  }

  /** True when the server closed the connection within {@code timeout}. */
  boolean closedWithin(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        int b = readByte(deadline, null);
        if (b < 0) return true;
      }
    } catch (AssertionError timedOut) {
      return false;
    } catch (IOException reset) {
      return true;
    }
    return false;
  }

  String bodyText() {
    return body.toString(StandardCharsets.UTF_8);
  }

  byte[] bodyBytes() {
    return body.toByteArray();
  }

  private void readBodyStep(long deadline) throws IOException {
    if (chunked) {
      if (remainingInChunk < 0) {
        String line = readLine(deadline);
        if (line == null) { eof = true; return; }
        int semi = line.indexOf(';');
        long size = Long.parseLong((semi >= 0 ? line.substring(0, semi) : line).trim(), 16);
        if (size == 0) {
          readLine(deadline); // trailer end
          eof = true;
          return;
        }
        remainingInChunk = size;
      }
      int n = readSome(deadline, (int) Math.min(remainingInChunk, 65536));
      if (n < 0) { eof = true; return; }
      remainingInChunk -= n;
      if (remainingInChunk == 0) {
        readLine(deadline); // CRLF after chunk data
        remainingInChunk = -1;
      }
    } else {
      if (contentLength >= 0 && body.size() >= contentLength) { eof = true; return; }
      int max = contentLength >= 0 ? (int) Math.min(65536, contentLength - body.size()) : 65536;
      int n = readSome(deadline, max);
      if (n < 0) { eof = true; return; }
      if (contentLength >= 0 && body.size() >= contentLength) eof = true;
    }
  }

  /** Reads at least one and at most {@code max} body bytes (what is available); -1 at the end. */
  private int readSome(long deadline, int max) throws IOException {
    int first = readByte(deadline, null);
    if (first < 0) return -1;
    body.write(first);
    int more = Math.min(max - 1, in.available());
    if (more > 0) {
      byte[] buf = new byte[more];
      int n = in.read(buf, 0, more);
      if (n > 0) body.write(buf, 0, n);
      return 1 + Math.max(0, n);
    }
    return 1;
  }

  private String readLine(long deadline) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = readByte(deadline, null);
      if (b < 0) return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
  }

  private int readByte(long deadline, ByteArrayOutputStream soFar) throws IOException {
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out reading; body so far: " + escape(body.toByteArray())
            + (soFar != null ? " head so far: " + escape(soFar.toByteArray()) : ""));
      }
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
      try {
        return in.read();
      } catch (SocketTimeoutException e) {
        // loop to re-check the deadline
      }
    }
  }

  /** Java-style escaping of raw bytes, for failure messages. */
  static String escape(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte value : bytes) {
      int b = value & 0xff;
      switch (b) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (b < 0x20 || b >= 0x7f) sb.append(String.format("\\x%02X", b));
          else sb.append((char) b);
        }
      }
    }
    return sb.append('"').toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
