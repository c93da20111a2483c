package dev.ssekit.load.sim;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.function.Function;

/**
 * The shape every scenario shares: ramp to {@code connections} streams, hold them while counting
 * every event, close. What differs (who publishes, what is timed) lives in {@link LoadRun}, chosen
 * by the scenario name. Knobs are {@code ssekit.load.*} system properties (see {@link RunSettings});
 * state is per instance rather than static because one JVM may run several simulations.
 */
abstract class SubscriberSimulation extends Simulation {
  private final LoadRun run;

  SubscriberSimulation(String scenarioName) {
    this(scenarioName, SseChains::holdAndCount);
  }

  /** @param hold what each virtual user does between its connect and its close */
  SubscriberSimulation(String scenarioName, Function<LoadRun, ChainBuilder> hold) {
    this.run = new LoadRun(RunSettings.fromSystemProperties(scenarioName));
    ScenarioBuilder subscribers = scenario(scenarioName)
        .exec(ResponseGuard.installer(run.limits(), run.failures()))
        .exec(SseChains.connect(run))
        .exec(hold.apply(run))
        .exec(SseChains.close(run));
    setUp(subscribers.injectOpen(SseChains.arrivals(run.settings())))
        .protocols(SseChains.protocol(run.settings()))
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
