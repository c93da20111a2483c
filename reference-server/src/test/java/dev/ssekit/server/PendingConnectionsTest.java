package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.eventually;
import static dev.ssekit.server.ServerTestSupport.get;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.testkit.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, point 6: connections whose request head trickles (slowloris) count toward
 * {@code --max-pending-connections}, so however many a client opens, the server holds a bounded
 * number; established streams are never evicted for them, and a new real client still gets in
 * (the longest-pending one makes room, with a 503 if it was mid-request). Real sockets on
 * 127.0.0.1; the head and body deadlines are far away so only the bound acts.
 *
 * <p>Built to hold on a loaded, shared machine. Most tests age connections by a {@link ManualClock}
 * the test advances, so "old enough to be evicted" (a second) is a step the test takes, never a
 * race between a sleep and the machine's load; evictions are triggered by opening the next
 * connection, and the tests assert which connection goes, in what order, and what its client
 * reads. The server orders pending connections by accept (not by when a busy event loop got round
 * to them), and a finished request counts before its answer goes out, so what a client has seen
 * is what the server's order reflects. Waits are bounded polls ({@link ServerTestSupport#WAIT})
 * that end as soon as their condition holds. One end-to-end test runs on the real clock. The tests
 * about how connections are accepted run on native epoll and on NIO (which accepts in batches
 * unless told otherwise, and is what aarch64 and macOS use).
 */
class PendingConnectionsTest {

  private static final int BOUND = 20;
  private static final int SOFT_MARK = new PendingConnections(BOUND).softMark();
  private static final long MIN_AGE_MILLIS = PendingConnections.MIN_AGE_NANOS / 1_000_000;
  private SseServer server;
  private final ManualClock clock = new ManualClock();
  private final List<Trickler> tricklers = new ArrayList<>();
  private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Trickler t : tricklers) t.close();
    for (AutoCloseable c : closeAfter) c.close();
    if (server != null) server.close();
  }

  /** The clock pending connections are aged by: it moves only when the test says so. */
  private static final class ManualClock implements LongSupplier {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long getAsLong() {
      return nanos.get();
    }

    /** Every pending connection is {@code millis} older. */
    void advance(long millis) {
      nanos.addAndGet(millis * 1_000_000);
    }
  }

  private SseServer start(ServerConfig config, boolean nio) throws InterruptedException {
    server = SseServer.start(config, nio);
    if (nio) assertThat(server.nio()).as("the server runs on NIO").isTrue();
    return server;
  }

  /** A server whose pending connections are aged by {@link #clock}. */
  private int startOnTheManualClock(boolean nio) throws InterruptedException {
    server = SseServer.start(bounded(), nio, clock);
    if (nio) assertThat(server.nio()).as("the server runs on NIO").isTrue();
    return server.port();
  }

  private static ServerConfig bounded() {
    return ServerConfig.builder().port(0).tick(Duration.ZERO).headTimeout(Duration.ofMinutes(2))
        .bodyTimeout(Duration.ofMinutes(2)).maxPendingConnections(BOUND).build();
  }

  @ParameterizedTest(name = "nio={0}")
  @ValueSource(booleans = {false, true})
  void tricklingHeadsAreBoundedAndNeitherStreamsNorNewClientsAreShutOut(boolean nio) throws Exception {
    start(bounded(), nio);
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
      awaitFirstPhaseSettled();
      List<Trickler> survivors = tricklers.stream().filter(t -> !t.closed).toList();
      assertThat(survivors).allSatisfy(t -> assertThat(t.got.toString()).isEmpty());
      long evictedBefore = server.pendingEvicted();

      // Once they have been pending a while, newcomers evict the longest-pending: a 503 for each.
      Thread.sleep(MIN_AGE_MILLIS + 300); // a lower bound on their age: the real clock only moves on
      int newcomers = BOUND / 2;
      openTricklers(port, newcomers);
      // Each newcomer past the soft mark evicts one survivor (they are all older than a second).
      int expected = newcomers - (BOUND - SOFT_MARK);
      eventually("survivors of the first phase are evicted by the newcomers, each reading a 503", () -> {
        pollAll();
        return survivors.stream().filter(t -> t.got.toString().startsWith("HTTP/1.1 503")).count() >= expected;
      });
      assertThat(server.pendingEvicted() - evictedBefore).as("evictions made by the newcomers (refused %s, survivors %s, evicted before %s)",
          server.pendingRefused(), survivors.size(), evictedBefore).isGreaterThanOrEqualTo(expected);
      Trickler evicted = survivors.stream().filter(t -> t.got.toString().startsWith("HTTP/1.1 503")).findFirst().orElseThrow();
      assertThat(evicted.got.toString()).contains("Retry-After: 1").contains("--max-pending-connections " + BOUND);
      assertThat(tricklers.subList(tricklers.size() - newcomers, tricklers.size()))
          .as("the newcomers themselves are held, not turned away").noneMatch(t -> t.closed);

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
      assertThat(get(port, "/metrics").body()).contains("sse_pending_connections").contains("sse_pending_evicted_total");
    } finally {
      sampler.interrupt();
    }
    assertThat(peak.get()).as("most pending connections the server held at once").isLessThanOrEqualTo(BOUND);
    // Every client gone: the count returns to zero (no connection is counted twice or forgotten).
    for (Trickler t : tricklers) t.close();
    eventually("no pending connection is left", () -> server.pendingConnections() == 0);
  }

  /**
   * Settled: every trickler accepted and every eviction of the first phase seen by its client (an
   * evicted one reads its 503 and end of stream; the server holds exactly the rest). Checked twice,
   * a moment apart: an evicted trickler that has closed but whose close the server has not
   * processed yet can balance one still in the backlog for an instant.
   */
  private void awaitFirstPhaseSettled() throws InterruptedException {
    eventually("the first phase settled", () -> {
      long evicted = server.pendingEvicted();
      if (!firstPhaseSettled()) return false;
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      return firstPhaseSettled() && server.pendingEvicted() == evicted;
    });
  }

  /**
   * Five times the bound of real clients, as fast as this thread connects: the acceptor waits for
   * heads to be read (each connection leaves the count when it becomes a stream) rather than
   * turning anyone away. On the manual clock no connection ever gets old enough to be evicted, so
   * only that waiting can let them all in: none is evicted, none refused.
   */
  @ParameterizedTest(name = "nio={0}")
  @ValueSource(booleans = {false, true})
  void aBurstOfRealClientsLargerThanTheBoundIsServedNotRefused(boolean nio) throws Exception {
    int port = startOnTheManualClock(nio);
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 5 * BOUND; i++) clients.add(RawHttp.get(port, "/events"));
      for (RawHttp c : clients) {
        assertThat(c.head(WAIT).status()).isEqualTo(200);
        assertThat(c.awaitText("\n\n", WAIT)).startsWith("retry: 3000\n");
      }
      assertThat(server.openStreams()).isEqualTo(5 * BOUND);
      assertThat(server.pendingEvicted()).as("evicted").isZero();
      assertThat(server.pendingRefused()).as("refused").isZero();
    } finally {
      for (RawHttp c : clients) c.close();
    }
  }

  /**
   * Connections that queue in the backlog while the acceptor waits (at the soft mark, every
   * pending connection young) are let in one by one once the silent ones are old enough, each
   * evicting the longest-pending silent one, in accept order: none is closed unanswered. NIO used
   * to accept them in one batch before the first was counted, and those past the bound were
   * closed at once.
   */
  @ParameterizedTest(name = "nio={0}")
  @ValueSource(booleans = {false, true})
  void connectionsQueuedWhileTheAcceptorWaitsAreAllServed(boolean nio) throws Exception {
    int port = startOnTheManualClock(nio);
    List<Socket> silent = new ArrayList<>();
    List<RawHttp> queued = new ArrayList<>();
    try {
      for (int i = 0; i < SOFT_MARK; i++) silent.add(new Socket("127.0.0.1", port));
      eventually("the silent connections are pending, in accept order", () -> server.pendingListed() == SOFT_MARK);
      // The acceptor waits now: these queue in the kernel's backlog until the clock moves.
      for (int i = 0; i < BOUND / 2; i++) queued.add(RawHttp.get(port, "/healthz"));
      clock.advance(MIN_AGE_MILLIS);
      for (RawHttp q : queued) assertThat(q.head(WAIT).status()).as("a queued client is answered").isEqualTo(200);
      assertThat(server.pendingEvicted()).as("one silent connection evicted per queued client").isEqualTo(BOUND / 2);
      assertThat(server.pendingRefused()).as("refused").isZero();
      for (Socket s : silent.subList(0, BOUND / 2)) assertClosedByServer(s, "an evicted silent connection");
      eventually("the other silent connections and the queued ones are pending",
          () -> server.pendingConnections() == SOFT_MARK);
    } finally {
      for (RawHttp q : queued) q.close();
      for (Socket s : silent) s.close();
    }
    eventually("no pending connection is left", () -> server.pendingConnections() == 0);
  }

  /**
   * Fills the bound with kept-alive connections and no eviction: up to the soft mark at once; then,
   * before each further one, the clock moves a second (the acceptor has waited long enough to let
   * one more in) and every connection finishes a request (none is old enough to be evicted by it).
   * Returns them in the order of their last finished request, oldest first.
   */
  private List<Socket> fillTheBoundWithKeepAlive(int port) throws Exception {
    List<Socket> keepAlive = new ArrayList<>();
    for (int i = 0; i < SOFT_MARK; i++) keepAlive.add(keepAliveSocket(port));
    while (keepAlive.size() < BOUND) {
      clock.advance(MIN_AGE_MILLIS);
      for (Socket s : keepAlive) healthzOn(s);
      keepAlive.add(keepAliveSocket(port));
    }
    eventually("the bound is reached", () -> server.pendingConnections() == BOUND);
    assertThat(server.pendingEvicted()).as("evicted on the way to the bound").isZero();
    return keepAlive;
  }

  /**
   * At the bound itself, with no eviction under way, the acceptor makes room once the oldest is
   * old enough: it evicts the longest-pending connection (idle: just closed) and lets the next one
   * in, which, past the soft mark, evicts the next longest-pending. It used to wait for a pending
   * connection to leave by itself (30 s idle, never for a client that keeps requesting).
   */
  @Test
  void atTheBoundTheOldestPendingConnectionMakesRoom() throws Exception {
    int port = startOnTheManualClock(false);
    List<Socket> keepAlive = fillTheBoundWithKeepAlive(port);
    closeAfter.addAll(keepAlive);
    clock.advance(MIN_AGE_MILLIS); // every one of them is old enough now
    try (Socket fresh = keepAliveSocket(port)) {
      healthzOn(fresh);
    }
    assertThat(server.pendingEvicted()).as("evicted: one to make room, one by the newcomer").isEqualTo(2);
    assertClosedByServer(keepAlive.get(0), "the longest-pending connection");
    assertClosedByServer(keepAlive.get(1), "the next longest-pending connection");
    for (Socket s : keepAlive.subList(2, BOUND)) healthzOn(s); // the others are still served
  }

  /**
   * Kept-alive clients that keep finishing requests (more often than once a second) are never
   * old enough to be evicted, and at the bound they used to keep the acceptor waiting for good.
   * Once it has waited a second it evicts one anyway: the longest-pending idle one (HTTP/1.1 lets
   * a server close an idle persistent connection; its client reconnects), not an older one that
   * is in the middle of a request.
   */
  @Test
  void busyKeepAliveClientsDoNotShutOutNewOnes() throws Exception {
    int port = startOnTheManualClock(false);
    List<Socket> keepAlive = fillTheBoundWithKeepAlive(port);
    closeAfter.addAll(keepAlive);
    clock.advance(MIN_AGE_MILLIS * 6 / 10);
    // All of them finish a request; the first then starts a publish and is in the middle of its body.
    for (Socket s : keepAlive) healthzOn(s);
    OutputStream midRequest = keepAlive.get(0).getOutputStream();
    midRequest.write(("POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 12\r\n\r\n{\"data\":").getBytes(StandardCharsets.US_ASCII));
    midRequest.flush();
    eventually("its body is being read", () -> server.bodyBytesBuffered() == 12);
    clock.advance(MIN_AGE_MILLIS * 6 / 10); // the acceptor has waited over a second; none is a second old
    try (RawHttp stream = RawHttp.get(port, "/events")) {
      assertThat(stream.head(WAIT).status()).as("a new stream gets in at the bound").isEqualTo(200);
    }
    assertThat(server.pendingEvicted()).as("evicted to let it in").isEqualTo(1);
    assertClosedByServer(keepAlive.get(1), "the longest-pending idle connection");
    midRequest.write("\"x\"}".getBytes(StandardCharsets.US_ASCII)); // the older one, mid-request, was kept
    midRequest.flush();
    assertThat(readResponse(keepAlive.get(0))).startsWith("HTTP/1.1 202");
    for (Socket s : keepAlive.subList(2, BOUND)) healthzOn(s);
  }

  /**
   * An evicted client that is still sending its body reads the whole 503 (with Retry-After), and
   * what it still sends after that (bytes in flight when the answer came) is taken in, not reset:
   * the server shuts its side down and drops the rest of the body until the client closes or
   * goes quiet (at most a second), instead of closing at once, which answered those bytes with a
   * reset. The body connection is the first accepted, so it is the longest pending: the server
   * orders pending connections by accept. (It used to order them by when their event loop set
   * them up; on a loaded machine a trickler accepted later could be set up first and be evicted
   * in its place, and the body was then read whole, never evicted.)
   */
  @Test
  void anEvictedClientStillSendingItsBodyReadsThe503AndIsNotReset() throws Exception {
    int port = startOnTheManualClock(false);
    Socket body = new Socket("127.0.0.1", port);
    body.getOutputStream().write(("POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 1000000\r\n\r\n{\"data\":\"").getBytes(StandardCharsets.US_ASCII));
    try (SteadySender sender = new SteadySender(body, "x".repeat(64).getBytes(StandardCharsets.US_ASCII))) {
      eventually("the body is being read", () -> server.bodyBytesBuffered() == 1_000_000);
      openTricklers(port, SOFT_MARK - 1);
      eventually("the bound is nearly full", () -> server.pendingListed() == SOFT_MARK);
      clock.advance(MIN_AGE_MILLIS); // all old enough; the body connection was accepted first
      sender.answerNotBefore(Duration.ZERO);
      openTricklers(port, 1); // past the soft mark: it evicts the longest pending
      String answer = sender.readAnswerToEnd();
      assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After: 1")
          .contains("--max-pending-connections " + BOUND).endsWith("retry\n");
      sender.assertBytesInFlightTakenIn();
      assertThat(server.pendingEvicted()).as("evicted").isEqualTo(1);
      pollAll();
      assertThat(tricklers).as("tricklers evicted").noneMatch(t -> t.closed);
    }
    for (Trickler t : tricklers) t.close();
    eventually("no pending connection is left", () -> server.pendingConnections() == 0);
  }

  /**
   * Eviction goes by how long a connection has been pending, in order: a kept-alive connection
   * accepted before every slow head but which has just finished a request is the newest, and the
   * newcomers evict the slow heads oldest first, each reading a 503, while it is still served.
   * (Its finished request used to count only after the answer was written: a client that had its
   * answer could open the next connection before that, and see its kept-alive one closed.)
   */
  @Test
  void aKeepAliveConnectionThatKeepsMakingRequestsIsEvictedAfterOlderSlowHeads() throws Exception {
    int port = startOnTheManualClock(false);
    try (Socket keepAlive = keepAliveSocket(port)) { // accepted before every trickler
      openTricklers(port, BOUND - 4);
      eventually("the tricklers are pending, in accept order", () -> server.pendingListed() == BOUND - 3);
      List<Trickler> slowHeads = List.copyOf(tricklers);
      clock.advance(MIN_AGE_MILLIS);
      healthzOn(keepAlive); // a finished request makes it the newest pending connection
      int newcomers = 6; // the first fills the soft mark; each of the others evicts the longest pending
      int expected = BOUND - 3 + newcomers - SOFT_MARK;
      openTricklers(port, newcomers);
      eventually("the newcomers are in, each past the soft mark having evicted one", () -> {
        pollAll();
        return server.pendingEvicted() == expected && server.pendingConnections() == SOFT_MARK
            && slowHeads.stream().filter(t -> t.closed).count() == expected;
      });
      assertThat(slowHeads.subList(0, expected)).as("the oldest slow heads, evicted")
          .allSatisfy(t -> assertThat(t.got.toString()).startsWith("HTTP/1.1 503").contains("Retry-After: 1"));
      assertThat(slowHeads.subList(expected, slowHeads.size())).as("the younger slow heads").noneMatch(t -> t.closed);
      assertThat(tricklers.subList(slowHeads.size(), tricklers.size())).as("the newcomers").noneMatch(t -> t.closed);
      healthzOn(keepAlive); // still open, still served
    }
  }

  /**
   * Shutting down while the acceptor waits for room: the pending connections that close then
   * must not try to wake the acceptor, whose loop is gone (that threw RejectedExecutionException
   * out of their handlerRemoved, logged as a handler error).
   */
  @Test
  void shuttingDownWhileTheAcceptorWaitsLogsNoError() throws Exception {
    start(bounded(), false);
    int port = server.port();
    List<Socket> silent = new ArrayList<>();
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    try {
      for (int i = 0; i < SOFT_MARK; i++) silent.add(new Socket("127.0.0.1", port));
      eventually("the acceptor waits", () -> server.pendingConnections() == SOFT_MARK);
      System.setErr(new java.io.PrintStream(new OutputStream() {
        @Override
        public synchronized void write(int b) {
          err.write(b);
          log.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
          err.write(b, off, len);
          log.write(b, off, len);
        }
      }, true));
      server.close();
    } finally {
      System.setErr(err);
      for (Socket s : silent) s.close();
    }
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("stopped").doesNotContain("RejectedExecution")
        .doesNotContain("handler-error").doesNotContain("after an error");
  }

  /** A connection that has made one {@code GET /healthz} and stays open. */
  private static Socket keepAliveSocket(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout((int) WAIT.toMillis());
    healthzOn(s);
    return s;
  }

  /** One {@code GET /healthz} on a kept-alive connection; fails if the connection was closed. */
  private static void healthzOn(Socket s) throws IOException {
    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
  }

  /** One response (head and a body of Content-Length bytes) on a kept-alive connection. */
  private static String readResponse(Socket s) throws IOException {
    StringBuilder got = new StringBuilder();
    int length = -1;
    while (length < 0 || got.length() < length) {
      int b = s.getInputStream().read();
      assertThat(b).as("the kept-alive connection answers; got %s", got).isNotNegative();
      got.append((char) b);
      int end = got.indexOf("\r\n\r\n");
      if (length < 0 && end >= 0) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(got);
        assertThat(m.find()).as("a Content-Length in %s", got).isTrue();
        length = end + 4 + Integer.parseInt(m.group(1));
      }
    }
    return got.toString();
  }

  /** The server closed {@code s} (end of stream or reset), seen within {@link ServerTestSupport#WAIT}. */
  private static void assertClosedByServer(Socket s, String what) throws IOException {
    s.setSoTimeout((int) WAIT.toMillis());
    try {
      byte[] buf = new byte[4096];
      while (s.getInputStream().read(buf) >= 0) {
        // an answer before the end (none is expected on an idle connection); read on
      }
    } catch (java.net.SocketTimeoutException stillOpen) {
      throw new AssertionError(what + " is still open after " + WAIT);
    } catch (IOException reset) {
      // closed
    }
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

  /** Every trickler accepted, every one evicted seen closed by its client, the server holding exactly the rest. */
  private boolean firstPhaseSettled() {
    pollAll();
    long closed = tricklers.stream().filter(t -> t.closed).count();
    return closed == server.pendingEvicted() && tricklers.size() - closed == server.pendingConnections();
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
        if (n < 0) { // the server ended its side: close ours, as an HTTP client does
          closed = true;
          close();
          return;
        }
        ch.write(ByteBuffer.wrap(new byte[] {'a'}));
      } catch (IOException reset) {
        closed = true;
        close();
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
