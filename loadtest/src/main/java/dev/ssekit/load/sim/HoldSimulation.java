package dev.ssekit.load.sim;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * How many streams does the server hold, and what do they receive? Ramps to {@code connections}
 * streams, holds them, and counts every event that arrives; events carrying {@code seq} and
 * {@code sentAtMicros} (the reference server's ticks) are also checked for loss, duplication and
 * order, and timed.
 *
 * <p>Knobs are {@code ssekit.load.*} system properties (see {@link RunSettings}); state is per
 * instance rather than static because one JVM may run several simulations.
 */
public final class HoldSimulation extends Simulation {
  private final LoadRun run = new LoadRun(RunSettings.fromSystemProperties("hold"));

  private final ScenarioBuilder subscribers =
      scenario("hold")
          .exec(SseChains.connect(run))
          .exec(SseChains.holdAndCount(run))
          .exec(SseChains.close(run));

  {
    setUp(subscribers.injectOpen(SseChains.arrivals(run.settings())))
        .protocols(SseChains.protocol())
        .maxDuration(run.settings().bound());
  }

  @Override
  public void before() {
    run.start();
  }

  @Override
  public void after() {
    run.finish();
  }
}
