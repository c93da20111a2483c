package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ssekit.conformance.checks.FaultyServer.Fault;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.StreamItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every knob of {@link FaultyServer} on real sockets: a raw client publishes and reads the exact bytes
 * each knob writes. No timing is asserted tightly: waits are bounded generously and only the
 * {@code BUFFERED} test looks at time at all (nothing within 300 ms of a 2 s flush period).
 */
@Timeout(30)
class FaultyServerTest {

  // ------------------------------------------------------------------ the correct server

  @Test
  void byDefaultItIsACorrectBroadcastServer() throws Exception {
    try (FaultyServer s = FaultyServer.correct(); RawStream a = RawStream.open(s, null); RawStream b = RawStream.open(s, null)) {
      a.awaitBody(t -> t.startsWith("retry: 500\n\n"));
      b.awaitBody(t -> t.startsWith("retry: 500\n\n"));
      assertThat(a.head()).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("Content-Type: text/event-stream\r\n")
          .containsIgnoringCase("Connection: close\r\n").doesNotContainIgnoringCase("Content-Length");
      awaitOpen(s, 2);

      Published p = publish(s, "{\"data\":\"a\\r\\nb\\rc\\nd\",\"event\":\"x\"}");
      assertThat(p.status()).isEqualTo(202);
      assertThat(p.body()).isEqualTo("{\"id\":\"1\"}");
      assertThat(publish(s, "{\"data\":\"mine\",\"id\":\"abc\"}").body()).isEqualTo("{\"id\":\"abc\"}");
      assertThat(publish(s, "{\"data\":\"\"}").body()).isEqualTo("{\"id\":\"2\"}");
      String expected = "retry: 500\n\nid: 1\nevent: x\ndata: a\ndata: b\ndata: c\ndata: d\n\nid: abc\ndata: mine\n\n"
          + "id: 2\ndata: \n\n";
      a.awaitBody(t -> t.equals(expected));
      b.awaitBody(t -> t.equals(expected));

      // Line breaks in names and ids are refused; nothing reaches the stream.
      assertThat(publish(s, "{\"data\":\"d\",\"event\":\"evil\\ndata: x\"}").status()).isEqualTo(400);
      assertThat(publish(s, "{\"data\":\"d\",\"id\":\"evil\\rdata: x\"}").status()).isEqualTo(400);
      assertThat(publish(s, "{\"data\":\"d\",\"id\":\"x\\u0000\"}").status()).isEqualTo(400);
      assertThat(publish(s, "{\"data\":42}").status()).isEqualTo(400);
      assertThat(publish(s, "not json").status()).isEqualTo(400);
      publish(s, "{\"data\":\"control\"}");
      a.awaitBody(t -> t.endsWith("id: 3\ndata: control\n\n"));
      assertThat(a.body()).doesNotContain("evil");
      assertThat(s.eventsPublished()).isEqualTo(4);
      assertThat(s.connectionsOpened()).isEqualTo(2);
    }
  }

  @Test
  void theCorrectServerResumesExactlyAfterTheIdAndAnswersAnUnknownIdWithLiveEvents() throws Exception {
    try (FaultyServer s = FaultyServer.correct()) {
      for (int i = 1; i <= 5; i++) publish(s, "{\"data\":\"e" + i + "\"}");
      try (RawStream r = RawStream.open(s, "3")) {
        r.awaitBody(t -> t.endsWith("id: 5\ndata: e5\n\n"));
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\n");
      }
      try (RawStream r = RawStream.open(s, "no-such-id")) {
        assertThat(r.head()).startsWith("HTTP/1.1 200 OK");
        awaitOpen(s, 1);
        publish(s, "{\"data\":\"e6\"}");
        r.awaitBody(t -> t.endsWith("id: 6\ndata: e6\n\n"));
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 6\ndata: e6\n\n");
      }
      awaitOpen(s, 0); // a client that leaves is noticed
    }
  }

  @Test
  void ticksAreOffByDefaultAndBroadcastWhenAsked() throws Exception {
    try (FaultyServer s = FaultyServer.builder().tick(Duration.ofMillis(50)).build(); RawStream r = RawStream.open(s, null)) {
      r.awaitBody(t -> t.contains("id: 2\nevent: tick\ndata: tick 2\n\n"));
    }
  }

  @Test
  void closeEndsOpenStreamsPromptly() throws Exception {
    FaultyServer s = FaultyServer.builder().tick(Duration.ofMillis(50)).build();
    try (RawStream r = RawStream.open(s, null)) {
      r.awaitBody(t -> t.contains("tick 1"));
      long t0 = System.nanoTime();
      s.close();
      r.awaitEnd();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  // ------------------------------------------------------------------ encoding faults

  @Test
  void jsonEncodedDataWritesOneJsonStringLiteral() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.JSON_ENCODED_DATA).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      publish(s, "{\"data\":\"a\\nb\"}");
      publish(s, "{\"data\":\"say \\\"hi\\\"\\r\\n\"}");
      r.awaitBody(t -> t.endsWith("id: 2\ndata: \"say \\\"hi\\\"\\r\\n\"\n\n"));
      assertThat(r.body()).contains("id: 1\ndata: \"a\\nb\"\n\n");
      assertThat(r.events().get(0).data()).isEqualTo("\"a\\nb\"");
    }
  }

  @Test
  void noSpaceAfterColonWritesNameColonValue() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.NO_SPACE_AFTER_COLON).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      publish(s, "{\"data\":\" one leading space\",\"event\":\"e\"}");
      r.awaitBody(t -> t.endsWith("\n\n") && t.contains("data:"));
      assertThat(r.body()).isEqualTo("retry:500\n\nid:1\nevent:e\ndata: one leading space\n\n");
      assertThat(r.events().get(0).data()).isEqualTo("one leading space"); // the space is lost
    }
  }

  @Test
  void lfOnlySplitLeavesALoneCrRawInTheLine() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.LF_ONLY_SPLIT).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      publish(s, "{\"data\":\"hello\\rid: evil\\revent: evil\\rretry: 1\"}");
      publish(s, "{\"data\":\"a\\nb\"}");
      r.awaitBody(t -> t.endsWith("id: 2\ndata: a\ndata: b\n\n"));
      assertThat(r.body()).contains("id: 1\ndata: hello\rid: evil\revent: evil\rretry: 1\n\n");
      DispatchedEvent first = r.events().get(0);
      assertThat(first.type()).isEqualTo("evil");
      assertThat(first.lastEventId()).isEqualTo("evil");
      assertThat(first.data()).isEqualTo("hello");
    }
  }

  @Test
  void rawFieldsAcceptLineBreaksInNamesAndIds() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.RAW_FIELDS).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      assertThat(publish(s, "{\"data\":\"d\",\"event\":\"evil\\ndata: injected\"}").status()).isEqualTo(202);
      assertThat(publish(s, "{\"data\":\"d2\",\"id\":\"evil\\r\\n\\r\\ndata: injected2\"}").status()).isEqualTo(202);
      r.awaitBody(t -> t.contains("d2"));
      assertThat(r.body()).contains("id: 1\nevent: evil\ndata: injected\ndata: d\n\n")
          .contains("id: evil\r\n\r\ndata: injected2\ndata: d2\n\n");
    }
  }

  @Test
  void missingBlankLineMergesConsecutiveEvents() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.MISSING_BLANK_LINE).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      publish(s, "{\"data\":\"a\"}");
      publish(s, "{\"data\":\"b\"}");
      r.awaitBody(t -> t.endsWith("data: b\n"));
      assertThat(r.body()).isEqualTo("retry: 500\n\nid: 1\ndata: a\nid: 2\ndata: b\n");
      assertThat(r.events()).isEmpty(); // nothing dispatched yet: a and b are one pending event
    }
  }

  @Test
  void noIdsWritesNoIdLines() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.NO_IDS).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      assertThat(publish(s, "{\"data\":\"a\"}").body()).isEqualTo("{\"id\":\"1\"}");
      r.awaitBody(t -> t.endsWith("data: a\n\n"));
      assertThat(r.body()).isEqualTo("retry: 500\n\ndata: a\n\n");
    }
  }

  @Test
  void duplicateEveryWritesEveryKthEventTwice() throws Exception {
    try (FaultyServer s = FaultyServer.builder().duplicateEvery(2).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      for (int i = 1; i <= 3; i++) publish(s, "{\"data\":\"e" + i + "\"}");
      r.awaitBody(t -> t.endsWith("data: e3\n\n"));
      assertThat(r.body()).isEqualTo("retry: 500\n\nid: 1\ndata: e1\n\nid: 2\ndata: e2\n\nid: 2\ndata: e2\n\nid: 3\ndata: e3\n\n");
    }
  }

  // ------------------------------------------------------------------ resume faults

  @Test
  void ignoreLastEventIdGivesLiveEventsOnly() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.IGNORE_LAST_EVENT_ID).build()) {
      for (int i = 1; i <= 3; i++) publish(s, "{\"data\":\"e" + i + "\"}");
      try (RawStream r = RawStream.open(s, "1")) {
        awaitOpen(s, 1);
        publish(s, "{\"data\":\"e4\"}");
        r.awaitBody(t -> t.endsWith("data: e4\n\n"));
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 4\ndata: e4\n\n");
      }
    }
  }

  @Test
  void publishedWithoutIdsNumbersOnlyTicksAndNeverReplaysPublishedEvents() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.PUBLISHED_WITHOUT_IDS).tick(Duration.ofMillis(300)).build();
        RawStream a = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      a.awaitBody(t -> t.contains("data: tick 1\n\n"));
      assertThat(publish(s, "{\"data\":\"x\"}").body()).isEqualTo("{}");
      a.awaitBody(t -> t.contains("data: x\n\n"));
      assertThat(a.body()).contains("id: 1\nevent: tick\ndata: tick 1\n\n").contains("\n\ndata: x\n\n")
          .doesNotContain("id: 2\ndata: x");
      // Resuming from the first tick's id replays later ticks, never the published event.
      try (RawStream b = RawStream.open(s, "1")) {
        awaitOpen(s, 2);
        b.awaitBody(t -> t.contains("data: tick 3\n\n"));
        assertThat(b.body()).doesNotContain("data: x").contains("id: 2\nevent: tick\ndata: tick 2\n\n");
      }
    }
  }

  @Test
  void headWithFirstEventSendsNothingUntilAnEventIsPublished() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.HEAD_WITH_FIRST_EVENT).build()) {
      URI u = URI.create(s.url());
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
        socket.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(700);
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);
        awaitOpen(s, 1);
        publish(s, "{\"data\":\"x\"}");
        socket.setSoTimeout(10_000);
        String got = new String(socket.getInputStream().readNBytes(48), StandardCharsets.ISO_8859_1);
        assertThat(got).startsWith("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream");
      }
    }
  }

  @Test
  void idsPerConnectionCountFromOneOnEachConnection() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.IDS_PER_CONNECTION).build(); RawStream a = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      publish(s, "{\"data\":\"x\"}");
      a.awaitBody(t -> t.endsWith("data: x\n\n"));
      try (RawStream b = RawStream.open(s, "1")) { // Last-Event-ID ignored: no replay of x
        awaitOpen(s, 2);
        publish(s, "{\"data\":\"y\"}");
        a.awaitBody(t -> t.endsWith("data: y\n\n"));
        b.awaitBody(t -> t.endsWith("data: y\n\n"));
        assertThat(a.body()).isEqualTo("retry: 500\n\nid: 1\ndata: x\n\nid: 2\ndata: y\n\n");
        assertThat(b.body()).isEqualTo("retry: 500\n\nid: 1\ndata: y\n\n");
      }
    }
  }

  @Test
  void replayAtIdRepeatsTheGivenEvent() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.REPLAY_AT_ID).build()) {
      for (int i = 1; i <= 3; i++) publish(s, "{\"data\":\"e" + i + "\"}");
      try (RawStream r = RawStream.open(s, "2")) {
        r.awaitBody(t -> t.endsWith("data: e3\n\n"));
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 2\ndata: e2\n\nid: 3\ndata: e3\n\n");
      }
    }
  }

  @Test
  void closeEveryEndsEachStreamAfterNEventsAndResumesExactly() throws Exception {
    try (FaultyServer s = FaultyServer.builder().closeEvery(3).build()) {
      try (RawStream r = RawStream.open(s, null)) {
        awaitOpen(s, 1);
        for (int i = 1; i <= 5; i++) publish(s, "{\"data\":\"e" + i + "\"}");
        r.awaitEnd();
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 1\ndata: e1\n\nid: 2\ndata: e2\n\nid: 3\ndata: e3\n\nretry: 200\n\n");
      }
      try (RawStream r = RawStream.open(s, "3")) {
        r.awaitBody(t -> t.endsWith("data: e5\n\n"));
        publish(s, "{\"data\":\"e6\"}");
        r.awaitEnd();
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\nid: 6\ndata: e6\n\nretry: 200\n\n");
      }
      assertThat(s.connectionsOpened()).isEqualTo(2);
    }
  }

  // ------------------------------------------------------------------ concurrency faults

  @Test
  void dropUnderConcurrencyLosesOverlappingPublishesButNoSequentialOnes() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.DROP_UNDER_CONCURRENCY).build(); RawStream r = RawStream.open(s, null)) {
      awaitOpen(s, 1);
      List<Published> answers = parallelPublish(s, "par-", 50, 8);
      assertThat(answers).allSatisfy(p -> assertThat(p.status()).isEqualTo(202));
      publish(s, "{\"data\":\"control-1\"}");
      r.awaitBody(t -> t.contains("control-1"));
      long delivered = r.events().stream().filter(e -> e.data().startsWith("par-")).count();
      assertThat(delivered).as("delivered of 50 accepted").isLessThan(50);
      assertThat(s.publishesDropped()).isEqualTo(50 - delivered);

      for (int i = 0; i < 20; i++) assertThat(publish(s, "{\"data\":\"seq-" + i + "\"}").status()).isEqualTo(202);
      publish(s, "{\"data\":\"control-2\"}");
      r.awaitBody(t -> t.contains("control-2"));
      assertThat(r.events().stream().filter(e -> e.data().startsWith("seq-")).map(DispatchedEvent::data).toList())
          .containsExactly(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "seq-" + i).toArray(String[]::new));
      assertThat(s.publishesDropped()).isEqualTo(50 - delivered);
    }
  }

  @Test
  void reorderUnderConcurrencyGivesConnectionsDifferentOrdersButLosesNothing() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.REORDER_UNDER_CONCURRENCY).build();
        RawStream a = RawStream.open(s, null); RawStream b = RawStream.open(s, null); RawStream c = RawStream.open(s, null)) {
      awaitOpen(s, 3);
      boolean differed = false;
      for (int round = 0; round < 5 && !differed; round++) {
        String prefix = "r" + round + "-";
        parallelPublish(s, prefix, 40, 8);
        publish(s, "{\"data\":\"control-" + round + "\"}");
        List<List<String>> orders = new ArrayList<>();
        for (RawStream r : List.of(a, b, c)) {
          String control = "control-" + round;
          r.awaitBody(t -> t.contains(control));
          List<String> got = r.events().stream().map(DispatchedEvent::data).filter(d -> d.startsWith(prefix)).toList();
          assertThat(new HashSet<>(got)).as("every event arrives, once").hasSize(40);
          assertThat(got).hasSize(40);
          orders.add(got);
        }
        differed = !orders.get(0).equals(orders.get(1)) || !orders.get(0).equals(orders.get(2));
      }
      assertThat(differed).as("in 5 rounds of 40 concurrent publishes, the three connections always agreed on the order")
          .isTrue();

      for (int i = 0; i < 10; i++) publish(s, "{\"data\":\"seq-" + i + "\"}");
      for (RawStream r : List.of(a, b, c)) {
        r.awaitBody(t -> t.contains("seq-9\n"));
        assertThat(r.events().stream().map(DispatchedEvent::data).filter(d -> d.startsWith("seq-")).toList())
            .containsExactly(java.util.stream.IntStream.range(0, 10).mapToObj(i -> "seq-" + i).toArray(String[]::new));
      }
    }
  }

  // ------------------------------------------------------------------ lifecycle faults

  @Test
  void teardownOnEndsEveryStreamAndKeepsRunning() throws Exception {
    try (FaultyServer s = FaultyServer.builder().teardownOn("boom").build()) {
      try (RawStream a = RawStream.open(s, null); RawStream b = RawStream.open(s, null)) {
        awaitOpen(s, 2);
        publish(s, "{\"data\":\"before\"}");
        assertThat(publish(s, "{\"data\":\"a boom payload\"}").status()).isEqualTo(202);
        a.awaitEnd();
        b.awaitEnd();
        assertThat(a.body()).isEqualTo("retry: 500\n\nid: 1\ndata: before\n\n");
        assertThat(s.teardowns()).isEqualTo(1);
      }
      try (RawStream r = RawStream.open(s, "1")) { // kept in the history: a resume gets it
        awaitOpen(s, 1);
        publish(s, "{\"data\":\"after\"}");
        r.awaitBody(t -> t.endsWith("data: after\n\n"));
        assertThat(r.body()).isEqualTo("retry: 500\n\nid: 2\ndata: a boom payload\n\nid: 3\ndata: after\n\n");
      }
    }
  }

  @Test
  void bufferedHoldsTheBodyUntilTheNextPeriodicFlush() throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.BUFFERED).build(); RawStream r = RawStream.open(s, null)) {
      assertThat(r.head()).startsWith("HTTP/1.1 200 OK"); // the head is not held
      awaitOpen(s, 1);
      publish(s, "{\"data\":\"x\"}");
      Thread.sleep(300);
      assertThat(r.body()).as("within 300 ms of opening (the flush period is 2 s)").isEmpty();
      r.awaitBody(t -> t.endsWith("data: x\n\n"));
      assertThat(r.body()).isEqualTo("retry: 500\n\nid: 1\ndata: x\n\n");
    }
  }

  // ------------------------------------------------------------------ a raw client

  record Published(int status, String body) {}

  static List<Published> parallelPublish(FaultyServer s, String prefix, int count, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "faulty-test-publisher");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Published>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String json = "{\"data\":\"" + prefix + i + "\"}";
        futures.add(pool.submit(() -> publish(s, json)));
      }
      List<Published> out = new ArrayList<>();
      for (Future<Published> f : futures) out.add(f.get());
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** POSTs {@code json} to the publish URL on a fresh connection and reads the whole answer. */
  static Published publish(FaultyServer s, String json) throws IOException {
    URI u = URI.create(s.publishUrl());
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + u.getPath() + " HTTP/1.1\r\nHost: " + u.getAuthority() + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int headEnd = all.indexOf("\r\n\r\n");
      assertThat(headEnd).as("a response head in %s", all).isPositive();
      int status = Integer.parseInt(all.substring(9, 12));
      return new Published(status, all.substring(headEnd + 4));
    }
  }

  /** Waits (bounded) until the server counts {@code n} open streams. */
  static void awaitOpen(FaultyServer s, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (s.openStreams() != n) {
      if (System.nanoTime() > deadline) throw new AssertionError("open streams " + s.openStreams() + ", expected " + n);
      Thread.sleep(10);
    }
  }

  /** A GET of the stream on a plain socket that keeps every byte; the reads run on a daemon thread. */
  static final class RawStream implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Socket socket;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile boolean ended;

    private RawStream(Socket socket) {
      this.socket = socket;
    }

    static RawStream open(FaultyServer s, String lastEventId) throws IOException, InterruptedException {
      URI u = URI.create(s.url());
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
      socket.setTcpNoDelay(true);
      socket.getOutputStream().write(("GET " + u.getPath() + " HTTP/1.1\r\nHost: " + u.getAuthority()
          + "\r\nAccept: text/event-stream\r\n" + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
          + "\r\n").getBytes(StandardCharsets.UTF_8));
      RawStream r = new RawStream(socket);
      Thread t = new Thread(r::read, "faulty-test-reader");
      t.setDaemon(true);
      t.start();
      r.await(x -> x.contains("\r\n\r\n"), "a response head");
      return r;
    }

    private void read() {
      byte[] buf = new byte[8192];
      try {
        InputStream in = socket.getInputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
          synchronized (bytes) {
            bytes.write(buf, 0, n);
          }
        }
      } catch (IOException e) {
        // closed
      } finally {
        ended = true;
      }
    }

    /** Everything received, as UTF-8. */
    String all() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }

    String head() {
      String a = all();
      int i = a.indexOf("\r\n\r\n");
      return i < 0 ? a : a.substring(0, i + 4);
    }

    /** The body so far (identity-coded: the server sends no chunking). */
    String body() {
      String a = all();
      int i = a.indexOf("\r\n\r\n");
      return i < 0 ? "" : a.substring(i + 4);
    }

    /** What a browser would dispatch from the body so far. */
    List<DispatchedEvent> events() {
      List<DispatchedEvent> out = new ArrayList<>();
      for (StreamItem item : EventStreamParser.parse(body().getBytes(StandardCharsets.UTF_8))) {
        if (item instanceof DispatchedEvent e) out.add(e);
      }
      return out;
    }

    void awaitBody(Predicate<String> condition) throws InterruptedException {
      await(a -> a.contains("\r\n\r\n") && condition.test(body()), "the expected body");
    }

    /** Waits until the server ends the response. */
    void awaitEnd() throws InterruptedException {
      await(a -> ended, "the end of the stream");
    }

    private void await(Predicate<String> condition, String what) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!condition.test(all())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s; received "
              + Findings.escape(all().getBytes(StandardCharsets.UTF_8), 2000));
        }
        Thread.sleep(5);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
