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
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny SSE server whose streams are per connection, not one broadcast: every connection without
 * {@code Last-Event-ID} starts its own session (a per-user feed, a token stream), whose events are
 * {@code data: session S event N}, one every 100 ms, at most {@link #MAX_EVENTS} per connection.
 * Ids are either numbers counted per session ({@code 1, 2, 3}: two connections share ids but not
 * events) or opaque and session-scoped ({@code s3-7}: no other connection ever sees them). How it
 * resumes after {@code Last-Event-ID} is chosen per server. Loopback only.
 */
final class PerConnectionServer implements AutoCloseable {

  /** Each connection's events stop after this many, so nothing runs unbounded. */
  static final int MAX_EVENTS = 600;
  private static final Pattern OPAQUE = Pattern.compile("s(\\d{1,9})-(\\d{1,9})");

  enum Ids {
    /** {@code 1, 2, 3} per session: a resumed numeric id cannot say which session it was, so resuming starts a new one. */
    NUMERIC,
    /** {@code sS-N}: a resumed id names its session, which continues. */
    OPAQUE
  }

  enum Resume {
    /** After the given id: right. */
    AFTER,
    /** At the given id itself: the client gets it twice. */
    AT,
    /** From the session's first event again: the client gets everything twice. */
    FROM_START
  }

  private final Ids ids;
  private final Resume resume;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private volatile boolean closed;

  PerConnectionServer(Ids ids, Resume resume) throws IOException {
    this.ids = ids;
    this.resume = resume;
    server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "per-connection-sse-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/events";
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "per-connection-sse-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (closed) return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      String requestLine = readLine(in);
      if (requestLine == null) return;
      String lastEventId = null;
      for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("last-event-id")) {
          lastEventId = line.substring(colon + 1).trim();
        }
      }
      if (!requestLine.startsWith("GET /events")) {
        out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        return;
      }
      int session = sessions.incrementAndGet();
      int next = 1;
      if (lastEventId != null && !lastEventId.isEmpty()) {
        int given = -1;
        Matcher m = OPAQUE.matcher(lastEventId);
        if (ids == Ids.OPAQUE && m.matches()) {
          session = Integer.parseInt(m.group(1));
          given = Integer.parseInt(m.group(2));
        } else if (ids == Ids.NUMERIC && lastEventId.matches("\\d{1,9}")) {
          given = Integer.parseInt(lastEventId);
        }
        if (given > 0) {
          next = switch (resume) {
            case AFTER -> given + 1;
            case AT -> given;
            case FROM_START -> 1;
          };
        }
      }
      out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      for (int sent = 0; sent < MAX_EVENTS && !closed; sent++, next++) {
        String id = ids == Ids.NUMERIC ? String.valueOf(next) : "s" + session + "-" + next;
        out.write(("id: " + id + "\ndata: session " + session + " event " + next + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(100);
      }
    } catch (IOException | InterruptedException e) {
      // the client left, or the server is closing
    } finally {
      sockets.remove(socket);
    }
  }

  private static String readLine(InputStream in) throws IOException {
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
  public void close() throws IOException {
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
