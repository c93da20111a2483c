package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.get;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, point 1 (the part the head deadline did not close): connections whose request head
 * trickles (slowloris) count toward {@code --max-pending-connections}, so however many a client
 * opens, the server holds a bounded number; established streams are never evicted for them, and a
 * new real client still gets in (the longest-pending trickler makes room, with a 503). Real
 * sockets; the deadlines are far away so only the bound acts; no timing is asserted beyond
 * generous waits.
 */
class PendingConnectionsTest {

  private static final int BOUND = 20;
  private SseServer server;
  private final List<Trickler> tricklers = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Trickler t : tricklers) t.close();
    if (server != null) server.close();
  }

  @Test
  void tricklingHeadsAreBoundedAndNeitherStreamsNorNewClientsAreShutOut() throws Exception {
    server = SseServer.start(ServerConfig.defaults().withPort(0).withTick(Duration.ZERO)
        .withHeadTimeout(Duration.ofMinutes(2)).withMaxPendingConnections(BOUND));
    int port = server.port();
    AtomicInteger peak = new AtomicInteger();
    Thread sampler = sampleWhileRunning(peak);
    try (RawHttp established = RawHttp.get(port, "/events")) {
      assertThat(established.head(WAIT).status()).isEqualTo(200);
      established.awaitText("retry: 3000", WAIT);

      // Three times the bound, each a request head that never ends.
      openTricklers(port, 3 * BOUND);
      long openAtClient = awaitAtMost(BOUND, "trickling connections the server still holds");
      assertThat(openAtClient).as("trickling connections still open (client side)").isLessThanOrEqualTo(BOUND);

      // Once they have been pending a while, newcomers evict the longest-pending: a 503 for each.
      Thread.sleep(PendingConnections.MIN_AGE_NANOS / 1_000_000 + 300);
      openTricklers(port, BOUND / 2);
      ServerTestSupport.eventually("an evicted trickler reads a 503", () -> {
        pollAll();
        return tricklers.stream().anyMatch(t -> t.got.toString().startsWith("HTTP/1.1 503"));
      });
      Trickler evicted = tricklers.stream().filter(t -> t.got.toString().startsWith("HTTP/1.1 503")).findFirst().orElseThrow();
      assertThat(evicted.got.toString()).contains("Retry-After: 1").contains("--max-pending-connections " + BOUND);

      // A real client gets in while the bound is full of tricklers: a stream and /healthz.
      assertThat(get(port, "/healthz").status()).isEqualTo(200);
      try (RawHttp fresh = RawHttp.get(port, "/events")) {
        assertThat(fresh.head(WAIT).status()).isEqualTo(200);
        assertThat(fresh.awaitText("\n\n", WAIT)).startsWith("retry: 3000\n");
        assertThat(publish(port, null, "{\"data\":\"after the flood\"}").status()).isEqualTo(202);
        awaitData(fresh, "after the flood");
        // The stream opened before the flood was not evicted and still gets events.
        awaitData(established, "after the flood");
      }
      pollAll();
      assertThat(tricklers.stream().filter(t -> !t.closed).count()).as("tricklers still open").isLessThanOrEqualTo(BOUND);
      assertThat(server.pendingConnections()).isLessThanOrEqualTo(BOUND);
      assertThat(get(port, "/metrics").body()).contains("sse_pending_connections").contains("sse_pending_evicted_total");
    } finally {
      sampler.interrupt();
    }
    assertThat(peak.get()).as("most pending connections the server held at once").isLessThanOrEqualTo(BOUND);
  }

  @Test
  void aBurstOfRealClientsLargerThanTheBoundIsServedNotRefused() throws Exception {
    server = SseServer.start(ServerConfig.defaults().withPort(0).withTick(Duration.ZERO).withMaxPendingConnections(BOUND));
    int port = server.port();
    List<RawHttp> clients = new ArrayList<>();
    try {
      // Five times the bound, as fast as this thread connects: the acceptor waits for heads to be
      // read rather than turning anyone away.
      for (int i = 0; i < 5 * BOUND; i++) clients.add(RawHttp.get(port, "/events"));
      for (RawHttp c : clients) {
        assertThat(c.head(WAIT).status()).isEqualTo(200);
        assertThat(c.awaitText("\n\n", WAIT)).startsWith("retry: 3000\n");
      }
      assertThat(server.openStreams()).isEqualTo(5 * BOUND);
    } finally {
      for (RawHttp c : clients) c.close();
    }
  }

  @Test
  void aKeepAliveConnectionThatKeepsMakingRequestsIsNotTheOneEvicted() throws Exception {
    server = SseServer.start(ServerConfig.defaults().withPort(0).withTick(Duration.ZERO)
        .withHeadTimeout(Duration.ofMinutes(2)).withMaxPendingConnections(BOUND));
    int port = server.port();
    try (Socket keepAlive = new Socket("127.0.0.1", port)) {
      keepAlive.setSoTimeout((int) WAIT.toMillis());
      healthzOn(keepAlive); // accepted before every trickler: the oldest by accept time
      openTricklers(port, BOUND - 4);
      ServerTestSupport.eventually("the tricklers are pending", () -> server.pendingConnections() == BOUND - 3);
      Thread.sleep(PendingConnections.MIN_AGE_NANOS / 1_000_000 + 300);
      healthzOn(keepAlive); // a finished request makes it the newest pending connection again
      openTricklers(port, 6); // past the soft mark: each evicts the longest pending
      ServerTestSupport.eventually("tricklers were evicted", () -> {
        pollAll();
        return tricklers.stream().filter(t -> t.closed).count() >= 2;
      });
      healthzOn(keepAlive); // still open, still served
    }
  }

  /** One {@code GET /healthz} on a kept-alive connection; fails if the connection was closed. */
  private static void healthzOn(Socket s) throws IOException {
    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    StringBuilder got = new StringBuilder();
    while (!got.toString().endsWith("}")) {
      int b = s.getInputStream().read();
      assertThat(b).as("the kept-alive connection answers; got %s", got).isNotNegative();
      got.append((char) b);
    }
    assertThat(got.toString()).startsWith("HTTP/1.1 200");
  }

  private Thread sampleWhileRunning(AtomicInteger peak) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(server.pendingConnections(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "pending-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void openTricklers(int port, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      Trickler t = new Trickler(port);
      tricklers.add(t);
    }
  }

  /** Trickles a byte on every open trickler and reads what the server wrote. */
  private void pollAll() {
    for (Trickler t : tricklers) t.poll();
  }

  /** Polls until at most {@code n} tricklers are open (client side), or {@link ServerTestSupport#WAIT}. */
  private long awaitAtMost(int n, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long open;
    do {
      pollAll();
      open = tricklers.stream().filter(t -> !t.closed).count();
      if (open <= n) return open;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(what + ": " + open + " still open after " + WAIT + "; expected at most " + n);
  }

  /** A client whose request head never ends: one header byte per poll, never the blank line. */
  private static final class Trickler {
    final SocketChannel ch;
    final StringBuilder got = new StringBuilder();
    boolean closed;

    Trickler(int port) throws IOException {
      ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
      ch.configureBlocking(false);
      ch.write(ByteBuffer.wrap(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ")
          .getBytes(StandardCharsets.US_ASCII)));
    }

    void poll() {
      if (closed) return;
      try {
        ByteBuffer in = ByteBuffer.allocate(4096);
        int n;
        while ((n = ch.read(in)) > 0) {
          got.append(new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1));
          in.clear();
        }
        if (n < 0) {
          closed = true;
          return;
        }
        ch.write(ByteBuffer.wrap(new byte[] {'a'}));
      } catch (IOException reset) {
        closed = true;
      }
    }

    void close() {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }
}
