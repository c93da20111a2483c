package dev.ssekit.server;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes {@code java.util.logging} (where Netty logs when no other framework is present) to
 * {@link ServerLog}: one rate-limited line per logger and level, written without opening any file.
 * The JDK's console handler formats dates with the time-zone database, which it loads from a file
 * on first use; with no descriptor left that fails with an {@link Error} on whatever thread logs,
 * and Netty's accept loop was one of them. A failure here is dropped, never thrown.
 */
final class SafeJulHandler extends Handler {

  private SafeJulHandler() {}

  /** Replaces the root logger's handlers; for the command-line server (process-wide). */
  static void install() {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) root.removeHandler(h);
    root.addHandler(new SafeJulHandler());
  }

  @Override
  public void publish(LogRecord record) {
    try {
      if (record == null || record.getLevel().intValue() < Level.INFO.intValue()) return;
      String message = record.getMessage();
      Object[] params = record.getParameters();
      if (params != null && params.length > 0 && message != null && message.contains("{")) {
        message = java.text.MessageFormat.format(message, params);
      }
      Throwable thrown = record.getThrown();
      ServerLog.anomaly("jul-" + record.getLoggerName() + "-" + record.getLevel(),
          record.getLoggerName() + ": " + message + (thrown != null ? " (" + thrown + ")" : ""));
    } catch (Throwable ignored) {
      // logging must never fail the caller
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
