package dev.ssekit.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A standalone benchmark client (not a test): holds many idle SSE connections to one loopback
 * server from a few event-loop threads, optionally publishes one event and counts how many of the
 * held streams receive it, then closes everything and prints one JSON line with the figures.
 *
 * <pre>
 * java -cp sse-reference-server.jar:bench-classes dev.ssekit.server.bench.HoldConnections \
 *     --url http://127.0.0.1:8080/events?topic=bench --connections 18000 \
 *     --publish-url http://127.0.0.1:8080/publish?topic=bench [--rss-pid server=PID] ...
 * </pre>
 *
 * <p>Everything is bounded: the connection count (at most {@value #MAX_CONNECTIONS}, which fits
 * under a 20,000 open-file limit), the ramp rate and the connects in flight, every connect, the
 * wait for response heads and for the event, the hold, and the whole run ({@code --deadline}).
 * Only 127.0.0.0/8 targets are accepted.
 *
 * <p>Per connection the client keeps one small handler (a few ints: the response-head parse
 * state, a content-type match state and a marker match state); received bytes are scanned and
 * released at once, never buffered.
 */
public final class HoldConnections {

  static final int MAX_CONNECTIONS = 19_000;
  static final int MAX_HEAD_BYTES = 16 * 1024;

  // ------------------------------------------------------------------ options

  URI url;
  InetSocketAddress target;
  String requestTarget;
  int connections = 18_000;
  int rate = 2_000;
  int maxInflight = 1_000;
  int threads = 1;
  int steps = 1;
  Duration connectTimeout = Duration.ofSeconds(5);
  Duration headTimeout = Duration.ofSeconds(15);
  Duration settle = Duration.ofSeconds(2);
  Duration deliveryTimeout = Duration.ofSeconds(30);
  Duration deadline = Duration.ofMinutes(5);
  Duration holdMax = Duration.ZERO;
  URI publishUrl;
  String publishBody = "{\"data\":\"{marker}\"}";
  String publishContentType = "application/json";
  String label = "";
  Path readyFile;
  Path releaseFile;
  Path outFile;
  final Map<String, Integer> rssPids = new LinkedHashMap<>();

  // ------------------------------------------------------------------ run state

  final AtomicInteger launched = new AtomicInteger();
  final AtomicInteger connectFailed = new AtomicInteger();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger badStatus = new AtomicInteger();
  final AtomicInteger badContentType = new AtomicInteger();
  final AtomicInteger headTooLarge = new AtomicInteger();
  final AtomicInteger closedBeforeHead = new AtomicInteger();
  final AtomicInteger closedByPeer = new AtomicInteger();
  final AtomicInteger openNow = new AtomicInteger();
  final AtomicInteger delivered = new AtomicInteger();
  final AtomicLong lastDeliveryNanos = new AtomicLong();
  final AtomicInteger firstStatusSeen = new AtomicInteger();
  /** Connect-to-head times (ms) of opened streams, and publish-to-marker times (ms). */
  int[] connectMs;
  int[] deliveryMs;
  volatile byte[] marker;
  volatile long publishNanos;
  volatile boolean closing;
  ChannelGroup channels;
  final long startNanos = System.nanoTime();
  long deadlineNanos;
  final List<String> notes = new ArrayList<>();
  final List<String> stepsJson = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    HoldConnections h = new HoldConnections();
    try {
      h.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    int status = h.run();
    System.exit(status);
  }

  static final String USAGE = """
      usage: HoldConnections --url http://127.0.0.1:PORT/events?topic=bench [options]
        --connections N          streams to open (default 18000, at most 19000)
        --rate R                 connects started per second (default 2000)
        --max-inflight M         connects without a response head at once (default 1000)
        --threads T              client event-loop threads (default 1)
        --steps K                pause K times during the ramp to sample RSS (default 1: at the end)
        --settle D               wait before each RSS sample (default 2s)
        --connect-timeout D      per connect (default 5s)
        --head-timeout D         for the last response heads after the ramp (default 15s)
        --publish-url URL        POST one event there once all streams are open (loopback only)
        --publish-body TEMPLATE  body; {marker} is replaced (default {"data":"{marker}"})
        --publish-content-type T (default application/json)
        --delivery-timeout D     wait for every open stream to see the event (default 30s)
        --rss-pid LABEL=PID      sample VmRSS of PID at each step and after the fan-out (repeatable)
        --ready-file F           write the figures so far to F once holding after the fan-out
        --release-file F         stop holding as soon as F exists
        --hold-max D             hold at most D after the fan-out (default 0)
        --deadline D             bound on the whole run (default 5m)
        --label S                free text copied to the output
        --out F                  also write the JSON line to F
      Durations: 500ms, 15s, 2m. Prints one JSON line; exit 0 when every requested stream opened
      and (with --publish-url) every open stream got the event, 1 otherwise, 2 for bad usage.""";

  void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) throw new IllegalArgumentException("help");
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
      String v = args[++i];
      switch (a) {
        case "--url" -> url = URI.create(v);
        case "--connections" -> connections = Integer.parseInt(v);
        case "--rate" -> rate = Integer.parseInt(v);
        case "--max-inflight" -> maxInflight = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--settle" -> settle = duration(v);
        case "--connect-timeout" -> connectTimeout = duration(v);
        case "--head-timeout" -> headTimeout = duration(v);
        case "--publish-url" -> publishUrl = URI.create(v);
        case "--publish-body" -> publishBody = v;
        case "--publish-content-type" -> publishContentType = v;
        case "--delivery-timeout" -> deliveryTimeout = duration(v);
        case "--rss-pid" -> {
          int eq = v.indexOf('=');
          if (eq <= 0) throw new IllegalArgumentException("--rss-pid wants LABEL=PID, got " + v);
          rssPids.put(v.substring(0, eq), Integer.parseInt(v.substring(eq + 1)));
        }
        case "--ready-file" -> readyFile = Path.of(v);
        case "--release-file" -> releaseFile = Path.of(v);
        case "--hold-max" -> holdMax = duration(v);
        case "--deadline" -> deadline = duration(v);
        case "--label" -> label = v;
        case "--out" -> outFile = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (url == null) throw new IllegalArgumentException("--url is required");
    if (connections < 1 || connections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException("--connections must be 1.." + MAX_CONNECTIONS
          + " (one client process is limited to 20,000 open files; run several clients for more)");
    }
    if (rate < 1 || rate > 50_000) throw new IllegalArgumentException("--rate must be 1..50000");
    if (maxInflight < 1 || maxInflight > 10_000) throw new IllegalArgumentException("--max-inflight must be 1..10000");
    if (threads < 1 || threads > 16) throw new IllegalArgumentException("--threads must be 1..16");
    if (steps < 1 || steps > 20) throw new IllegalArgumentException("--steps must be 1..20");
    if (deadline.compareTo(Duration.ofMinutes(30)) > 0) throw new IllegalArgumentException("--deadline is at most 30m");
    if (holdMax.compareTo(Duration.ofMinutes(10)) > 0) throw new IllegalArgumentException("--hold-max is at most 10m");
    if (settle.compareTo(Duration.ofMinutes(1)) > 0) throw new IllegalArgumentException("--settle is at most 1m");
    target = loopbackTarget(url, "--url");
    requestTarget = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    if (publishUrl != null) loopbackTarget(publishUrl, "--publish-url");
    connectMs = new int[connections];
    deliveryMs = new int[connections];
  }

  /** Resolves an http URL and refuses anything outside 127.0.0.0/8. */
  static InetSocketAddress loopbackTarget(URI u, String what) {
    if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException(what + " must be an http:// URL with a host: " + u);
    }
    InetAddress addr;
    try {
      addr = InetAddress.getByName(u.getHost());
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": cannot resolve " + u.getHost());
    }
    if (!(addr instanceof Inet4Address) || (addr.getAddress()[0] & 0xff) != 127) {
      throw new IllegalArgumentException(what + " must point into 127.0.0.0/8 (this benchmark only loads "
          + "its own machine's loopback); " + u.getHost() + " is " + addr.getHostAddress());
    }
    return new InetSocketAddress(addr, u.getPort() < 0 ? 80 : u.getPort());
  }

  static Duration duration(String s) {
    return dev.ssekit.protocol.Durations.parse(s);
  }


  // ------------------------------------------------------------------ the run

  int run() throws Exception {
    deadlineNanos = startNanos + deadline.toNanos();
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, io);
    channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    byte[] request = ("GET " + requestTarget + " HTTP/1.1\r\n"
        + "Host: " + url.getHost() + ":" + target.getPort() + "\r\n"
        + "Accept: text/event-stream\r\n"
        + "Cache-Control: no-cache\r\n"
        + "User-Agent: ssekit-hold-benchmark\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new io.netty.channel.ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new Conn(HoldConnections.this, request));
          }
        });

    long rampStart = System.nanoTime();
    long rampNanos = 0;
    long publishStatus = -1;
    String publishError = null;
    int openAtPublish = 0;
    long deliveryNanos = -1;
    boolean allDelivered = false;
    String rssHeld = "{}";
    String rssAfterFanout = "{}";
    try {
      // Ramp, pausing at each step boundary to let heads arrive and RSS settle.
      for (int step = 1; step <= steps; step++) {
        int stepTarget = (int) ((long) connections * step / steps);
        rampTo(b, stepTarget, rampStart);
        awaitHeads(stepTarget);
        if (step == steps) rampNanos = System.nanoTime() - rampStart;
        sleepBounded(settle);
        String rss = sampleRss();
        stepsJson.add("{\"connections\":" + openNow.get() + ",\"elapsedMs\":" + ms(System.nanoTime() - rampStart)
            + ",\"rss\":" + rss + "}");
        if (step == steps) rssHeld = rss;
      }
      if (publishUrl != null && pastDeadline()) {
        notes.add("deadline reached before publishing");
      } else if (publishUrl != null) {
        String m = "fanout-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        openAtPublish = openNow.get();
        marker = m.getBytes(StandardCharsets.US_ASCII);
        publishNanos = System.nanoTime();
        try {
          publishStatus = publish(publishBody.replace("{marker}", m));
        } catch (IOException e) {
          publishError = String.valueOf(e);
        }
        if (publishStatus >= 200 && publishStatus < 300) {
          long until = Math.min(deadlineNanos, System.nanoTime() + deliveryTimeout.toNanos());
          while (System.nanoTime() < until) {
            // Every stream that is still open must have the event; closed streams count as lost below.
            if (delivered.get() >= openAtPublish) break;
            Thread.sleep(2);
          }
          allDelivered = delivered.get() >= openAtPublish && closedAfterPublish() == 0;
          if (delivered.get() > 0) deliveryNanos = lastDeliveryNanos.get() - publishNanos;
        }
        sleepBounded(settle);
        rssAfterFanout = sampleRss();
      }
      // Hold, so a caller can measure the server while every stream is still open.
      if (readyFile != null) {
        Files.writeString(readyFile, json(rampNanos, openAtPublish, publishStatus, publishError, deliveryNanos,
            allDelivered, rssHeld, rssAfterFanout, false) + "\n");
      }
      long holdUntil = Math.min(deadlineNanos, System.nanoTime() + holdMax.toNanos());
      while (System.nanoTime() < holdUntil) {
        if (releaseFile != null && Files.exists(releaseFile)) break;
        Thread.sleep(50);
      }
    } finally {
      closing = true;
      channels.close().awaitUninterruptibly(15, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
    String out = json(rampNanos, openAtPublish, publishStatus, publishError, deliveryNanos, allDelivered,
        rssHeld, rssAfterFanout, true);
    System.out.println(out);
    if (outFile != null) Files.writeString(outFile, out + "\n");
    boolean ok = opened.get() == connections && (publishUrl == null || allDelivered);
    return ok ? 0 : 1;
  }

  private int closedAfterPublishCount;

  int closedAfterPublish() {
    return closedAfterPublishCount;
  }

  private void rampTo(Bootstrap b, int stepTarget, long rampStart) throws InterruptedException {
    while (launched.get() < stepTarget && !pastDeadline()) {
      long elapsed = System.nanoTime() - rampStart;
      long allowed = Math.min(stepTarget, (long) (elapsed / 1e9 * rate) + 1);
      int burst = 0;
      while (launched.get() < allowed && inflight() < maxInflight && burst < 500) {
        connect(b);
        burst++;
      }
      Thread.sleep(1);
    }
  }

  private void connect(Bootstrap b) {
    launched.incrementAndGet();
    ChannelFuture f = b.connect(target);
    f.addListener((ChannelFutureListener) cf -> {
      if (!cf.isSuccess()) {
        connectFailed.incrementAndGet();
        if (firstStatusSeen.compareAndSet(0, -1)) noteOnce("first connect failure: " + cf.cause());
      } else {
        channels.add(cf.channel());
      }
    });
  }

  /** Connects started but neither failed nor answered with a complete head yet. */
  int inflight() {
    return launched.get() - connectFailed.get() - opened.get() - badStatus.get() - badContentType.get()
        - headTooLarge.get() - closedBeforeHead.get();
  }

  private void awaitHeads(int stepTarget) throws InterruptedException {
    long until = Math.min(deadlineNanos, System.nanoTime() + headTimeout.toNanos());
    while (inflight() > 0 && System.nanoTime() < until) Thread.sleep(5);
    if (inflight() > 0) notes.add(inflight() + " connects had no response head " + headTimeout.toMillis()
        + " ms after step " + stepTarget);
  }

  private boolean pastDeadline() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  private void sleepBounded(Duration d) throws InterruptedException {
    long until = Math.min(deadlineNanos, System.nanoTime() + d.toNanos());
    long left;
    while ((left = until - System.nanoTime()) > 0) Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
  }

  private synchronized void noteOnce(String s) {
    if (notes.size() < 20) notes.add(s);
  }

  /** POSTs the event with a plain socket (one request, Connection: close); returns the status. */
  private long publish(String body) throws IOException {
    InetSocketAddress addr = loopbackTarget(publishUrl, "--publish-url");
    String path = (publishUrl.getRawPath() == null || publishUrl.getRawPath().isEmpty() ? "/" : publishUrl.getRawPath())
        + (publishUrl.getRawQuery() == null ? "" : "?" + publishUrl.getRawQuery());
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket()) {
      s.connect(addr, (int) connectTimeout.toMillis());
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, deliveryTimeout.toMillis()));
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: " + publishUrl.getHost() + ":" + addr.getPort() + "\r\n"
          + "Content-Type: " + publishContentType + "\r\nContent-Length: " + bodyBytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bodyBytes);
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = 0;
      while (n < head.length) {
        int r = in.read(head, n, head.length - n);
        if (r < 0) break;
        n += r;
      }
      if (n < 12) throw new IOException("publish: short response (" + n + " bytes)");
      return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
    }
  }

  // ------------------------------------------------------------------ RSS

  private String sampleRss() {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Integer> e : rssPids.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(esc(e.getKey())).append("\":").append(procStatus(e.getValue()));
    }
    return sb.append('}').toString();
  }

  /** VmRSS, RssAnon, RssFile, RssShmem of a process in bytes, from /proc/PID/status. */
  static String procStatus(int pid) {
    Map<String, Long> v = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        for (String key : new String[] {"VmRSS", "RssAnon", "RssFile", "RssShmem"}) {
          if (line.startsWith(key + ":")) {
            String num = line.substring(key.length() + 1).trim().split("\\s+")[0];
            v.put(key, Long.parseLong(num) * 1024);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("{");
    v.forEach((k, n) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(n));
    return sb.append('}').toString();
  }

  // ------------------------------------------------------------------ output

  private String json(long rampNanos, int openAtPublish, long publishStatus, String publishError, long deliveryNanos,
      boolean allDelivered, String rssHeld, String rssAfterFanout, boolean done) {
    int nOpened = opened.get();
    int nDelivered = delivered.get();
    StringBuilder sb = new StringBuilder(1024);
    sb.append("{\"tool\":\"HoldConnections\",\"label\":\"").append(esc(label)).append('"');
    sb.append(",\"url\":\"").append(esc(url.toString())).append('"');
    sb.append(",\"transport\":\"").append(Epoll.isAvailable() ? "epoll" : "nio").append('"');
    sb.append(",\"threads\":").append(threads);
    sb.append(",\"connections\":{\"requested\":").append(connections)
        .append(",\"launched\":").append(launched.get())
        .append(",\"opened\":").append(nOpened)
        .append(",\"openAtEnd\":").append(done ? -1 : openNow.get())
        .append(",\"connectFailed\":").append(connectFailed.get())
        .append(",\"badStatus\":").append(badStatus.get())
        .append(",\"badContentType\":").append(badContentType.get())
        .append(",\"headTooLarge\":").append(headTooLarge.get())
        .append(",\"closedBeforeHead\":").append(closedBeforeHead.get())
        .append(",\"closedByServer\":").append(closedByPeer.get())
        .append(",\"rampMs\":").append(ms(rampNanos))
        .append(",\"rampRatePerS\":").append(rate)
        .append('}');
    int[] c = Arrays.copyOf(connectMs, Math.min(nOpened, connectMs.length));
    sb.append(",\"connectMs\":").append(percentiles(c));
    sb.append(",\"fanout\":");
    if (publishUrl == null) {
      sb.append("null");
    } else {
      int[] d = Arrays.copyOf(deliveryMs, Math.min(nDelivered, deliveryMs.length));
      sb.append("{\"publishStatus\":").append(publishStatus)
          .append(",\"publishError\":").append(publishError == null ? "null" : "\"" + esc(publishError) + "\"")
          .append(",\"openAtPublish\":").append(openAtPublish)
          .append(",\"delivered\":").append(nDelivered)
          .append(",\"lost\":").append(Math.max(0, openAtPublish - nDelivered))
          .append(",\"complete\":").append(allDelivered)
          .append(",\"timeTo100PercentMs\":").append(allDelivered ? String.valueOf(ms(deliveryNanos)) : "null")
          .append(",\"timeToLastDeliveryMs\":").append(deliveryNanos < 0 ? "null" : String.valueOf(ms(deliveryNanos)))
          .append(",\"deliveryMs\":").append(percentiles(d))
          .append('}');
    }
    sb.append(",\"rssHeld\":").append(rssHeld);
    sb.append(",\"rssAfterFanout\":").append(rssAfterFanout);
    sb.append(",\"steps\":[").append(String.join(",", stepsJson)).append(']');
    sb.append(",\"notes\":[");
    synchronized (this) {
      for (int i = 0; i < notes.size(); i++) sb.append(i > 0 ? "," : "").append('"').append(esc(notes.get(i))).append('"');
    }
    sb.append("],\"elapsedMs\":").append(ms(System.nanoTime() - startNanos)).append('}');
    return sb.toString();
  }

  static String percentiles(int[] values) {
    if (values.length == 0) return "null";
    int[] v = values.clone();
    Arrays.sort(v);
    return "{\"count\":" + v.length + ",\"p50\":" + pct(v, 50) + ",\"p95\":" + pct(v, 95) + ",\"p99\":" + pct(v, 99)
        + ",\"max\":" + v[v.length - 1] + "}";
  }

  static int pct(int[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
          else sb.append(ch);
        }
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ one connection

  /** Matches one ASCII pattern byte by byte with a shared KMP table; the state lives in the caller. */
  static final class Pattern {
    final byte[] p;
    final int[] fail;

    Pattern(byte[] p) {
      this.p = p;
      this.fail = new int[p.length];
      for (int i = 1, k = 0; i < p.length; i++) {
        while (k > 0 && p[i] != p[k]) k = fail[k - 1];
        if (p[i] == p[k]) k++;
        fail[i] = k;
      }
    }

    /** The next state after byte {@code b}; {@code p.length} means a full match. */
    int step(int state, byte b) {
      if (state == p.length) state = fail[state - 1];
      while (state > 0 && p[state] != b) state = fail[state - 1];
      return p[state] == b ? state + 1 : 0;
    }
  }

  static final Pattern EVENT_STREAM = new Pattern("text/event-stream".getBytes(StandardCharsets.US_ASCII));

  /** The state of one stream: a handful of ints, no buffers. */
  static final class Conn extends ChannelInboundHandlerAdapter {
    private final HoldConnections run;
    private final byte[] request;
    private final long started = System.nanoTime();
    private int headBytes;
    private int status;
    private int endState; // progress through \r\n\r\n
    private int ctState;
    private boolean ctSeen;
    private boolean inBody;
    private boolean finished; // counted as failed
    private int markState;
    private Pattern markPattern;
    private boolean delivered;

    Conn(HoldConnections run, byte[] request) {
      this.run = run;
      this.request = request;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(request), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (!(msg instanceof ByteBuf buf) || finished) return;
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        if (!inBody) {
          for (; i < end && !inBody; i++) {
            byte b = buf.getByte(i);
            int pos = headBytes++;
            if (pos < 5 && b != "HTTP/".charAt(pos)) { fail(ctx, run.badStatus); return; }
            if (pos >= 9 && pos <= 11) status = status * 10 + (b - '0');
            if (!ctSeen) {
              byte lower = (b >= 'A' && b <= 'Z') ? (byte) (b + 32) : b;
              ctState = EVENT_STREAM.step(ctState, lower);
              if (ctState == EVENT_STREAM.p.length) ctSeen = true;
            }
            if (b == '\r') endState = (endState == 2) ? 3 : 1;
            else if (b == '\n') endState = (endState == 1) ? 2 : (endState == 3 ? 4 : 0);
            else endState = 0;
            if (endState == 4) inBody = true;
            else if (headBytes > MAX_HEAD_BYTES) { fail(ctx, run.headTooLarge); return; }
          }
          if (!inBody) return;
          if (status != 200) { fail(ctx, run.badStatus); return; }
          if (!ctSeen) { fail(ctx, run.badContentType); return; }
          int n = run.opened.getAndIncrement();
          if (n < run.connectMs.length) run.connectMs[n] = (int) ms(System.nanoTime() - started);
          run.openNow.incrementAndGet();
        }
        if (delivered) return;
        byte[] m = run.marker;
        if (m == null) return;
        if (markPattern == null || markPattern.p != m) {
          markPattern = Conns.patternFor(m);
          markState = 0;
        }
        for (; i < end; i++) {
          markState = markPattern.step(markState, buf.getByte(i));
          if (markState == m.length) {
            delivered = true;
            long now = System.nanoTime();
            int n = run.delivered.getAndIncrement();
            if (n < run.deliveryMs.length) run.deliveryMs[n] = (int) ms(now - run.publishNanos);
            run.lastDeliveryNanos.accumulateAndGet(now, Math::max);
            return;
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void fail(ChannelHandlerContext ctx, AtomicInteger counter) {
      finished = true;
      counter.incrementAndGet();
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (run.closing) return;
      if (inBody) {
        run.openNow.decrementAndGet();
        run.closedByPeer.incrementAndGet();
        if (run.marker != null && !delivered) {
          synchronized (run) {
            run.closedAfterPublishCount++;
          }
        }
      } else if (!finished) {
        finished = true;
        run.closedBeforeHead.incrementAndGet();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      run.noteOnce("connection error: " + cause);
      ctx.close();
    }
  }

  /** One KMP table per marker, shared by every connection. */
  static final class Conns {
    private static volatile Pattern last;

    static Pattern patternFor(byte[] m) {
      Pattern p = last;
      if (p == null || p.p != m) {
        p = new Pattern(m);
        last = p;
      }
      return p;
    }
  }
}
