package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Run-scoped values (the target, the recorder, the shared recording): made once per run whatever
 * the number of tests, closed once when the run ends — on this Jupiter (6.x), which closes the
 * holder both as an AutoCloseable and as a CloseableResource would, and a creation that throws is
 * tried again.
 */
class RunScopedTest {

  static final AtomicInteger made = new AtomicInteger();
  static final AtomicInteger closed = new AtomicInteger();
  static final AtomicInteger attempts = new AtomicInteger();

  static final class Resource implements AutoCloseable {
    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  static final class Flaky {}

  static final class Uses implements BeforeEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
      RunScoped.get(context, Resource.class, () -> {
        made.incrementAndGet();
        return new Resource();
      });
    }
  }

  @ExtendWith(Uses.class)
  static class Sample {
    @Test
    void one() {
      assertThat(closed).hasValue(0);
    }

    @Test
    void two() {
      assertThat(closed).hasValue(0);
    }
  }

  @Test
  void madeOnceAndClosedOnceWhenTheRunEnds() {
    made.set(0);
    closed.set(0);
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(Sample.class)).execute()
        .testEvents().assertStatistics(s -> s.succeeded(2));
    assertThat(made).hasValue(1);
    assertThat(closed).hasValue(1);
  }

  static final class FailsFirst implements BeforeEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
      RunScoped.get(context, Flaky.class, () -> {
        if (attempts.incrementAndGet() == 1) throw new IllegalArgumentException("no target");
        return new Flaky();
      });
    }
  }

  @ExtendWith(FailsFirst.class)
  static class Retries {
    @Test
    void one() {}

    @Test
    void two() {}
  }

  @Test
  void aFailedCreationIsNotKept() {
    attempts.set(0);
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(Retries.class)).execute()
        .testEvents().assertStatistics(s -> s.failed(1).succeeded(1));
    assertThat(attempts).hasValue(2);
  }
}
