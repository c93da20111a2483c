package dev.ssekit.server;

import static dev.ssekit.server.ServerTestSupport.WAIT;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client that is still sending its request when the server answers it early (a slow head or
 * body cut by a deadline, a request evicted to make room): on its own thread it writes a small
 * chunk every few milliseconds, and goes on for {@link #AFTER_ANSWER} more chunks once the answer
 * has been read, as a client does whose bytes were in flight. A server that closes with those
 * bytes unread resets the connection: the read of the answer or a later write fails. Bounded: it
 * stops after {@link ServerTestSupport#WAIT} whatever happens.
 *
 * <p>The server drains only while the client keeps sending: it closes once the client has been
 * quiet for {@link RequestDeadline#EVICT_QUIET_MILLIS}, and at most {@link
 * RequestDeadline#EVICT_LINGER_MILLIS} after its answer. On a loaded machine this thread can
 * stall past either bound; a failed write is then the server keeping its bounds, not a reset of
 * a client that was still sending, and {@link #assertBytesInFlightTakenIn} says so instead of
 * failing. It fails when neither bound can have been reached (the old close right after the answer).
 */
final class SteadySender implements AutoCloseable {

  /** Chunks written after the answer was read. */
  static final int AFTER_ANSWER = 3;

  private final Socket socket;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final AtomicInteger writesAfterAnswer = new AtomicInteger();
  private final AtomicReference<Throwable> writeFailure = new AtomicReference<>();
  private final Thread thread;
  private volatile long notBeforeNanos = Long.MAX_VALUE;
  private volatile long longestGapNanos;
  private volatile long failedAtNanos;

  /** Starts writing {@code chunk} on {@code socket}, whose request head (or part of it) was sent. */
  SteadySender(Socket socket, byte[] chunk) {
    this.socket = socket;
    this.thread = new Thread(() -> run(chunk), "steady-sender");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(byte[] chunk) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long last = System.nanoTime();
    try {
      OutputStream out = socket.getOutputStream();
      while (writesAfterAnswer.get() < AFTER_ANSWER && System.nanoTime() < deadline) {
        boolean after = answered.get();
        longestGapNanos = Math.max(longestGapNanos, System.nanoTime() - last);
        out.write(chunk);
        out.flush();
        last = System.nanoTime();
        if (after) writesAfterAnswer.incrementAndGet();
        Thread.sleep(5);
      }
    } catch (IOException | InterruptedException e) {
      failedAtNanos = System.nanoTime();
      writeFailure.set(e);
    }
  }

  /**
   * Reads everything the server sends until it ends its side (within {@link ServerTestSupport#WAIT});
   * fails on a reset or a timeout. Then lets the sender write its last chunks and waits for it.
   */
  String readAnswerToEnd() throws IOException, InterruptedException {
    socket.setSoTimeout((int) WAIT.toMillis());
    StringBuilder got = new StringBuilder();
    byte[] buf = new byte[4096];
    InputStream in = socket.getInputStream();
    try {
      int n;
      while ((n = in.read(buf)) >= 0) got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      throw new AssertionError("the connection failed after " + got.length() + " bytes (" + got + "): " + e, e);
    }
    answered.set(true);
    thread.join(WAIT.toMillis());
    return got.toString();
  }

  /** The server cannot answer before now + {@code delay} (what the test does next triggers the answer, or a deadline will). */
  void answerNotBefore(java.time.Duration delay) {
    notBeforeNanos = System.nanoTime() + delay.toNanos();
  }

  /**
   * Every chunk went out, {@link #AFTER_ANSWER} of them after the answer was read; or a write
   * failed only once this sender had been quiet for {@link RequestDeadline#EVICT_QUIET_MILLIS}
   * or {@link RequestDeadline#EVICT_LINGER_MILLIS} had passed since the earliest the answer could
   * have been written (then the server closing was its bound, not a reset of a sending client).
   */
  void assertBytesInFlightTakenIn() {
    Throwable failure = writeFailure.get();
    if (failure == null) {
      org.assertj.core.api.Assertions.assertThat(writesAfterAnswer.get()).as("writes after the answer").isEqualTo(AFTER_ANSWER);
      return;
    }
    long gapMillis = longestGapNanos / 1_000_000;
    long sinceEarliestAnswerMillis = (failedAtNanos - notBeforeNanos) / 1_000_000;
    boolean quiet = gapMillis >= RequestDeadline.EVICT_QUIET_MILLIS;
    boolean lingered = notBeforeNanos != Long.MAX_VALUE && sinceEarliestAnswerMillis >= RequestDeadline.EVICT_LINGER_MILLIS;
    if (!quiet && !lingered) {
      throw new AssertionError("a write of the request failed while the client was still sending (longest pause "
          + gapMillis + " ms, " + sinceEarliestAnswerMillis + " ms after the earliest the answer could come): " + failure, failure);
    }
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    socket.close();
  }
}
