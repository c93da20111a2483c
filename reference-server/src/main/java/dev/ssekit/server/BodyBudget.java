package dev.ssekit.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Request-body bytes buffered across all connections ({@code --max-body-buffer}). A request's
 * declared length is reserved when its head arrives, a chunked body's bytes as they arrive; past
 * the bound the request gets {@code 503} with {@code Retry-After} before its body is read, so no
 * number of clients sending bodies can take the memory other clients need. Shared, lock-free.
 */
final class BodyBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  BodyBudget(long limit) {
    this.limit = limit;
  }

  /** Reserves {@code n} bytes unless that would pass the bound. */
  boolean tryReserve(long n) {
    if (n <= 0) return true;
    while (true) {
      long now = used.get();
      if (now + n > limit) return false;
      if (used.compareAndSet(now, now + n)) return true;
    }
  }

  void release(long n) {
    if (n > 0) used.addAndGet(-n);
  }

  long used() {
    return used.get();
  }

  long limit() {
    return limit;
  }
}
