package dev.ssekit.server;

import dev.ssekit.server.scenario.ScenarioHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The reference SSE server: binds, runs the shared timers ({@link SharedTimers}: ticks,
 * heartbeats) and shuts down gracefully. One event loop per core, no thread per connection.
 *
 * <pre>
 * try (SseServer server = SseServer.start(ServerConfig.builder().port(0).build())) {
 *   int port = server.port();
 *   ...
 * }
 * </pre>
 */
public final class SseServer implements AutoCloseable {

  private final ServerConfig config;
  private final MultiThreadIoEventLoopGroup group;
  /** Accepts connections only, so a busy stream loop never delays a new client's accept. */
  private final EventLoopGroup acceptor;
  private final Channel serverChannel;
  private final Topics topics;
  private final ServerMetrics metrics;
  private final EventStreams streams;
  private final SharedTimers timers;
  private final Frame goodbye;
  private final Frame dropNotice;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final BodyBudget bodies;
  private final PendingConnections pending;
  /** With --broker: the Redis Streams this instance mirrors and publishes to; else null. */
  private final RedisBroker broker;

  private SseServer(ServerConfig config, boolean nio, LongSupplier pendingClock) throws InterruptedException {
    this.config = config;
    this.topics = new Topics(config.history(), config.historyBytes(), config.maxQueueBytes(), config.maxTopics());
    this.metrics = new ServerMetrics(topics);
    topics.bind(metrics);
    this.broker = config.broker() == null ? null : connectBroker(config, topics);
    this.streams = new EventStreams(config, topics, metrics, broker);
    this.timers = new SharedTimers(config, topics, metrics, broker);
    // Allocated now: shutdown must not depend on memory being available then.
    this.goodbye = Frame.control(StreamWire.retryBlock(config.retry().toMillis(),
        "server shutting down; reconnect and resume with Last-Event-ID"));
    this.dropNotice = Frame.control(StreamWire.retryBlock(config.retry().toMillis(),
        "disconnected by an admin request; reconnect and resume with Last-Event-ID"));
    this.bodies = new BodyBudget(config.maxBodyBytesInFlight());
    this.pending = new PendingConnections(config.maxPendingConnections(), pendingClock);
    metrics.watchRequests(bodies, pending);
    HttpRouter router = new HttpRouter(streams, new PublishHandler(topics, broker), new AdminHandler(this::disconnectAll),
        new ScenarioHandler(this::admitScenario), metrics, broker);
    SseServerInitializer connections = new SseServerInitializer(router, new Access(config), bodies, pending, config);

    boolean epoll = !nio && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    this.acceptor = new MultiThreadIoEventLoopGroup(1, io);
    try {
      this.serverChannel = bootstrap(epoll, connections).bind(config.host(), config.port()).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (broker != null) broker.close();
      throw e;
    }
    timers.start(group);
  }

  /** Connects to the broker; a broker that cannot be reached at startup is a refused configuration. */
  private static RedisBroker connectBroker(ServerConfig config, Topics topics) {
    try {
      return new RedisBroker(config.broker(), config.history(), topics);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("cannot reach the broker at " + RedisBroker.shown(config.broker()) + ": "
          + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()), e);
    }
  }

  /** The listening socket's options and the accepted connections' options and pipeline. */
  private ServerBootstrap bootstrap(boolean epoll, SseServerInitializer connections) {
    ServerBootstrap bootstrap = new ServerBootstrap();
    if (epoll && !config.heartbeat().isZero()) {
      // Half-open peers: heartbeats put bytes on the wire; if the peer stops acknowledging them
      // (gone without a FIN or RST) the kernel aborts the connection after this bound, and the
      // next write fails, releasing the stream. Well past one heartbeat, so a brief stall is fine.
      int userTimeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(30_000, config.heartbeat().toMillis() * 3));
      bootstrap.childOption(EpollChannelOption.TCP_USER_TIMEOUT, userTimeoutMs);
    }
    return bootstrap
        .group(acceptor, group)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        // One accept per read: NIO accepts a whole batch (16 by default) before the first
        // reaches AcceptBackoff, so turning auto-read off there could not stop the rest of the
        // batch, which would find the pending bound full and be closed unanswered. With one per
        // read every accepted connection is counted before the next accept (on epoll too).
        .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(1))
        .handler(new AcceptBackoff(metrics, pending))
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        // Stop writing to a stream once 32 KiB wait unsent; it is written from the shared history
        // again when it drains, so a slow reader holds no more than this.
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16 * 1024, 32 * 1024))
        .childHandler(connections);
  }

  /**
   * Binds and starts a server. Refuses a non-loopback address without a publish token unless
   * anonymous publishing was allowed explicitly.
   *
   * @throws IllegalArgumentException when the configuration is refused
   * @throws InterruptedException when interrupted while binding
   */
  public static SseServer start(ServerConfig config) throws InterruptedException {
    return start(config, false);
  }

  /** As {@link #start(ServerConfig)}; {@code nio} forces the NIO transport where native epoll is available (tests). */
  static SseServer start(ServerConfig config, boolean nio) throws InterruptedException {
    return start(config, nio, System::nanoTime);
  }

  /**
   * As {@link #start(ServerConfig, boolean)}, with the clock {@link PendingConnections} ages
   * connections by (tests use one they advance by hand, so "old enough to evict" is a step they
   * take rather than a race with the machine's load).
   */
  static SseServer start(ServerConfig config, boolean nio, LongSupplier pendingClock)
      throws InterruptedException {
    if (config.publishToken() == null && !config.allowAnonymousPublish() && !isLoopback(config.host())) {
      throw new IllegalArgumentException("refusing to bind " + config.host()
          + " without --publish-token: anyone who can reach it could publish; "
          + "set a token or pass --allow-anonymous-publish");
    }
    return new SseServer(config, nio, pendingClock);
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve --host " + host);
    }
  }

  /** A scenario stream takes one of --max-connections until its connection closes. */
  private boolean admitScenario(Channel ch) {
    if (!metrics.reserveSlot(config.maxConnections())) {
      metrics.streamsRejected.increment();
      return false;
    }
    metrics.scenarioStreams.incrementAndGet();
    ch.closeFuture().addListener(f -> {
      metrics.scenarioStreams.decrementAndGet();
      metrics.slots.decrementAndGet();
    });
    return true;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Request-body bytes reserved now across all connections. */
  long bodyBytesBuffered() {
    return bodies.used();
  }

  /** Connections that are not streams now (bounded by --max-pending-connections). */
  int pendingConnections() {
    return pending.held();
  }

  /** Pending connections set up and in the eviction order (not picked for eviction); tests wait for this. */
  int pendingListed() {
    return pending.listed();
  }

  /** Pending connections evicted so far to make room. */
  long pendingEvicted() {
    return pending.evicted();
  }

  /** New connections closed at once because the bound was reached. */
  long pendingRefused() {
    return pending.refused();
  }

  /** Whether the listening channel uses NIO (else native epoll). */
  boolean nio() {
    return serverChannel instanceof NioServerSocketChannel;
  }

  /** Scenario streams open now. */
  int scenarioStreams() {
    return metrics.scenarioStreams.get();
  }

  /** Streams open now. */
  public int openStreams() {
    return metrics.openStreams.get();
  }

  /** The settings this server runs with. */
  public ServerConfig config() {
    return config;
  }

  /**
   * On each event loop, ends the streams it serves with {@code notice} ({@link LoopSubscribers#endAll});
   * adds how many to {@code ended}. The latch opens once every loop has done so.
   */
  private CountDownLatch endStreams(Frame notice, AtomicLong ended) {
    CountDownLatch done = new CountDownLatch(group.executorCount());
    for (EventExecutor e : group) {
      EventLoop loop = (EventLoop) e;
      loop.execute(() -> {
        try {
          topics.forGroupsOn(loop, ls -> ended.addAndGet(ls.endAll(notice)));
        } finally {
          done.countDown();
        }
      });
    }
    return done;
  }

  /**
   * Ends every open stream the way a restart would (a retry hint, then a clean end of the body),
   * without stopping the server: clients reconnect after the hint and resume by id from the
   * history, which is kept. Returns the streams open when it was called; the ending happens on
   * each event loop right after.
   */
  public int disconnectAll() {
    int open = metrics.openStreams.get();
    endStreams(dropNotice, new AtomicLong());
    ServerLog.info("disconnecting " + open + " streams on request");
    return open;
  }

  /**
   * Graceful shutdown: stop accepting and publishing, tell every stream to reconnect (a
   * {@code retry:} hint and a comment, then a clean end of the body), close, and stop within
   * {@link ServerConfig#shutdownGrace()}. Clients reconnect after the hint and resume by id.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    streams.shuttingDown();
    topics.close();
    serverChannel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    timers.cancel();
    AtomicLong ended = new AtomicLong();
    CountDownLatch told = endStreams(goodbye, ended);
    try {
      told.await(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      while (metrics.openStreams.get() > 0 && remainingMillis(deadline) > 0) Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = metrics.openStreams.get();
    acceptor.shutdownGracefully(0, 1, TimeUnit.MILLISECONDS);
    group.shutdownGracefully(0, Math.max(1, remainingMillis(deadline)), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(Math.max(1, remainingMillis(deadline)) + 1000, TimeUnit.MILLISECONDS);
    acceptor.terminationFuture().awaitUninterruptibly(1000, TimeUnit.MILLISECONDS);
    if (broker != null) broker.close();
    ServerLog.info("stopped: told " + ended.get() + " streams to reconnect" + (left > 0 ? ", " + left + " forced closed" : ""));
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }
}
