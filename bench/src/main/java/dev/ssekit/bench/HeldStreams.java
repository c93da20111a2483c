package dev.ssekit.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The streams of one {@link HoldConnections} run: the client's event loops ({@code --threads},
 * epoll where available), one {@link HeldStreamHandler} per connection, and the pacing of the
 * connects ({@code --rate}, at most {@code --max-inflight} without a response head). {@link #close}
 * closes every stream and stops the event loops.
 */
final class HeldStreams implements AutoCloseable {

  private final HoldOptions options;
  private final HoldState run;
  private final Deadline deadline;
  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final Bootstrap bootstrap;

  HeldStreams(HoldOptions options, HoldState run, Deadline deadline) {
    this.options = options;
    this.run = run;
    this.deadline = deadline;
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    group = new MultiThreadIoEventLoopGroup(options.threads, io);
    channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    byte[] request = request(options);
    bootstrap = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout.toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HeldStreamHandler(run, request));
          }
        });
  }

  /** The GET every stream sends, the same bytes for all. */
  private static byte[] request(HoldOptions o) {
    return ("GET " + o.requestTarget + " HTTP/1.1\r\n"
        + "Host: " + o.url.getHost() + ":" + o.target.getPort() + "\r\n"
        + "Accept: text/event-stream\r\n"
        + "Cache-Control: no-cache\r\n"
        + "User-Agent: ssekit-hold-benchmark\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Starts connects until {@code stepTarget} have been launched, at the rate counted from {@code rampStart}. */
  void rampTo(int stepTarget, long rampStart) throws InterruptedException {
    while (run.launched.get() < stepTarget && !deadline.passed()) {
      long elapsed = System.nanoTime() - rampStart;
      long allowed = Math.min(stepTarget, (long) (elapsed / 1e9 * options.rate) + 1);
      int burst = 0;
      while (run.launched.get() < allowed && run.inflight() < options.maxInflight && burst < 500) {
        connect();
        burst++;
      }
      Thread.sleep(1);
    }
  }

  private void connect() {
    run.launched.incrementAndGet();
    ChannelFuture f = bootstrap.connect(options.target);
    f.addListener((ChannelFutureListener) cf -> {
      if (!cf.isSuccess()) {
        run.connectFailed.incrementAndGet();
        if (run.firstStatusSeen.compareAndSet(0, -1)) run.noteOnce("first connect failure: " + cf.cause());
      } else {
        channels.add(cf.channel());
      }
    });
  }

  /** Waits (at most {@code --head-timeout}) for every launched connect to get its head or fail. */
  void awaitHeads(int stepTarget) throws InterruptedException {
    long until = deadline.until(options.headTimeout);
    while (run.inflight() > 0 && System.nanoTime() < until) Thread.sleep(5);
    if (run.inflight() > 0) run.notes.add(run.inflight() + " connects had no response head "
        + options.headTimeout.toMillis() + " ms after step " + stepTarget);
  }

  @Override
  public void close() {
    run.closing = true;
    channels.close().awaitUninterruptibly(15, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
