package dev.ssekit.conformance.checks;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Values made once per run and closed with it, kept in the root context's store in a way that
 * links against every supported Jupiter, 5.10 to 6.x.
 *
 * <p>Why not the store's own compute-if-absent: Jupiter 6 added {@code computeIfAbsent} and
 * deprecated {@code getOrComputeIfAbsent}, which 5.x has alone; a jar calling the first fails on
 * 5.x with {@code NoSuchMethodError}, one calling the second may fail on a later 6.x. Only
 * {@code get(Object, Class)} and {@code put} are stable in both, so the one-time creation is ours.
 *
 * <p>Why the holder: Jupiter before 5.13 closes only {@link ExtensionContext.Store.CloseableResource}
 * values when a store closes; 5.13 and later also close {@link AutoCloseable} ones (and deprecate
 * the former). The holder is both, and closes its value once whichever way it is asked.
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated since 5.13, the only kind 5.10–5.12 close
final class RunScoped<V> implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RunScoped.class);
  /** Guards the put of a holder only (fast); each holder guards its own creation. */
  private static final Object PUT = new Object();

  private final Supplier<V> create;
  private V value;
  private boolean closed;

  private RunScoped(Supplier<V> create) {
    this.create = create;
  }

  /**
   * The run's value under {@code key}, made by {@code create} on first use (by one thread; others
   * wait for it). A creation that throws stores nothing: the next caller tries again.
   */
  static <V> V get(ExtensionContext context, Class<V> key, Supplier<V> create) {
    ExtensionContext.Store store = context.getRoot().getStore(NS);
    RunScoped<?> holder;
    synchronized (PUT) {
      holder = store.get(key, RunScoped.class);
      if (holder == null) {
        holder = new RunScoped<>(create);
        store.put(key, holder);
      }
    }
    return key.cast(holder.value());
  }

  private synchronized V value() {
    if (closed) throw new IllegalStateException("the run is over");
    if (value == null) value = create.get();
    return value;
  }

  @Override
  public synchronized void close() throws Exception {
    if (closed) return;
    closed = true;
    if (value instanceof AutoCloseable c) c.close();
  }
}
