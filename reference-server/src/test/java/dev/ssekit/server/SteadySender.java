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
 */
final class SteadySender implements AutoCloseable {

  /** Chunks written after the answer was read. */
  static final int AFTER_ANSWER = 3;

  private final Socket socket;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final AtomicInteger writesAfterAnswer = new AtomicInteger();
  private final AtomicReference<Throwable> writeFailure = new AtomicReference<>();
  private final Thread thread;

  /** Starts writing {@code chunk} on {@code socket}, whose request head (or part of it) was sent. */
  SteadySender(Socket socket, byte[] chunk) {
    this.socket = socket;
    this.thread = new Thread(() -> run(chunk), "steady-sender");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(byte[] chunk) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      OutputStream out = socket.getOutputStream();
      while (writesAfterAnswer.get() < AFTER_ANSWER && System.nanoTime() < deadline) {
        boolean after = answered.get();
        out.write(chunk);
        out.flush();
        if (after) writesAfterAnswer.incrementAndGet();
        Thread.sleep(5);
      }
    } catch (IOException | InterruptedException e) {
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

  /** What failed a write, if one did (null: every write went out). */
  Throwable writeFailure() {
    return writeFailure.get();
  }

  int writesAfterAnswer() {
    return writesAfterAnswer.get();
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    socket.close();
  }
}
