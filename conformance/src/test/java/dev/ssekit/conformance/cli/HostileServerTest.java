package dev.ssekit.conformance.cli;

import dev.ssekit.conformance.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ssekit.testkit.TestCertificate;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and unusual servers: the run ends within its bounds with failed checks and readable
 * messages, never a hang, a stack trace or running out of memory; https works, and --insecure
 * accepts a self-signed certificate.
 */
class HostileServerTest {

  /** A one-purpose server on 127.0.0.1: each connection's request is read, then {@code answer} runs. */
  static final class RawServer implements AutoCloseable {
    final ServerSocket socket;
    final ExecutorService pool = Executors.newCachedThreadPool();

    RawServer(Consumer<Socket> answer) throws Exception {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      pool.submit(() -> {
        while (!socket.isClosed()) {
          Socket s;
          try {
            s = socket.accept();
          } catch (Exception closed) {
            return;
          }
          pool.submit(() -> {
            try (s) {
              s.setSoTimeout(5_000);
              InputStream in = s.getInputStream();
              int state = 0; // read up to the blank line that ends the request head
              for (int b; state < 4 && (b = in.read()) >= 0; ) state = (b == '\r' || b == '\n') ? state + 1 : 0;
              answer.accept(s);
            } catch (Exception e) {
              // the client went away: nothing to do
            }
          });
        }
      });
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/events";
    }

    @Override
    public void close() throws Exception {
      socket.close();
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static JsonNode check(Path dir, String id) throws Exception {
    for (JsonNode c : new ObjectMapper().readTree(dir.resolve("conformance.json").toFile()).get("checks")) {
      if (c.get("id").asText().equals(id)) return c;
    }
    throw new AssertionError("no check " + id);
  }

  @Test
  void aServerClosingMidHeadersFailsStatus200WithAReadableMessage(@TempDir Path dir) throws Exception {
    try (RawServer server = new RawServer(s -> write(s, "HTTP/1.1 200 OK\r\nContent-Ty"))) {
      long start = System.nanoTime();
      CliRun r = CliRun.of("--url", server.url(), "--profile", "quick",
          "--report-dir", dir.toString(), "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
      assertThat(r.out() + r.err()).doesNotContain("\tat ");
      assertThat(check(dir, "http.status-200").get("status").asText()).isEqualTo("failed");
      assertThat(check(dir, "http.status-200").get("message").asText()).contains("no response");
    }
  }

  @Test
  void headerOptionAuthenticatesTheStream(@TempDir Path dir) throws Exception {
    java.util.List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      pool.submit(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            s.setSoTimeout(5_000);
            StringBuilder head = new StringBuilder();
            InputStream in = s.getInputStream();
            for (int b; !head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0; ) head.append((char) b);
            requests.add(head.toString());
            if (head.toString().contains("Authorization: Bearer s3cret")) {
              write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
                  + "id: 1\ndata: hello\n\n");
              Thread.sleep(300);
            } else {
              write(s, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
          } catch (Exception e) {
            // next connection
          }
        }
      });
      String url = "http://127.0.0.1:" + socket.getLocalPort() + "/events";
      CliRun r = CliRun.of("--url", url, "--header", "Authorization: Bearer s3cret",
          "--profile", "quick", "--window", "500ms", "--report-dir", dir.toString(), "--no-color");
      assertThat(check(dir, "http.status-200").get("status").asText()).as(r.out()).isEqualTo("passed");
      assertThat(requests).isNotEmpty().allSatisfy(req -> assertThat(req)
          .contains("Authorization: Bearer s3cret").contains("Accept: text/event-stream").contains("Cache-Control: no-cache"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFloodOfInvalidBytesIsCutAtTheCapAndFailsUtf8(@TempDir Path dir) throws Exception {
    byte[] junk = new byte[64 * 1024];
    for (int i = 0; i < junk.length; i++) junk[i] = (byte) (i % 7 == 0 ? 0xFF : 'x');
    try (RawServer server = new RawServer(s -> {
      write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: ");
      try {
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 16 * 1024; i++) out.write(junk); // up to 1 GiB, until the client stops reading
      } catch (Exception stopped) {
        // the client hung up at its cap
      }
    })) {
      CliRun r = CliRun.of("--url", server.url(), "--profile", "quick",
          "--report-dir", dir.toString(), "--no-color");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(check(dir, "framing.utf-8").get("status").asText()).isEqualTo("failed");
      assertThat(check(dir, "lifecycle.bounded-reading").get("status").asText()).isEqualTo("failed");
      assertThat(check(dir, "lifecycle.bounded-reading").get("message").asText()).contains("more than");
    }
  }

  @Test
  void httpsWorksAndInsecureAcceptsASelfSignedCertificate(@TempDir Path dir) throws Exception {
    SSLContext tls = TestCertificate.generate(dir).serverContext();
    HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(tls));
    ExecutorService pool = Executors.newCachedThreadPool();
    https.setExecutor(pool);
    https.createContext("/events", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 1; i <= 40; i++) {
          out.write(("id: " + i + "\ndata: tick " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          Thread.sleep(100);
        }
      } catch (Exception gone) {
        // the client closed the stream
      }
    });
    https.start();
    try {
      String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/events";
      Path trusted = dir.resolve("insecure");
      CliRun ok = CliRun.of("--url", url, "--insecure", "--profile", "quick",
          "--report-dir", trusted.toString(), "--no-color");
      assertThat(check(trusted, "http.status-200").get("status").asText()).as(ok.out()).isEqualTo("passed");
      assertThat(check(trusted, "framing.utf-8").get("status").asText()).isEqualTo("passed");
      Path strict = dir.resolve("verified");
      CliRun refused = CliRun.of("--url", url, "--profile", "quick",
          "--report-dir", strict.toString(), "--no-color");
      assertThat(refused.status()).isEqualTo(1);
      assertThat(check(strict, "http.status-200").get("message").asText()).containsIgnoringCase("certificat");
      assertThat(refused.out() + refused.err()).doesNotContain("\tat ");
    } finally {
      https.stop(0);
      pool.shutdownNow();
    }
  }

  @Test
  void anEndlessAnswerToEveryMethodCannotHangTheRun(@TempDir Path dir) throws Exception {
    // Like a bare Node handler: every request, OPTIONS and HEAD included, gets an endless stream.
    try (RawServer server = new RawServer(s -> {
      write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          + "Access-Control-Allow-Origin: *\r\n\r\nretry: 1000\n\n");
      for (int i = 0; i < 600; i++) { // at most a minute per connection
        write(s, ": keep-alive\n\n");
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    })) {
      long start = System.nanoTime();
      CliRun r = CliRun.of("--url", server.url(), "--profile", "standard", "--window", "1s",
          "--report-dir", dir.toString(), "--no-color");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as(r.out()).isLessThan(Duration.ofSeconds(90));
      assertThat(r.status()).as(r.out() + r.err()).isIn(0, 1);
      assertThat(check(dir, "http.cors-preflight").get("status").asText()).isIn("passed", "warned", "skipped");
    }
  }

  @Test
  void aFloodOfOneByteChunksStaysWithinASmallHeap(@TempDir Path dir) throws Exception {
    try (RawServer server = new RawServer(s -> {
      write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      byte[] one = "1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
      byte[] batch = new byte[one.length * 4096];
      for (int i = 0; i < 4096; i++) System.arraycopy(one, 0, batch, i * one.length, one.length);
      try {
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 20_000; i++) out.write(batch); // up to ~80 M one-byte chunks
      } catch (Exception stopped) {
        // the client hung up
      }
    })) {
      // A separate JVM with a small heap: the run must finish, with findings, not run out of memory.
      String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      Process p = new ProcessBuilder(java, "-Xmx160m", "-cp", System.getProperty("java.class.path"),
          // 10 s: on a busy machine the one-byte chunks must still build a line past the 1 Mi limit in the window.
          ConformanceMain.class.getName(), "--url", server.url(), "--profile", "standard", "--window", "10s",
          "--report-dir", dir.toString(), "--no-color").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(out).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
      assertThat(p.exitValue()).as(out).isIn(0, 1);
      // An endless line of one-byte chunks: the line check reports it; the run itself stayed small.
      assertThat(check(dir, "framing.line-length").get("status").asText()).as(out).isIn("warned", "failed");
    }
  }

  @Test
  void aCorrectlyFlushedGzipStreamPasses(@TempDir Path dir) throws Exception {
    try (RawServer server = new RawServer(s -> {
      write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          + "Content-Encoding: gzip\r\nConnection: close\r\n\r\n");
      try {
        java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(s.getOutputStream(), true);
        for (int i = 1; i <= 40; i++) {
          gz.write(("id: " + i + "\ndata: compressed " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
          gz.flush(); // SYNC_FLUSH: the event is on the wire now, as Express's res.flush() does
          Thread.sleep(100);
        }
      } catch (Exception gone) {
        // the client closed the stream
      }
    })) {
      CliRun r = CliRun.of("--url", server.url(), "--profile", "quick",
          "--report-dir", dir.toString(), "--no-color");
      // Each connection starts again at id 1 (no resume): the resume check rightly fails; the rest reads
      // the decoded stream.
      assertThat(check(dir, "http.compression-flushed").get("status").asText()).as(r.out()).isEqualTo("passed");
      assertThat(check(dir, "framing.events-terminated").get("status").asText()).isEqualTo("passed");
      assertThat(check(dir, "framing.utf-8").get("status").asText()).isEqualTo("passed");
      assertThat(check(dir, "id.unique").get("status").asText()).isEqualTo("passed");
    }
  }

  @Test
  void aTrailingRetryLineIsNotAnUnterminatedEvent(@TempDir Path dir) throws Exception {
    try (RawServer server = new RawServer(s -> {
      write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
          + "retry: 5000\n");
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        // closed
      }
    })) {
      CliRun r = CliRun.of("--url", server.url(), "--profile", "quick", "--window", "2s",
          "--report-dir", dir.toString(), "--no-color");
      assertThat(check(dir, "framing.events-terminated").get("status").asText()).as(r.out()).isIn("passed", "skipped");
    }
  }

  private static void write(Socket s, String text) {
    try {
      s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
    } catch (Exception gone) {
      // the client went away
    }
  }
}
