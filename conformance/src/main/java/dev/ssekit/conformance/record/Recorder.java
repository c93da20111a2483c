package dev.ssekit.conformance.record;

import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
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
  /** Default cap on one recording, counting each read's bookkeeping (a flood of tiny reads costs too). */
  public static final long DEFAULT_MAX_BYTES = 4L << 20;
  /** Cap on everything the recordings open at once hold: the tool's memory bound. */
  public static final long TOTAL_BUDGET_BYTES = 192L << 20;
  /** What one stored read costs beyond its bytes (object headers, the record, its time). */
  static final int READ_OVERHEAD = 64;
  /** Reads closer together than this are stored as one (same arrival time, to the millisecond). */
  static final long COALESCE_NANOS = 1_000_000;

  private final java.util.concurrent.atomic.AtomicLong liveBytes = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.ScheduledExecutorService deadlines =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ssekit-recorder-deadlines");
        t.setDaemon(true);
        return t;
      });

  /** How long a stream may go without a response head before the recorder publishes an event to draw it out. */
  public static final Duration NUDGE_AFTER = Duration.ofSeconds(2);
  /** The event that draws out a held head (plain data: it is read like any other event). */
  public static final String NUDGE_JSON = "{\"data\":\"ssekit nudge: a published event, because the response head had "
      + "not come\"}";

  private final Target target;
  private final CloseableHttpClient client;
  private final PoolingHttpClientConnectionManager manager;
  /** Publishes {@link #NUDGE_JSON}; null without a publish URL. */
  private final Runnable nudge;
  private final java.util.concurrent.atomic.AtomicLong lastNudge = new java.util.concurrent.atomic.AtomicLong();
  /** True once a nudge drew out a held head: the server holds heads until its first write. */
  private volatile boolean headsHeld;
  /** How soon later streams are nudged once the server is known to hold heads. */
  static final Duration NUDGE_AGAIN_AFTER = Duration.ofMillis(200);
  private final java.util.concurrent.atomic.AtomicInteger nudges = new java.util.concurrent.atomic.AtomicInteger();
  private final AtomicInteger threads = new AtomicInteger();

  public Recorder(Target target) {
    this.target = target;
    PoolingHttpClientConnectionManagerBuilder cm = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(1024).setMaxConnPerRoute(1024)
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.ofSeconds(10)).setSocketTimeout(Timeout.ofMinutes(30)).build());
    if (target.insecure()) {
      // Trust any certificate and any name: CLIENT policy turns off the JDK's own endpoint check too.
      cm.setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(trustAll())
          .setHostVerificationPolicy(org.apache.hc.client5.http.ssl.HostnameVerificationPolicy.CLIENT)
          .setHostnameVerifier(NoopHostnameVerifier.INSTANCE).buildClassic());
    }
    this.nudge = target.publishUrl() == null ? null : () -> {
      try {
        publishAlone(NUDGE_JSON);
      } catch (IOException | RuntimeException e) {
        // a publish problem is the delivery checks' to report
      }
    };
    this.manager = cm.build();
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

  private final java.util.concurrent.atomic.AtomicLong firstNudge = new java.util.concurrent.atomic.AtomicLong();

  /**
   * True when a nudge had been published (for any stream) at {@code nanos} ({@link System#nanoTime}):
   * a head that arrived after it may have been drawn out by it, whichever stream asked.
   */
  public boolean nudgedBy(long nanos) {
    long first = firstNudge.get();
    return first != 0 && first - nanos <= 0;
  }

  /** Publishes the nudge in the background, at most once a second whoever asks. */
  private boolean nudge() {
    long now = System.nanoTime();
    long last = lastNudge.get();
    long spacing = headsHeld ? NUDGE_AGAIN_AFTER.toNanos() : 1_000_000_000L;
    if (last != 0 && now - last < spacing || !lastNudge.compareAndSet(last, now)) return false;
    firstNudge.compareAndSet(0, now);
    nudges.incrementAndGet();
    Thread t = new Thread(nudge, "ssekit-nudge");
    t.setDaemon(true);
    t.start();
    return true;
  }

  /**
   * Closes the connections kept alive between requests (publishes, answered requests): a count of
   * the server's sockets should see only the streams themselves.
   */
  public void closeIdleConnections() {
    manager.closeIdle(org.apache.hc.core5.util.TimeValue.ZERO_MILLISECONDS);
  }

  /** How many nudges were published (a server that holds its head until it has something to write). */
  public int nudges() {
    return nudges.get();
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
      Predicate<List<DispatchedEvent>> enough) {

    /** A plain request for the target's stream, capped at {@link #DEFAULT_MAX_BYTES}. */
    public static Request of(Target target, Duration window) {
      return new Request(target.url(), null, Map.of(), window, DEFAULT_MAX_BYTES, null);
    }

    public Request withLastEventId(String id) {
      return new Request(url, id, extraHeaders, window, maxBytes, enough);
    }

    /** Extra headers; an empty value removes that header from the request (e.g. no Accept at all). */
    public Request withHeaders(Map<String, String> headers) {
      return new Request(url, lastEventId, headers, window, maxBytes, enough);
    }

    public Request until(Predicate<List<DispatchedEvent>> condition) {
      return new Request(url, lastEventId, extraHeaders, window, maxBytes, condition);
    }

    public Request withMaxBytes(long bytes) {
      return new Request(url, lastEventId, extraHeaders, window, bytes, enough);
    }
  }

  /** A stream being recorded in the background; {@link #await()} returns the recording. */
  public final class Session {
    private final Request request;
    private final HttpUriRequestBase get;
    private final List<Recording.Chunk> wireChunks = new ArrayList<>();
    private ContentDecoder decoder;
    private long accounted;
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
      this(request, new HttpGet(request.url()));
    }

    private Session(Request request, HttpUriRequestBase httpRequest) {
      this.request = request;
      this.get = httpRequest;
      BROWSER_HEADERS.forEach((k, v) -> { if (!get.containsHeader(k)) get.setHeader(k, v); });
      // The stream's --header values (often credentials) go to the stream's own origin only, as a
      // browser's would: not to a metrics or publish URL elsewhere.
      if (sameOrigin(request.url(), target.url())) {
        for (Target.Header h : target.headers()) get.setHeader(h.name(), h.value());
      }
      request.extraHeaders().forEach((k, v) -> {
        if (v.isEmpty()) get.removeHeaders(k);
        else get.setHeader(k, v);
      });
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
        var encoding = response.getFirstHeader("Content-Encoding");
        decoder = new ContentDecoder(encoding == null ? null : encoding.getValue());
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
      } catch (OutOfMemoryError e) {
        // Should not happen within the budgets; if it does, this recording ends, the run goes on.
        synchronized (chunks) {
          chunks.clear();
          wireChunks.clear();
        }
        finish(Recording.End.BYTE_CAP, "the tool ran short of memory recording this stream");
      } finally {
        liveBytes.addAndGet(-accounted);
        head.countDown();
        if (end == null) finish(Recording.End.EOF, null);
        done.countDown();
      }
    }

    private void readBody(InputStream in) throws IOException {
      byte[] buf = new byte[16 * 1024];
      List<DispatchedEvent> events = new ArrayList<>();
      EventStreamParser parser = request.enough() == null ? null : new EventStreamParser(
          item -> { if (item instanceof DispatchedEvent e) events.add(e); },
          request.lastEventId() == null ? "" : request.lastEventId(),
          EventStreamParser.DEFAULT_MAX_LINE_CHARS, EventStreamParser.DEFAULT_MAX_EVENT_CHARS);
      long lastReadNanos = Long.MIN_VALUE;
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (end != null) return; // stopped from outside (window)
        long now = System.nanoTime();
        byte[] wire = java.util.Arrays.copyOf(buf, n);
        byte[] decoded = decoder.decode(wire);
        boolean coalesce = now - lastReadNanos < COALESCE_NANOS;
        lastReadNanos = now;
        long cost = n + (coalesce ? 0 : READ_OVERHEAD) + (decoder.identity() ? 0 : decoded.length);
        accounted += cost;
        long live = liveBytes.addAndGet(cost);
        synchronized (chunks) {
          append(chunks, decoded, now, coalesce);
          if (!decoder.identity()) append(wireChunks, wire, now, coalesce);
        }
        if (accounted >= request.maxBytes() || live > TOTAL_BUDGET_BYTES) {
          finish(Recording.End.BYTE_CAP, accounted >= request.maxBytes() ? null
              : "the tool's memory budget for open recordings (" + (TOTAL_BUDGET_BYTES >> 20) + " MiB) is spent");
          get.cancel();
          return;
        }
        if (parser != null && decoded.length > 0) {
          parser.feed(decoded);
          if (request.enough().test(events)) {
            finish(Recording.End.ENOUGH, null);
            get.cancel();
            return;
          }
        }
      }
      finish(Recording.End.EOF, null);
    }

    /** Stores a read; reads arriving within a millisecond of the previous one join it. */
    private void append(List<Recording.Chunk> list, byte[] bytes, long nanos, boolean coalesce) {
      if (bytes.length == 0) return;
      if (coalesce && !list.isEmpty()) {
        Recording.Chunk last = list.get(list.size() - 1);
        byte[] joined = java.util.Arrays.copyOf(last.bytes(), last.bytes().length + bytes.length);
        System.arraycopy(bytes, 0, joined, last.bytes().length, bytes.length);
        if (joined.length <= 256 * 1024) {
          list.set(list.size() - 1, new Recording.Chunk(last.at(), joined));
          return;
        }
      }
      list.add(new Recording.Chunk(Duration.ofNanos(nanos - start), bytes));
    }

    private synchronized void finish(Recording.End why, String message) {
      if (end != null) return;
      end = why;
      error = message;
      duration = Duration.ofNanos(System.nanoTime() - start);
    }

    /** Waits for the response head, until {@link #HEAD_TIMEOUT} after the request; returns whether it came. */
    public boolean awaitHead() throws InterruptedException {
      return waitForHead() && status > 0;
    }

    /** Waits at most {@code d} (no nudge); true when the head came in that time. */
    public boolean headWithin(Duration d) throws InterruptedException {
      return head.await(Math.min(d.toNanos(), headTimeLeftNanos()), TimeUnit.NANOSECONDS) && status > 0;
    }

    /**
     * Waits for the head; past {@link #NUDGE_AFTER} without one, publishes a plain event (when the
     * target has a publish URL): some servers send the head only with their first write.
     */
    private boolean waitForHead() throws InterruptedException {
      // Once a nudge has drawn out a held head, this server holds heads: nudge later streams sooner.
      Duration after = headsHeld ? NUDGE_AGAIN_AFTER : NUDGE_AFTER;
      if (nudge == null || head.await(Math.min(after.toNanos(), headTimeLeftNanos()), TimeUnit.NANOSECONDS)) {
        return head.await(headTimeLeftNanos(), TimeUnit.NANOSECONDS);
      }
      // Nudge, and again while no head comes (a nudge of another stream's may have come too early for this one).
      boolean mine = false;
      while (headTimeLeftNanos() > 0) {
        mine |= nudge();
        long wait = Math.min(headsHeld ? NUDGE_AGAIN_AFTER.toNanos() * 2 : 1_000_000_000L, headTimeLeftNanos());
        if (head.await(wait, TimeUnit.NANOSECONDS)) {
          if (status > 0 && mine) headsHeld = true;
          return true;
        }
      }
      return head.await(0, TimeUnit.NANOSECONDS);
    }

    private long headTimeLeftNanos() {
      return Math.max(0, HEAD_TIMEOUT.toNanos() - (System.nanoTime() - start));
    }

    /** The response status so far: -1 until the head has come. */
    public int status() {
      return status;
    }

    /** How long after the request the response head came; null until it has. */
    public Duration headersAfter() {
      return headersAfter;
    }

    /** True once the recording has ended (the server closed it, a bound, or {@link #stop()}). */
    public boolean ended() {
      return done.getCount() == 0;
    }

    /** Ends the recording now (as a client closing the stream would). */
    public void stop() {
      if (status < 0 && headTimeLeftNanos() == 0) {
        finish(Recording.End.NO_RESPONSE, "no response head within " + HEAD_TIMEOUT.toSeconds() + " s");
      } else {
        finish(Recording.End.WINDOW, null);
      }
      get.cancel();
    }

    /** Waits at most {@code d} for the recording to end (it may still be waiting for its head); true when it has. */
    public boolean awaitEnd(Duration d) throws InterruptedException {
      return done.await(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits until the recording ends (window, cap, condition, end of body) and returns it. */
    public Recording await() throws InterruptedException {
      if (!waitForHead()) {
        finish(Recording.End.NO_RESPONSE, "no response head within " + HEAD_TIMEOUT.toSeconds() + " s");
        get.cancel();
      } else {
        long left = request.window().toNanos() - (System.nanoTime() - start);
        if (!done.await(Math.max(0, left), TimeUnit.NANOSECONDS)) stop();
      }
      done.await(10, TimeUnit.SECONDS); // the reader leaves promptly once cancelled
      List<Recording.Chunk> copy;
      List<Recording.Chunk> wire;
      synchronized (chunks) {
        copy = List.copyOf(chunks);
        wire = decoder == null || decoder.identity() ? copy : List.copyOf(wireChunks);
      }
      String problem = error;
      if (problem == null && decoder != null && decoder.failure() != null) problem = decoder.failure();
      return new Recording(request.url(), finalUrl == null ? request.url() : finalUrl, status, protocol, headers,
          headersAfter, copy, wire, end == null ? Recording.End.WINDOW : end, problem, request.lastEventId(),
          duration == null ? Duration.ofNanos(System.nanoTime() - start) : duration,
          decoder == null || decoder.decodable());
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

  /**
   * Publishes like {@link #publish}, but never at the same time as another {@code publishAlone}: the
   * checks that run beside each other (the passive stream, the resume check, nudges) publish one at
   * a time, so a server that orders concurrent publishes differently per connection cannot make one
   * check's verdict depend on another's timing. (The concurrent-publish check publishes concurrently
   * on purpose, alone.)
   */
  public Published publishAlone(String json) throws IOException {
    synchronized (publishingAlone) {
      return publish(json);
    }
  }

  private final Object publishingAlone = new Object();

  /** POSTs {@code json} to the target's publish URL (the publish contract). */
  public Published publish(String json) throws IOException {
    HttpPost post = new HttpPost(target.publishUrl());
    post.setEntity(new ByteArrayEntity(json.getBytes(StandardCharsets.UTF_8), ContentType.APPLICATION_JSON));
    for (Target.Header h : target.publishHeaders()) post.setHeader(h.name(), h.value());
    post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build());
    // A whole-exchange deadline: a server that trickles its answer cannot hold a check for long.
    var deadline = deadlines.schedule(post::cancel, 15, java.util.concurrent.TimeUnit.SECONDS);
    try {
      return client.execute(post, response -> {
      String body;
      try {
        body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8, 64 * 1024);
      } catch (org.apache.hc.core5.http.ParseException e) {
        body = "";
      }
      String id = null;
      var m = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body);
      if (m.find()) id = m.group(1);
      return new Published(response.getCode(), body, id);
      });
    } finally {
      deadline.cancel(false);
    }
  }

  /**
   * Sends one request that is not a stream (a preflight, a variant) and returns its status and
   * headers: the body is not read (a server may answer anything with an endless stream), and the
   * whole exchange is bounded by {@link #HEAD_TIMEOUT}.
   */
  public Recording exchange(HttpUriRequestBase request) throws InterruptedException {
    URI uri;
    try {
      uri = request.getUri();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("bad request URI: " + e.getMessage(), e);
    }
    Request r = new Request(uri, null, Map.of(), HEAD_TIMEOUT, 16 * 1024, null);
    Session s = new Session(r, request);
    Thread t = new Thread(s::run, "ssekit-recorder-" + threads.incrementAndGet());
    t.setDaemon(true);
    t.start();
    s.awaitHead();
    s.stop(); // the head is all an exchange needs
    return s.await();
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    String kind = e.getClass().getSimpleName();
    return m == null ? kind : kind + ": " + m;
  }

  @Override
  public void close() throws IOException {
    deadlines.shutdownNow();
    client.close();
  }

  /** Same scheme, host and port (default ports filled in). */
  static boolean sameOrigin(URI a, URI b) {
    if (a == null || b == null || a.getScheme() == null || b.getScheme() == null || a.getHost() == null) return false;
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }
}
