package dev.ssekit.server;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar sse-reference-server.jar [options]}: runs the reference server until SIGTERM. */
@Command(name = "sse-reference-server", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class, sortOptions = false,
    description = {"The ssekit reference Server-Sent Events server.",
        "Durations are written 500ms, 15s, 2m; 0 turns a timer off."},
    footer = {"", "Endpoints:",
        "  GET  /events[?topic=T]   the stream (Last-Event-ID or ?lastEventId= resumes)",
        "  POST /publish[?topic=T]  {\"data\", \"event\"?, \"id\"?} -> 202 {\"id\"}",
        "  POST /admin/disconnect   end every stream now, as a restart would",
        "  GET  /metrics, /healthz  Prometheus text, liveness",
        "  GET  /scenarios[/NAME[/expected]]  scripted streams",
        "  GET  /                   the live demo page"})
public final class Main implements Callable<Integer> {

  /** The defaults every option starts from (written once, in {@link ServerConfig.Builder}). */
  private static final ServerConfig DEFAULTS = ServerConfig.defaults();

  @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host = DEFAULTS.host();

  @Option(names = "--port", paramLabel = "PORT", description = "TCP port, 0 for any free port (default: ${DEFAULT-VALUE}).")
  int port = DEFAULTS.port();

  @Option(names = "--tick", paramLabel = "D", converter = Durations.class,
      description = "Publish a tick event to the default topic every D (default: 1s; 0 = off).")
  Duration tick = DEFAULTS.tick();

  @Option(names = "--heartbeat", paramLabel = "D", converter = Durations.class,
      description = "Comment heartbeat on streams idle for D (default: 15s; 0 = off).")
  Duration heartbeat = DEFAULTS.heartbeat();

  @Option(names = "--retry", paramLabel = "D", converter = Durations.class,
      description = "Reconnection time sent as 'retry:' at the start of every stream (default: 3s).")
  Duration retry = DEFAULTS.retry();

  @Option(names = "--history", paramLabel = "N", description = "Events kept per topic for resumption (default: ${DEFAULT-VALUE}).")
  int history = DEFAULTS.history();

  @Option(names = "--history-bytes", paramLabel = "B",
      description = "Bytes of history kept across all topics; the oldest events go first (default: ${DEFAULT-VALUE}).")
  long historyBytes = DEFAULTS.historyBytes();

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Open streams allowed; past it a stream gets a long retry and is closed "
          + "(default: the process's open-file limit less a tenth, at least 64, kept for history, logs and publishers).")
  Integer maxConnections;

  @Option(names = "--max-queue-bytes", paramLabel = "B",
      description = "Bytes a subscriber may fall behind before it is disconnected (default: 4 MiB or 4 x --max-event-bytes).")
  Long maxQueueBytes;

  @Option(names = "--max-event-bytes", paramLabel = "B",
      description = "Largest publish body accepted; larger gets 413 (default: ${DEFAULT-VALUE}).")
  int maxEventBytes = DEFAULTS.maxEventBytes();

  @Option(names = "--cors-origin", paramLabel = "ORIGIN",
      description = "Access-Control-Allow-Origin value; empty for none (default: ${DEFAULT-VALUE}).")
  String corsOrigin = DEFAULTS.corsOrigin();

  @Option(names = "--publish-token", paramLabel = "T",
      description = "Require 'Authorization: Bearer T' to publish (default: none).")
  String publishToken;

  @Option(names = "--allow-anonymous-publish",
      description = "Allow publishing without a token on a non-loopback address.")
  boolean allowAnonymousPublish;

  @Option(names = "--shutdown-grace", paramLabel = "D", converter = Durations.class,
      description = "Bound on graceful shutdown (default: 5s).")
  Duration shutdownGrace = DEFAULTS.shutdownGrace();

  @Option(names = "--head-timeout", paramLabel = "D", converter = Durations.class,
      description = "Time to send a whole request head once it started (default: 10s; else 408).")
  Duration headTimeout = DEFAULTS.headTimeout();

  @Option(names = "--body-timeout", paramLabel = "D", converter = Durations.class,
      description = "Time to send a whole request body once the head arrived (default: 10s; else 408).")
  Duration bodyTimeout = DEFAULTS.bodyTimeout();

  @Option(names = "--max-body-buffer", paramLabel = "B",
      description = "Request-body bytes read at once across all connections; past it 503 + Retry-After (default: ${DEFAULT-VALUE}).")
  long maxBodyBuffer = DEFAULTS.maxBodyBytesInFlight();

  @Option(names = "--publish-cors-origin", paramLabel = "ORIGIN",
      description = "Access-Control-Allow-Origin for /publish, so pages on that origin may publish; empty (the default) for none.")
  String publishCorsOrigin = DEFAULTS.publishCorsOrigin();

  @Option(names = "--max-topics", paramLabel = "N",
      description = "Topics held at once (with history or subscribers); past it new names are refused (default: ${DEFAULT-VALUE}).")
  int maxTopics = DEFAULTS.maxTopics();

  @Option(names = "--max-pending-connections", paramLabel = "N",
      description = "Connections that are not streams (requests being read or answered, idle keep-alive) held at once; "
          + "near it a new one evicts the longest pending (default: half of what --max-connections' default keeps back, at least 32).")
  Integer maxPendingConnections;

  @Option(names = "--broker", paramLabel = "URL",
      description = "redis://HOST:PORT[/DB]: keep every topic in a Redis Stream, so several instances serve one stream "
          + "(publish on any, resume on any); default: this process's memory alone.")
  String broker = DEFAULTS.broker();

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line; returns the exit status (2 for bad usage or a refused configuration). */
  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExitCodeExceptionMapper(e -> 2);
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Try --help for the options.");
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    SseServer server;
    SafeJulHandler.install();
    Preload.ownClasses();
    try {
      FdLimits fds = FdLimits.current();
      int connections = maxConnections != null ? maxConnections : fds.defaultMaxConnections();
      if (maxConnections == null) {
        ServerLog.info("max-connections " + connections + " (" + fds.describe() + "; set --max-connections to change it)");
      } else if (fds.limit() > 0 && maxConnections > fds.limit() - FdLimits.MIN_RESERVE) {
        ServerLog.info("--max-connections " + maxConnections + " is close to or above the open-file limit " + fds.limit()
            + ": past it new connections wait until descriptors free up");
      }
      int pendingBound = maxPendingConnections != null ? maxPendingConnections : fds.defaultMaxPendingConnections();
      if (maxPendingConnections == null) {
        ServerLog.info("max-pending-connections " + pendingBound + " (" + fds.describePending()
            + "; set --max-pending-connections to change it)");
      }
      long queue = maxQueueBytes != null ? maxQueueBytes : ServerConfig.defaultMaxQueueBytes(maxEventBytes);
      config = ServerConfig.builder().host(host).port(port).tick(tick).heartbeat(heartbeat).retry(retry)
          .history(history).historyBytes(historyBytes).maxConnections(connections).maxQueueBytes(queue)
          .maxEventBytes(maxEventBytes).corsOrigin(corsOrigin).publishToken(publishToken)
          .allowAnonymousPublish(allowAnonymousPublish).shutdownGrace(shutdownGrace).headTimeout(headTimeout)
          .bodyTimeout(bodyTimeout).maxBodyBytesInFlight(Math.max(maxBodyBuffer, maxEventBytes))
          .publishCorsOrigin(publishCorsOrigin).maxTopics(maxTopics).maxPendingConnections(pendingBound).broker(broker).build();
      server = SseServer.start(config);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      // Typically the port is in use: say so, without a stack trace.
      System.err.println("error: cannot start on " + host + ":" + port + ": " + e);
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // A watchdog: if shutdown itself is stuck (say, after running out of memory), still exit.
      Thread watchdog = new Thread(() -> {
        try {
          Thread.sleep(shutdownGrace.toMillis() + 5_000);
          ServerLog.error("graceful shutdown did not finish within " + Durations.format(shutdownGrace) + " + 5s; halting");
          Runtime.getRuntime().halt(1);
        } catch (InterruptedException finished) {
          // shutdown finished in time
        }
      }, "sse-shutdown-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      server.close();
      watchdog.interrupt();
      stopped.countDown();
    }, "sse-shutdown"));
    ServerLog.info("listening on http://" + host + ":" + server.port() + "/events (" + describe(config) + ")");
    stopped.await();
    return 0;
  }

  /** The settings the startup line reports. */
  static String describe(ServerConfig c) {
    return "history " + c.history() + " events / " + c.historyBytes() + " bytes, tick " + Durations.format(c.tick())
        + ", heartbeat " + Durations.format(c.heartbeat()) + ", retry " + Durations.format(c.retry())
        + ", max-connections " + c.maxConnections() + ", max-pending-connections " + c.maxPendingConnections()
        + " (open-file limit " + FdLimits.current().limit() + "), publish " + (c.publishToken() != null ? "token" : "anonymous")
        + (c.broker() != null ? ", broker " + RedisBroker.shown(c.broker()) : "");
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ssekit reference server " + (v == null ? "(development build)" : v)};
    }
  }
}
