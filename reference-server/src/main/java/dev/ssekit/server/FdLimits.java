package dev.ssekit.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's open-file limit and the default {@code --max-connections} derived from it. Every
 * stream is a file descriptor; so are the jar, the event loops' epoll and event descriptors,
 * publishers' and scrapers' HTTP connections, and the files the JVM opens on demand. A default
 * equal to the limit would let streams take the last descriptor, after which nothing (accepting,
 * logging, class loading) can open one; so a tenth of the limit, at least {@link #MIN_RESERVE},
 * is kept for the rest; half of that is the default bound on connections that are not streams yet
 * ({@code --max-pending-connections}).
 *
 * @param limit the open-file limit the JVM runs with (it raises the soft limit to the hard one on
 *     Linux), or -1 when it cannot be read
 */
record FdLimits(long limit) {

  /** Descriptors kept for everything but streams, at the least. */
  static final int MIN_RESERVE = 64;

  private static final FdLimits CURRENT = read();

  /** The limit, read once at startup. */
  static FdLimits current() {
    return CURRENT;
  }

  private static FdLimits read() {
    try {
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        return new FdLimits(unix.getMaxFileDescriptorCount());
      }
    } catch (RuntimeException | LinkageError e) {
      // not a Unix JVM, or the management module is missing
    }
    return new FdLimits(-1);
  }

  /** Descriptors open in this process now, or -1 (also when counting them needs a descriptor there is not). */
  static long open() {
    try {
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    } catch (Throwable t) {
      return -1;
    }
  }

  long reserve() {
    return Math.max(MIN_RESERVE, limit / 10);
  }

  int defaultMaxConnections() {
    if (limit <= 0) return ServerConfig.FALLBACK_MAX_CONNECTIONS;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit - reserve()));
  }

  /**
   * The default --max-pending-connections: half of the descriptors the default --max-connections
   * keeps back, so streams and pending connections together leave the other half for the rest.
   */
  int defaultMaxPendingConnections() {
    if (limit <= 0) return ServerConfig.FALLBACK_MAX_PENDING_CONNECTIONS;
    return (int) Math.max(MIN_RESERVE / 2, Math.min(Integer.MAX_VALUE, reserve() / 2));
  }

  String describePending() {
    if (limit <= 0) return "open-file limit unknown; fixed default";
    return "half of the " + reserve() + " descriptors kept back from streams";
  }

  String describe() {
    if (limit <= 0) return "open-file limit unknown; fixed default";
    return "the open-file limit " + limit + " less " + reserve() + " kept for history, logs and publishers";
  }
}
