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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deliberately broken SSE server on 127.0.0.1 that writes a tick ({@code {"seq":N,
 * "sentAtMicros":T}}) to every open stream on a fixed period, broken in one of these ways:
 *
 * <ul>
 *   <li>{@link Fault#DROPS_AND_REPEATS}: every 100 ms; never sends the ticks with {@code N % 7 ==
 *       3} and sends those with {@code N % 5 == 0} twice; no ids.
 *   <li>{@link Fault#IGNORES_LAST_EVENT_ID}: every 50 ms, with {@code id: N} and a {@code retry:
 *       300} hint; a reconnect carrying {@code Last-Event-ID} resumes from now (what it missed
 *       is lost).
 *   <li>{@link Fault#REPLAYS_FROM_START}: the same, but a reconnect carrying {@code
 *       Last-Event-ID} is sent every tick from the first (what it had is repeated).
 * </ul>
 *
 * Everything is bounded: at most 1,000 streams, 60 s of life, 16 KiB of request head, 5 s to send it.
 */
final class BrokenSseServer implements AutoCloseable {
  enum Fault { DROPS_AND_REPEATS, IGNORES_LAST_EVENT_ID, REPLAYS_FROM_START }

  private static final long LIFETIME_MS = 60_000;

  private final Fault fault;
  private final ServerSocket listener;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: the open streams, and every tick sent (resume faults only). */
  private final List<OutputStream> streams = new ArrayList<>();
  private final List<byte[]> history = new ArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  private final Thread ticker;
  private final long deadline = System.currentTimeMillis() + LIFETIME_MS;
  private volatile boolean running = true;

  BrokenSseServer() throws IOException {
    this(Fault.DROPS_AND_REPEATS);
  }

  BrokenSseServer(Fault fault) throws IOException {
    this.fault = fault;
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

  private boolean resumes() {
    return fault != Fault.DROPS_AND_REPEATS;
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
        boolean resuming = readHead(s.getInputStream()).contains("\nlast-event-id:");
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (resumes()) {
          out.write(chunk("retry: 300\n\n".getBytes(StandardCharsets.US_ASCII)));
        }
        out.flush();
        synchronized (lock) {
          if (resuming && fault == Fault.REPLAYS_FROM_START) {
            for (byte[] tick : history) {
              out.write(tick);
            }
            out.flush();
          }
          streams.add(out);
        }
      } catch (SocketTimeoutException e) {
        // poll the stop flag
      } catch (IOException e) {
        // this client went away; keep serving the others
      }
    }
  }

  /** The request head, lower-cased, lines ending in LF. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int matched = 0;
    for (int n = 0; n < 16 * 1024 && matched < 4; n++) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the request head");
      }
      if (b != '\r') {
        head.append((char) b);
      }
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString().toLowerCase(Locale.ROOT);
  }

  private void tickLoop() {
    long seq = 0;
    while (live()) {
      try {
        Thread.sleep(resumes() ? 50 : 100);
      } catch (InterruptedException e) {
        return;
      }
      seq++;
      if (fault == Fault.DROPS_AND_REPEATS && seq % 7 == 3) {
        continue; // dropped
      }
      Instant t = Instant.now();
      long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      String event = (resumes() ? "id: " + seq + "\n" : "")
          + "event: tick\ndata: {\"seq\":" + seq + ",\"sentAtMicros\":" + micros + "}\n\n";
      byte[] chunk = chunk(event.getBytes(StandardCharsets.UTF_8));
      boolean twice = fault == Fault.DROPS_AND_REPEATS && seq % 5 == 0;
      synchronized (lock) {
        if (resumes()) {
          history.add(chunk);
        }
        for (var it = streams.iterator(); it.hasNext(); ) {
          OutputStream out = it.next();
          try {
            out.write(chunk);
            if (twice) {
              out.write(chunk); // repeated
            }
            out.flush();
          } catch (IOException e) {
            it.remove();
          }
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
