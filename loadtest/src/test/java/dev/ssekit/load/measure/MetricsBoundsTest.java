package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A metrics endpoint that accepts and never answers: the request's 2 s timeout is a time bound
 * passed (the {@code metrics} failure, not asked again), named as such. Before, it was swallowed
 * as an ordinary I/O error: asked again every sample, no failure, exit 0.
 */
class MetricsBoundsTest {
  @Test
  void anEndpointThatNeverAnswersFailsTheReadingOnceNamingTheTimeBound() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      silent.setSoTimeout(200);
      Thread acceptor = new Thread(() -> {
        long end = System.currentTimeMillis() + 30_000;
        while (!silent.isClosed() && System.currentTimeMillis() < end) {
          try {
            held.add(silent.accept());
            accepted.incrementAndGet();
          } catch (SocketTimeoutException e) {
            // poll
          } catch (java.io.IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      RssSource rss = RssSource.prometheus(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/metrics"), Limits.DEFAULTS);

      assertThat(rss.read()).isEmpty();
      assertThat(rss.failure()).contains("no response head within 2s").contains("not read again")
          .doesNotContain("--max-metrics");
      assertThat(rss.read()).isEmpty();
      assertThat(accepted.get()).as("asked once").isEqualTo(1);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
