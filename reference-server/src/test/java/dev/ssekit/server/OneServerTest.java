package dev.ssekit.server;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** Tests that start one reference server (loopback, a free port, no ticks) and close it after each test. */
abstract class OneServerTest {

  SseServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  /** Starts {@code config} on a free port without ticks; returns the port. */
  int start(ServerConfig config) throws InterruptedException {
    server = SseServer.start(config.toBuilder().port(0).tick(Duration.ZERO).build());
    return server.port();
  }
}
