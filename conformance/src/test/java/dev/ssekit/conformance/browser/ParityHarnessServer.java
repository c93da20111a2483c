package dev.ssekit.conformance.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server for the parity test: {@code GET /} is the harness page, and
 * {@code GET /streams/{key}} plays a registered {@link GeneratedStream}: {@code 200},
 * {@code text/event-stream}, chunked, each of the stream's chunks written and flushed on its own
 * (with its pause before it), then the last chunk. Requests per key are counted, so a test can
 * prove the page never reconnected; any failure while serving is kept for the test to report.
 */
final class ParityHarnessServer implements AutoCloseable {

  static {
    // Small chunks must leave as written, not coalesced by Nagle's algorithm.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "parity-harness-http");
    t.setDaemon(true);
    return t;
  });
  private final byte[] page;
  private final Map<String, GeneratedStream> streams = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  private ParityHarnessServer(HttpServer server, byte[] page) {
    this.server = server;
    this.page = page;
  }

  static ParityHarnessServer start() throws IOException {
    byte[] page;
    try (InputStream in = ParityHarnessServer.class.getResourceAsStream("/browser/parity-harness.html")) {
      if (in == null) throw new IllegalStateException("test resource /browser/parity-harness.html is missing");
      page = in.readAllBytes();
    }
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    ParityHarnessServer harness = new ParityHarnessServer(http, page);
    http.createContext("/", harness::handle);
    http.setExecutor(harness.executor);
    http.start();
    return harness;
  }

  /** The origin of the harness page and of the generated streams. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Registers a stream under a key and returns its URL. */
  String register(String key, GeneratedStream stream) {
    streams.put(key, stream);
    requests.put(key, new AtomicInteger());
    return url("/streams/" + key);
  }

  /** How many times the stream under {@code key} was requested. */
  int requests(String key) {
    return requests.get(key).get();
  }

  /** What went wrong while serving, in order; empty when all went well. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    try (exchange) {
      if (path.equals("/")) {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, page.length);
        exchange.getResponseBody().write(page);
      } else if (path.startsWith("/streams/") && streams.containsKey(path.substring(9))) {
        String key = path.substring(9);
        requests.get(key).incrementAndGet();
        play(exchange, streams.get(key));
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    } catch (IOException | RuntimeException e) {
      failures.add("serving " + path + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add("interrupted while serving " + path);
    }
  }

  private static void play(HttpExchange exchange, GeneratedStream stream) throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
    exchange.sendResponseHeaders(200, 0); // 0: chunked
    OutputStream body = exchange.getResponseBody();
    int at = 0;
    for (int i = 0; i < stream.chunks().length; i++) {
      int pause = stream.pausesMillis()[i];
      if (pause > 0) Thread.sleep(pause);
      body.write(stream.bytes(), at, stream.chunks()[i]);
      body.flush(); // one HTTP chunk per flush
      at += stream.chunks()[i];
    }
    // Closing the exchange writes the last chunk: a clean end of stream.
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
