package dev.ssekit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A standalone benchmark client (not a test): holds many idle SSE connections to one loopback
 * server from a few event-loop threads, optionally publishes one event and counts how many of the
 * held streams receive it, then closes everything and prints one JSON line with the figures.
 *
 * <pre>
 * java -cp sse-reference-server.jar:bench-classes dev.ssekit.bench.HoldConnections \
 *     --url http://127.0.0.1:8080/events?topic=bench --connections 18000 \
 *     --publish-url http://127.0.0.1:8080/publish?topic=bench [--rss-pid server=PID] ...
 * </pre>
 *
 * <p>Everything is bounded: the connection count (at most {@value HoldOptions#MAX_CONNECTIONS},
 * which fits under a 20,000 open-file limit), the ramp rate and the connects in flight, every
 * connect, the wait for response heads and for the event, the hold, and the whole run
 * ({@code --deadline}). Only 127.0.0.0/8 targets are accepted.
 *
 * <p>This class is the driver: ramp in steps (sampling RSS at each), publish and measure the
 * fan-out, hold, close, report. Its helpers beside it: {@link HoldOptions} (command line),
 * {@link HeldStreams} (event loops and connects), {@link HeldStreamHandler} (one stream: a few
 * ints of parse and match state; received bytes are scanned and released at once, never
 * buffered), {@link HoldState} (what the handlers count), {@link ProcStatus} (RSS from /proc) and
 * {@link HoldReport} (the JSON line).
 */
public final class HoldConnections {

  private final HoldOptions options;
  private final HoldState run;
  private final Deadline deadline;
  private final HoldReport report;

  HoldConnections(HoldOptions options, long startNanos) {
    this.options = options;
    this.run = new HoldState(options.connections);
    this.deadline = new Deadline(startNanos, options.deadline);
    this.report = new HoldReport(options, run, startNanos);
  }

  public static void main(String[] args) throws Exception {
    long startNanos = System.nanoTime();
    HoldOptions options;
    try {
      options = HoldOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(HoldOptions.USAGE);
      System.exit(2);
      return;
    }
    int status = new HoldConnections(options, startNanos).run();
    System.exit(status);
  }

  /** The whole run; returns the exit status (0 when every stream opened and got the event). */
  int run() throws Exception {
    try (HeldStreams streams = new HeldStreams(options, run, deadline)) {
      ramp(streams, System.nanoTime());
      if (options.publishUrl != null && deadline.passed()) {
        run.notes.add("deadline reached before publishing");
      } else if (options.publishUrl != null) {
        fanOut();
      }
      hold();
    }
    String out = report.json(true);
    System.out.println(out);
    if (options.outFile != null) Files.writeString(options.outFile, out + "\n");
    boolean ok = run.opened.get() == options.connections && (options.publishUrl == null || report.allDelivered);
    return ok ? 0 : 1;
  }

  /** Opens the streams in {@code --steps} steps, pausing at each to let heads arrive and RSS settle. */
  private void ramp(HeldStreams streams, long rampStart) throws InterruptedException {
    for (int step = 1; step <= options.steps; step++) {
      int stepTarget = (int) ((long) options.connections * step / options.steps);
      streams.rampTo(stepTarget, rampStart);
      streams.awaitHeads(stepTarget);
      if (step == options.steps) report.rampNanos = System.nanoTime() - rampStart;
      deadline.sleep(options.settle);
      String rss = ProcStatus.sample(options.rssPids);
      report.steps.add("{\"connections\":" + run.openNow.get() + ",\"elapsedMs\":"
          + HoldReport.ms(System.nanoTime() - rampStart) + ",\"rss\":" + rss + "}");
      if (step == options.steps) report.rssHeld = rss;
    }
  }

  /** Publishes one event carrying a fresh marker and waits for every open stream to see it. */
  private void fanOut() throws InterruptedException {
    String m = "fanout-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    report.openAtPublish = run.openNow.get();
    run.marker = m.getBytes(StandardCharsets.US_ASCII);
    run.publishNanos = System.nanoTime();
    try {
      report.publishStatus = publish(options.publishBody.replace("{marker}", m));
    } catch (IOException e) {
      report.publishError = String.valueOf(e);
    }
    if (report.publishStatus >= 200 && report.publishStatus < 300) awaitDelivery();
    deadline.sleep(options.settle);
    report.rssAfterFanout = ProcStatus.sample(options.rssPids);
  }

  private void awaitDelivery() throws InterruptedException {
    int openAtPublish = report.openAtPublish;
    long until = deadline.until(options.deliveryTimeout);
    while (System.nanoTime() < until) {
      // Every stream that is still open must have the event; closed streams count as lost below.
      if (run.delivered.get() >= openAtPublish) break;
      Thread.sleep(2);
    }
    report.allDelivered = run.delivered.get() >= openAtPublish && run.closedAfterPublish() == 0;
    if (run.delivered.get() > 0) report.deliveryNanos = run.lastDeliveryNanos.get() - run.publishNanos;
  }

  /** Holds every stream open, so a caller can measure the server, until released or {@code --hold-max}. */
  private void hold() throws IOException, InterruptedException {
    if (options.readyFile != null) Files.writeString(options.readyFile, report.json(false) + "\n");
    long holdUntil = deadline.until(options.holdMax);
    while (System.nanoTime() < holdUntil) {
      if (options.releaseFile != null && Files.exists(options.releaseFile)) break;
      Thread.sleep(50);
    }
  }

  /** POSTs the event with a plain socket (one request, Connection: close); returns the status. */
  private long publish(String body) throws IOException {
    InetSocketAddress addr = HoldOptions.loopbackTarget(options.publishUrl, "--publish-url");
    String path = HoldOptions.requestTarget(options.publishUrl);
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket()) {
      s.connect(addr, (int) options.connectTimeout.toMillis());
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.deliveryTimeout.toMillis()));
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: " + options.publishUrl.getHost() + ":" + addr.getPort() + "\r\n"
          + "Content-Type: " + options.publishContentType + "\r\nContent-Length: " + bodyBytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bodyBytes);
      out.flush();
      return readStatus(s.getInputStream());
    }
  }

  /** The status code of a response, from its first 12 bytes ({@code HTTP/1.1 NNN}). */
  private static long readStatus(InputStream in) throws IOException {
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
