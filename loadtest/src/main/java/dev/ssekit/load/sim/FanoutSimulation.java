package dev.ssekit.load.sim;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * How fast does an event reach every stream? Holds {@code connections} streams while the load
 * tester publishes {@code rate} numbered events per second through the publish contract (or, with
 * no publish URL, while the server publishes its own, like the reference server's ticks), and
 * measures receive time minus send time for every delivery, and loss, duplication and order per
 * stream.
 *
 * <p>Knobs are {@code ssekit.load.*} system properties (see {@link RunSettings}); state is per
 * instance rather than static because one JVM may run several simulations.
 */
public final class FanoutSimulation extends Simulation {
  private final LoadRun run = new LoadRun(RunSettings.fromSystemProperties("fanout"));

  private final ScenarioBuilder subscribers =
      scenario("fanout")
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
