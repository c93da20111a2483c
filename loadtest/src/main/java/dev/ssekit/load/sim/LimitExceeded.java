package dev.ssekit.load.sim;

import java.io.IOException;

/**
 * A connection failed a bound ({@link GuardedListener}'s head timeout, {@link LineGuard}'s line
 * and event sizes); an {@link IOException} so that Gatling treats it as a connection error. Its
 * kind is a {@link dev.ssekit.load.report.CapacityReport.Failure} kind.
 */
final class LimitExceeded extends IOException {
  final String kind;

  LimitExceeded(String kind, String message) {
    super(message);
    this.kind = kind;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
