package dev.ssekit.conformance.record;

import dev.ssekit.conformance.oracle.EventStreamParser;
import dev.ssekit.conformance.oracle.StreamItem;
import dev.ssekit.conformance.target.Target;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TrustAllStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.ssl.SSLContexts;
import org.apache.hc.core5.util.Timeout;

/**
 * Opens streams the way a browser's EventSource does and records what comes back, byte for
 * byte with arrival times, within bounds: a time to the response head, a recording window, a byte
 * cap, and an optional stop condition on the events read so far. A hostile server (silent,
 * endless, huge) ends a recording at one of these bounds; it never hangs or exhausts memory.
 */
public final class Recorder implements AutoCloseable {

  /** Chromium's request headers for an EventSource (fetch with cache mode no-store). */
  static final Map<String, String> BROWSER_HEADERS = Map.of(
      "Accept", "text/event-stream",
      "Cache-Control", "no-cache",
      "Pragma", "no-cache",
      "Accept-Encoding", "gzip, deflate, br, zstd",
      "User-Agent", "ssekit-conformance (EventSource-like; +https://github.com/ssekit)");

  /** How long a server may take to send the response head. */
  public static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);

  private final Target target;
  private final CloseableHttpClient client;
  private final AtomicInteger threads = new AtomicInteger();

  public Recorder(Target target) {
    this.target = target;
    PoolingHttpClientConnectionManagerBuilder cm = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(1024).setMaxConnPerRoute(1024)
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.ofSeconds(10)).setSocketTimeout(Timeout.ofMinutes(30)).build());
    if (target.insecure()) cm.setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(trustAll())
        .setHostnameVerifier(NoopHostnameVerifier.INSTANCE).buildClassic());
    PoolingHttpClientConnectionManager manager = cm.build();
    this.client = HttpClients.custom()
        .setConnectionManager(manager)
        .disableContentCompression() // record what the server sent; checks decide about codings
        .disableAutomaticRetries()
        .disableCookieManagement()
        .setDefaultRequestConfig(RequestConfig.custom()
            .setResponseTimeout(Timeout.ofMinutes(30)) // bounded by our own deadlines instead
            .setMaxRedirects(10).build())
        .build();
  }

  private static SSLContext trustAll() {
    try {
      return SSLContexts.custom().loadTrustMaterial(TrustAllStrategy.INSTANCE).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a trust-all TLS context", e);
    }
  }

  /**
   * What to record.
   *
   * @param url the URL (usually the target's)
   * @param lastEventId a Last-Event-ID header to send, or null
   * @param extraHeaders further headers (they replace browser defaults of the same name)
   * @param window how long to record at most
   * @param maxBytes byte cap
   * @param enough stop once the events read so far satisfy this (null: record the whole window)
   */
  public record Request(URI url, String lastEventId, Map<String, String> extraHeaders, Duration window, long maxBytes,
      Predicate<List<StreamItem.Event>> enough) {

    /** A plain request for the target's stream. */
    public static Request of(Target target, Duration window) {
      return new Request(target.url(), null, Map.of(), window, 64L << 20, null);
    }

    public Request withLastEventId(String id) {
      return new Request(url, id, extraHeaders, window, maxBytes, enough);
    }

    public Request withHeaders(Map<String, String> headers) {
      return new Request(url, lastEventId, headers, window, maxBytes, enough);
    }

    public Request until(Predicate<List<StreamItem.Event>> condition) {
      return new Request(url, lastEventId, extraHeaders, window, maxBytes, condition);
    }

    public Request withMaxBytes(long bytes) {
      return new Request(url, lastEventId, extraHeaders, window, bytes, enough);
    }
  }

  /** A stream being recorded in the background; {@link #await()} returns the recording. */
  public final class Session {
    private final Request request;
    private final HttpGet get;
    private final CountDownLatch head = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final List<Recording.Chunk> chunks = new ArrayList<>();
    private final List<Recording.Header> headers = new ArrayList<>();
    private final long start = System.nanoTime();
    private volatile int status = -1;
    private volatile String protocol = "";
    private volatile URI finalUrl;
    private volatile Duration headersAfter;
    private volatile Recording.End end;
    private volatile String error;
    private volatile Duration duration;

    private Session(Request request) {
      this.request = request;
      this.get = new HttpGet(request.url());
      BROWSER_HEADERS.forEach(get::setHeader);
      for (Target.Header h : target.headers()) get.setHeader(h.name(), h.value());
      request.extraHeaders().forEach(get::setHeader);
      if (request.lastEventId() != null) {
        // The header value is the id's UTF-8 bytes (WHATWG §9.2.4); HTTP carries them as ISO-8859-1 octets.
        get.setHeader("Last-Event-ID",
            new String(request.lastEventId().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
      }
    }

    private void run() {
      HttpClientContext context = HttpClientContext.create();
      try (CloseableHttpResponse response = client.execute(get, context)) {
        headersAfter = Duration.ofNanos(System.nanoTime() - start);
        protocol = response.getVersion() == null ? "HTTP/1.1" : response.getVersion().format();
        for (var h : response.getHeaders()) headers.add(new Recording.Header(h.getName(), h.getValue()));
        List<URI> redirects = context.getRedirectLocations() == null ? List.of() : context.getRedirectLocations().getAll();
        finalUrl = redirects.isEmpty() ? request.url() : redirects.get(redirects.size() - 1);
        status = response.getCode();
        head.countDown();
        HttpEntity entity = response.getEntity();
        if (entity == null) {
          finish(Recording.End.EOF, null);
          return;
        }
        readBody(entity.getContent());
      } catch (IOException | RuntimeException e) {
        if (end == null) {
          finish(Recording.End.ERROR, describe(e));
        }
      } finally {
        head.countDown();
        if (end == null) finish(Recording.End.EOF, null);
        done.countDown();
      }
    }

    private void readBody(InputStream in) throws IOException {
      byte[] buf = new byte[16 * 1024];
      long total = 0;
      List<StreamItem.Event> events = new ArrayList<>();
      EventStreamParser parser = request.enough() == null ? null : new EventStreamParser(
          item -> { if (item instanceof StreamItem.Event e) events.add(e); },
          request.lastEventId() == null ? "" : request.lastEventId(),
          EventStreamParser.DEFAULT_MAX_LINE_CHARS, EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (end != null) return; // stopped from outside (window)
        int keep = (int) Math.min(n, request.maxBytes() - total);
        byte[] copy = new byte[keep];
        System.arraycopy(buf, 0, copy, 0, keep);
        synchronized (chunks) {
          chunks.add(new Recording.Chunk(Duration.ofNanos(System.nanoTime() - start), copy));
        }
        total += keep;
        if (total >= request.maxBytes()) {
          finish(Recording.End.BYTE_CAP, null);
          get.cancel();
          return;
        }
        if (parser != null) {
          parser.feed(copy);
          if (request.enough().test(events)) {
            finish(Recording.End.ENOUGH, null);
            get.cancel();
            return;
          }
        }
      }
      finish(Recording.End.EOF, null);
    }

    private synchronized void finish(Recording.End why, String message) {
      if (end != null) return;
      end = why;
      error = message;
      duration = Duration.ofNanos(System.nanoTime() - start);
    }

    /** Waits for the response head, until {@link #HEAD_TIMEOUT} after the request; returns whether it came. */
    public boolean awaitHead() throws InterruptedException {
      return head.await(headTimeLeftNanos(), TimeUnit.NANOSECONDS) && status > 0;
    }

    private long headTimeLeftNanos() {
      return Math.max(0, HEAD_TIMEOUT.toNanos() - (System.nanoTime() - start));
    }

    /** Ends the recording now (as a client closing the stream would). */
    public void stop() {
      finish(Recording.End.WINDOW, null);
      get.cancel();
    }

    /** Waits until the recording ends (window, cap, condition, end of body) and returns it. */
    public Recording await() throws InterruptedException {
      if (!head.await(headTimeLeftNanos(), TimeUnit.NANOSECONDS)) {
        finish(Recording.End.NO_RESPONSE, "no response head within " + HEAD_TIMEOUT.toSeconds() + " s");
        get.cancel();
      } else {
        long left = request.window().toNanos() - (System.nanoTime() - start);
        if (!done.await(Math.max(0, left), TimeUnit.NANOSECONDS)) stop();
      }
      done.await(10, TimeUnit.SECONDS); // the reader leaves promptly once cancelled
      List<Recording.Chunk> copy;
      synchronized (chunks) {
        copy = List.copyOf(chunks);
      }
      return new Recording(request.url(), finalUrl == null ? request.url() : finalUrl, status, protocol, headers,
          headersAfter, copy, end == null ? Recording.End.WINDOW : end, error, request.lastEventId(),
          duration == null ? Duration.ofNanos(System.nanoTime() - start) : duration);
    }
  }

  /** Starts recording {@code request} in the background. */
  public Session open(Request request) {
    Session s = new Session(request);
    Thread t = new Thread(s::run, "ssekit-recorder-" + threads.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return s;
  }

  /** Records {@code request} and returns when it ends. */
  public Recording record(Request request) throws InterruptedException {
    return open(request).await();
  }

  /** The answer to one publish request. */
  public record Published(int status, String body, String id) {}

  /** POSTs {@code json} to the target's publish URL (the publish contract). */
  public Published publish(String json) throws IOException {
    HttpPost post = new HttpPost(target.publishUrl());
    post.setEntity(new ByteArrayEntity(json.getBytes(StandardCharsets.UTF_8), ContentType.APPLICATION_JSON));
    for (Target.Header h : target.publishHeaders()) post.setHeader(h.name(), h.value());
    post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build());
    return client.execute(post, response -> {
      String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
      String id = null;
      var m = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body);
      if (m.find()) id = m.group(1);
      return new Published(response.getCode(), body, id);
    });
  }

  /** Sends one request that is not a stream (preflight, variants) and returns status and headers. */
  public Recording exchange(HttpUriRequestBase request) throws IOException {
    long start = System.nanoTime();
    for (Target.Header h : target.headers()) if (!request.containsHeader(h.name())) request.setHeader(h.name(), h.value());
    request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build());
    URI uri;
    try {
      uri = request.getUri();
    } catch (java.net.URISyntaxException e) {
      throw new IOException("bad request URI: " + e.getMessage(), e);
    }
    return client.execute(request, response -> {
      List<Recording.Header> hs = new ArrayList<>();
      for (var h : response.getHeaders()) hs.add(new Recording.Header(h.getName(), h.getValue()));
      Duration after = Duration.ofNanos(System.nanoTime() - start);
      return new Recording(uri, uri, response.getCode(),
          response.getVersion() == null ? "HTTP/1.1" : response.getVersion().format(), hs, after, List.of(),
          Recording.End.EOF, null, null, after);
    });
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return m == null ? kind : kind + ": " + m;
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
