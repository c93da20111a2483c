package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.checks.FaultyServer.Fault;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.conformance.record.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks run side by side; the ones that publish beside others (the passive stream, the resume
 * check, nudges) publish one at a time through {@link Recorder#publishAlone}, so no server sees two
 * of their publishes in flight at once. Proven on the server that loses the later of two
 * overlapping publishes: through {@code publishAlone} it loses none; through {@code publish} from
 * the same threads it does (the test can see overlap).
 */
class PublishAloneTest {

  private static int dropped(boolean alone) throws Exception {
    try (FaultyServer s = FaultyServer.builder().fault(Fault.DROP_UNDER_CONCURRENCY).build();
        Recorder recorder = new Recorder(Target.fromConfiguration(k -> Optional.ofNullable(
            Map.of(Target.URL, s.url(), Target.PUBLISH_URL, s.publishUrl()).get(k))))) {
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          int thread = t;
          all.add(pool.submit(() -> {
            for (int i = 0; i < 8; i++) {
              String json = "{\"data\":\"t" + thread + "-" + i + "\"}";
              assertThat((alone ? recorder.publishAlone(json) : recorder.publish(json)).status()).isEqualTo(202);
            }
            return null;
          }));
        }
        for (Future<?> f : all) f.get();
      } finally {
        pool.shutdownNow();
      }
      return (int) s.publishesDropped();
    }
  }

  @Test
  @Timeout(60)
  void publishesOfChecksSideBySideNeverOverlap() throws Exception {
    assertThat(dropped(true)).as("publishAlone lets no two publishes overlap").isZero();
    assertThat(dropped(false)).as("plain publish from the same threads does overlap").isPositive();
  }
}
