package dev.ssekit.testkit;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * What a test opened (servers, Redis, connections), closed after it, the last opened first, so a
 * client goes before the server it talks to. Every close is attempted; the first failure is thrown
 * once all were tried, the others suppressed in it. As a field with JUnit's {@code @AutoClose}.
 */
public final class Closer implements AutoCloseable {

  private final Deque<AutoCloseable> open = new ConcurrentLinkedDeque<>();

  /** Closes {@code resource} with the others; returns it. */
  public <T extends AutoCloseable> T keep(T resource) {
    open.push(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (AutoCloseable c = open.poll(); c != null; c = open.poll()) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }
}
