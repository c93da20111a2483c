package dev.ssekit.conformance.checks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The plumbing of the tests' hand-written HTTP servers: a loopback socket, one daemon thread per
 * connection, and a close that ends them all. A subclass writes the bytes ({@link #serve}) and
 * calls {@link #start} at the end of its constructor, once its own fields are set.
 */
abstract class RawSocketServer implements AutoCloseable {
  private final String name;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  RawSocketServer(String name, int backlog) throws IOException {
    this.name = name;
    this.server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
  }

  /** Starts accepting connections. */
  final void start() {
    Thread acceptor = new Thread(this::acceptLoop, name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
  final String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  final boolean closed() {
    return closed;
  }

  /**
   * Serves one connection (TCP_NODELAY set); the socket is closed when this returns. An I/O
   * error or an interrupt means the client left or the server is closing.
   */
  abstract void serve(InputStream in, OutputStream out) throws IOException, InterruptedException;

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        Thread t = new Thread(() -> handle(s), name + "-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (closed) return;
      }
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      serve(new BufferedInputStream(socket.getInputStream()), socket.getOutputStream());
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the client left, or the server is closing
    } finally {
      sockets.remove(socket);
    }
  }

  /** A request head: method, path, and headers by lower-case name. */
  record Head(String method, String path, java.util.Map<String, String> headers) {}

  /** Reads one request head, or null at the end of the connection (or an empty request line). */
  static Head readHead(InputStream in) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null || requestLine.isEmpty()) return null;
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    String[] parts = requestLine.split(" ");
    return new Head(parts[0], parts.length > 1 ? parts[1] : "/", headers);
  }

  /** One CRLF- or LF-ended line of a request head (ISO-8859-1), or null at the end; at most 16 KiB. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (line.size() > 16 * 1024) throw new IOException("request line too long");
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway: the connection thread ends on its next write
      }
    }
  }
}
