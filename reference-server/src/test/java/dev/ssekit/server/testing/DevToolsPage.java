package dev.ssekit.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One page in a headless Chromium, driven over the Chrome DevTools Protocol with the JDK's own
 * HTTP and WebSocket clients (this module has no Selenium; the conformance module drives the same
 * Debian Chromium through Selenium and ChromeDriver). The browser gets a fresh profile, resolves
 * no host but 127.0.0.1, and is killed with its profile on {@link #close()}.
 *
 * <pre>
 * try (DevToolsPage page = DevToolsPage.open(chromium, "http://127.0.0.1:" + port + "/")) {
 *   page.eval("document.title");
 * }
 * </pre>
 */
public final class DevToolsPage implements AutoCloseable {

  /** Debian's Chromium; the system property {@code ssekit.chromium} names another (as in the conformance module). */
  public static Path chromium() {
    return Path.of(System.getProperty("ssekit.chromium", "/usr/bin/chromium"));
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(30);
  private static final Duration CALL = Duration.ofSeconds(20);

  private final Process browser;
  private final Path profile;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  private DevToolsPage(Process browser, Path profile, WebSocket socket) {
    this.browser = browser;
    this.profile = profile;
    this.socket = socket;
  }

  /** Starts the browser and opens {@code url} in a new page. */
  public static DevToolsPage open(Path chromium, String url) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("ssekit-cdp-profile");
    Process browser = new ProcessBuilder(List.of(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--user-data-dir=" + profile,
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"))
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    try {
      // Chromium writes the port it chose to this file once DevTools listens.
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + START.toNanos();
      while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).isEmpty()) {
        if (!browser.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("Chromium did not start DevTools: " + Files.readString(profile.resolve("chromium.log")));
        }
        Thread.sleep(50);
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> target = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?"
          + URLEncoder.encode(url, StandardCharsets.UTF_8))).PUT(HttpRequest.BodyPublishers.noBody()).timeout(CALL).build(),
          HttpResponse.BodyHandlers.ofString());
      if (target.statusCode() != 200) throw new IOException("DevTools refused a new page: " + target.body());
      String ws = JSON.readTree(target.body()).path("webSocketDebuggerUrl").asText();
      Listener listener = new Listener();
      WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), listener).get(CALL.toSeconds(), TimeUnit.SECONDS);
      DevToolsPage page = new DevToolsPage(browser, profile, socket);
      listener.page = page;
      return page;
    } catch (IOException | InterruptedException | RuntimeException e) {
      kill(browser, profile);
      throw e;
    } catch (Exception e) {
      kill(browser, profile);
      throw new IOException("could not open a DevTools session: " + e, e);
    }
  }

  /** Evaluates a JavaScript expression in the page and returns its value (as JSON). */
  public JsonNode eval(String expression) throws IOException {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    calls.put(id, reply);
    String call = JSON.createObjectNode().put("id", id).put("method", "Runtime.evaluate")
        .set("params", JSON.createObjectNode().put("expression", expression).put("returnByValue", true)).toString();
    try {
      socket.sendText(call, true).get(CALL.toSeconds(), TimeUnit.SECONDS);
      JsonNode result = reply.get(CALL.toSeconds(), TimeUnit.SECONDS);
      if (result.has("error")) throw new IOException("DevTools: " + result.get("error"));
      JsonNode r = result.path("result");
      if (r.has("exceptionDetails")) throw new IOException("the page threw: " + r.get("exceptionDetails"));
      return r.path("result").path("value");
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("DevTools call failed: " + e, e);
    } finally {
      calls.remove(id);
    }
  }

  /** Polls {@code condition} every 100 ms until true; fails after {@code timeout} saying {@code what}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    socket.abort();
    kill(browser, profile);
  }

  private static void kill(Process browser, Path profile) {
    browser.descendants().forEach(ProcessHandle::destroyForcibly);
    browser.destroyForcibly();
    try {
      browser.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> walk = Files.walk(profile)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      // Chromium may still be writing its profile as it exits; a leftover temp directory is harmless.
    }
  }

  /** Hands each reply to the call waiting for its id; events are ignored. */
  private static final class Listener implements WebSocket.Listener {
    volatile DevToolsPage page;
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        try {
          JsonNode node = JSON.readTree(message);
          DevToolsPage p = page;
          if (node.has("id") && p != null) {
            CompletableFuture<JsonNode> call = p.calls.get(node.get("id").asInt());
            if (call != null) call.complete(node);
          }
        } catch (IOException malformed) {
          // not a reply we wait for
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
