package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;
import static dev.ssekit.server.ServerTestSupport.awaitData;
import static dev.ssekit.server.ServerTestSupport.eventually;
import static dev.ssekit.server.ServerTestSupport.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.testkit.RawHttp;
import java.io.File;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue points 6 and 7: connections are released; shutdown tells clients to come back. */
class LifecycleTest {

  private SseServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  @Test
  void closedConnectionsAreReleasedPromptly() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
    int port = server.port();
    List<RawHttp> clients = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      RawHttp c = RawHttp.get(port, "/events?topic=gone");
      clients.add(c);
    }
    for (RawHttp c : clients) c.awaitText("retry:", WAIT);
    eventually("100 streams are open", () -> server.openStreams() == 100);
    for (RawHttp c : clients) c.close();
    eventually("every closed stream is released", () -> server.openStreams() == 0);
    // Publishing to the topic afterwards writes to nobody and fails nothing.
    assertThat(publish(port, "gone", "{\"data\":\"x\"}").status()).isEqualTo(202);
    assertThat(ServerTestSupport.get(port, "/metrics").body()).containsPattern("sse_connections_open(\\{[^}]*})? 0\\.0");
  }

  @Test
  void abruptlyResetConnectionsAreReleased() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
    int port = server.port();
    for (int i = 0; i < 20; i++) {
      Socket s = new Socket("127.0.0.1", port);
      s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      eventually("stream " + i + " open", () -> server.openStreams() == 1);
      s.setSoLinger(true, 0); // close with RST
      s.close();
      eventually("stream " + i + " released", () -> server.openStreams() == 0);
    }
  }

  @Test
  void closeTellsEveryStreamToReconnectAndEndsItCleanly() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).retry(Duration.ofMillis(750)).build());
    int port = server.port();
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) clients.add(RawHttp.get(port, "/events?topic=t" + (i % 3)));
      for (RawHttp c : clients) c.awaitText("retry:", WAIT);
      long start = System.nanoTime();
      server.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(server.config().shutdownGrace().plusSeconds(5));
      for (RawHttp c : clients) {
        byte[] body = c.readToEnd(WAIT); // the chunked body ends with its last chunk
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(text).endsWith("retry: 750\n: server shutting down; reconnect and resume with Last-Event-ID\n\n");
      }
    } finally {
      for (RawHttp c : clients) c.close();
    }
  }

  @Test
  void adminDisconnectEndsEveryStreamAndClientsResumeWithNothingLost() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
    int port = server.port();
    String lastId;
    try (RawHttp s = RawHttp.get(port, "/events?topic=d")) {
      s.awaitText("retry:", WAIT);
      publish(port, "d", "{\"data\":\"before\"}");
      ServerTestSupport.awaitData(s, "before");
      ServerTestSupport.Reply r = ServerTestSupport.post(port, "/admin/disconnect", new byte[0]);
      assertThat(r.status()).isEqualTo(202);
      assertThat(r.body()).isEqualTo("{\"disconnecting\":1}");
      byte[] body = s.readToEnd(WAIT);
      assertThat(new String(body, StandardCharsets.UTF_8)).contains(": disconnected by an admin request");
      List<DispatchedEvent> events = ServerTestSupport.events(body);
      lastId = events.get(events.size() - 1).lastEventId();
    }
    // Published while the client is away, then replayed exactly once on resume.
    publish(port, "d", "{\"data\":\"gap 1\"}");
    publish(port, "d", "{\"data\":\"gap 2\"}");
    try (RawHttp s = RawHttp.get(port, "/events?topic=d", "Last-Event-ID: " + lastId)) {
      assertThat(ServerTestSupport.awaitEvents(s, 2)).extracting(DispatchedEvent::data).containsExactly("gap 1", "gap 2");
    }
  }

  @Test
  void adminDisconnectNeedsThePublishTokenWhenOneIsSet() throws Exception {
    server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).publishToken("t0ken").build());
    assertThat(ServerTestSupport.post(server.port(), "/admin/disconnect", new byte[0]).status()).isEqualTo(401);
    assertThat(ServerTestSupport.post(server.port(), "/admin/disconnect", new byte[0], "Authorization: Bearer t0ken")
        .status()).isEqualTo(202);
  }

  /**
   * SIGTERM on a real server process: it tells its stream to reconnect and exits within its grace
   * bound; the client then resumes on another instance by id and gets a 200 (the id is unknown
   * there, which it says in a comment).
   */
  @Test
  void sigtermShutsDownGracefullyAndClientsResumeElsewhere() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    // The log goes to a file: destroy() closes our end of the process's pipes.
    Path logFile = Files.createTempFile("sse-server", ".log");
    Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "--port", "0", "--tick", "100ms", "--shutdown-grace", "3s")
        .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    try {
      Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/events");
      eventually("the server logs its port", () -> listening.matcher(read(logFile)).find());
      Matcher m = listening.matcher(read(logFile));
      assertThat(m.find()).isTrue();
      int port = Integer.parseInt(m.group(1));
      String lastId;
      try (RawHttp s = RawHttp.get(port, "/events")) {
        List<DispatchedEvent> ticks = ServerTestSupport.awaitEvents(s, 2);
        assertThat(ticks.get(0).type()).isEqualTo("tick");
        p.destroy(); // SIGTERM
        byte[] body = s.readToEnd(WAIT);
        assertThat(new String(body, StandardCharsets.UTF_8)).contains(": server shutting down");
        List<DispatchedEvent> all = ServerTestSupport.events(body);
        lastId = all.get(all.size() - 1).lastEventId();
      }
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("process exits within its grace bound").isTrue();
      assertThat(read(logFile)).contains("stopped: told 1 streams to reconnect");

      // Another instance: the id is not in its history, so it says so (a comment, and a reset event
      // a page can see) and streams from live.
      server = SseServer.start(ServerConfig.builder().port(0).tick(Duration.ZERO).build());
      try (RawHttp s = RawHttp.get(server.port(), "/events", "Last-Event-ID: " + lastId)) {
        assertThat(s.head(WAIT).status()).isEqualTo(200);
        assertThat(s.awaitText("continuing from live", WAIT)).contains(lastId);
        publish(server.port(), null, "{\"data\":\"after failover\"}");
        assertThat(awaitData(s, "after failover")).extracting(DispatchedEvent::type).containsExactly("reset", "message");
      }
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(logFile);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
