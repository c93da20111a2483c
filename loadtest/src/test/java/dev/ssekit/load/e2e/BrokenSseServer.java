package dev.ssekit.load.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deliberately broken SSE server on 127.0.0.1: every 100 ms it writes a tick ({@code
 * {"seq":N,"sentAtMicros":T}}) to every open stream, but never sends the ticks with {@code N % 7
 * == 3} and sends those with {@code N % 5 == 0} twice. Everything is bounded: at most 1,000
 * streams, 60 s of life, 16 KiB of request head, 5 s to send it.
 */
final class BrokenSseServer implements AutoCloseable {
  private static final long LIFETIME_MS = 60_000;

  private final ServerSocket listener;
  private final List<OutputStream> streams = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  private final Thread ticker;
  private final long deadline = System.currentTimeMillis() + LIFETIME_MS;
  private volatile boolean running = true;

  BrokenSseServer() throws IOException {
    listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    listener.setSoTimeout(200);
    acceptor = new Thread(this::acceptLoop, "broken-sse-accept");
    ticker = new Thread(this::tickLoop, "broken-sse-tick");
    acceptor.setDaemon(true);
    ticker.setDaemon(true);
    acceptor.start();
    ticker.start();
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/events";
  }

  private boolean live() {
    return running && System.currentTimeMillis() < deadline;
  }

  private void acceptLoop() {
    while (live() && sockets.size() < 1000) {
      try {
        Socket s = listener.accept();
        sockets.add(s);
        s.setSoTimeout(5_000);
        readHead(s.getInputStream());
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        streams.add(out);
      } catch (SocketTimeoutException e) {
        // poll the stop flag
      } catch (IOException e) {
        // this client went away; keep serving the others
      }
    }
  }

  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    for (int n = 0; n < 16 * 1024 && matched < 4; n++) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the request head");
      }
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  private void tickLoop() {
    long seq = 0;
    while (live()) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      seq++;
      if (seq % 7 == 3) {
        continue; // dropped
      }
      Instant t = Instant.now();
      long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      String event = "event: tick\ndata: {\"seq\":" + seq + ",\"sentAtMicros\":" + micros + "}\n\n";
      byte[] body = event.getBytes(StandardCharsets.UTF_8);
      byte[] chunk = chunk(body);
      for (OutputStream out : streams) {
        try {
          out.write(chunk);
          if (seq % 5 == 0) {
            out.write(chunk); // repeated
          }
          out.flush();
        } catch (IOException e) {
          streams.remove(out);
        }
      }
    }
  }

  private static byte[] chunk(byte[] body) {
    byte[] head = (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + body.length + 2];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  @Override
  public void close() throws IOException {
    running = false;
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
    try {
      acceptor.join(5_000);
      ticker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
