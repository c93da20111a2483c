package dev.ssekit.load.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ssekit.load.measure.Publisher;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSettingsTest {
  private static RunSettings settings(String scenario, int connections, List<Integer> steps) {
    return new RunSettings(scenario, URI.create("http://127.0.0.1:1/events"), null, Publisher.Format.RAW, null, null, connections,
        Duration.ofSeconds(2), Duration.ofSeconds(5), 10, steps, 100_000, 1L << 30, List.of("127.0.0.2", "127.0.0.3"), Path.of("r"),
        Duration.ofMillis(500), Duration.ofSeconds(2), "abc", true);
  }

  @Test
  void capacityStepsDefaultToTheOneTwoFiveLadderBelowTheCount() {
    assertThat(RunSettings.defaultSteps(18_000)).containsExactly(1000, 2000, 5000, 10_000, 18_000);
    assertThat(RunSettings.defaultSteps(300)).containsExactly(20, 50, 100, 200, 300);
    assertThat(RunSettings.defaultSteps(1000)).containsExactly(50, 100, 200, 500, 1000);
    assertThat(RunSettings.defaultSteps(1)).containsExactly(1);
    assertThat(RunSettings.parseSteps("10, 20,50")).containsExactly(10, 20, 50);
    assertThatThrownBy(() -> RunSettings.parseSteps("10,x")).hasMessageContaining("separated by commas");
  }

  @Test
  void aSteppedRunIsBoundedByEveryStepTakingItsWholeConnectBound() {
    RunSettings s = settings("capacity", 300, List.of(100, 200, 300));
    assertThat(s.bound()).isGreaterThan(Duration.ofSeconds(3 * (2 + 30 + 5))).isLessThan(Duration.ofMinutes(4));
    assertThat(SseChains.arrivals(s)).hasSize(5); // three ramps, a hold between each
    assertThat(SseChains.arrivals(settings("fanout", 300, List.of(300)))).hasSize(1);
  }

  @Test
  void stepsMustClimbToTheConnectionCount() {
    assertThatThrownBy(() -> settings("capacity", 300, List.of(100, 200))).hasMessageContaining("last step");
    assertThatThrownBy(() -> settings("capacity", 300, List.of(200, 100, 300))).hasMessageContaining("increasing");
    assertThatThrownBy(() -> settings("fanout", 300, List.of(100, 300))).hasMessageContaining("capacity scenario");
    assertThatThrownBy(() -> settings("storm", 300, List.of(300))).hasMessageContaining("not one of");
    assertThatThrownBy(() -> new RunSettings("hold", URI.create("http://127.0.0.1:1/events"), null, Publisher.Format.JSON, null, null,
        10, Duration.ofSeconds(2), Duration.ofHours(7), 10, List.of(10), 100_000, 1L << 30, List.of(), Path.of("r"),
        Duration.ofMillis(500), Duration.ofSeconds(2), "abc", true)).hasMessageContaining("at most 6h");
    assertThatThrownBy(() -> new RunSettings("hold", URI.create("http://[::1]:1/events"), null, Publisher.Format.JSON, null, null,
        10, Duration.ofSeconds(2), Duration.ofSeconds(5), 10, List.of(10), 100_000, 1L << 30, List.of("127.0.0.2"), Path.of("r"),
        Duration.ofMillis(500), Duration.ofSeconds(2), "abc", true)).hasMessageContaining("IPv6");
    assertThatThrownBy(() -> new RunSettings("fanout", URI.create("http://127.0.0.1:1/events"), null, Publisher.Format.JSON, null, null,
        18_000, Duration.ofSeconds(20), Duration.ofHours(1), 1000, List.of(18_000), 100_000, 1L << 30, List.of(), Path.of("r"),
        Duration.ofMillis(500), Duration.ofSeconds(2), "abc", true)).hasMessageContaining("deliveries to account for");
  }

  @Test
  void settingsSurviveTheTripThroughSystemProperties() {
    RunSettings s = settings("capacity", 300, List.of(100, 200, 300));
    s.toProperties().forEach(System::setProperty);
    try {
      RunSettings back = RunSettings.fromSystemProperties("capacity");
      assertThat(back.steps()).containsExactly(100, 200, 300);
      assertThat(back.targetConnections()).isEqualTo(100_000);
      assertThat(back.instanceMemoryBytes()).isEqualTo(1L << 30);
      assertThat(back.localAddresses()).containsExactly("127.0.0.2", "127.0.0.3");
      assertThat(back).isEqualTo(s);
    } finally {
      s.toProperties().keySet().forEach(System::clearProperty);
    }
  }

  private static RunSettings withCores(Integer cores) {
    return new RunSettings("capacity", List.of(URI.create("http://127.0.0.1:1/events")), null, Publisher.Format.RAW, null, List.of(42L), 300,
        Duration.ofSeconds(2), Duration.ofSeconds(5), 10, List.of(100, 200, 300), 100_000, 1L << 30, Duration.ofMillis(250),
        null, cores, List.of(), Path.of("r"), Duration.ofMillis(500), Duration.ofSeconds(2), "abc", InjectorRole.ALONE, true);
  }

  @Test
  void theInstanceCoresSurviveTheTripAndAreBounded() {
    RunSettings s = withCores(3);
    s.toProperties().forEach(System::setProperty);
    try {
      assertThat(RunSettings.fromSystemProperties("capacity").instanceCores()).isEqualTo(3);
    } finally {
      s.toProperties().keySet().forEach(System::clearProperty);
    }
    assertThatThrownBy(() -> withCores(0)).hasMessage("--instance-cores must be between 1 and 4096");
  }

  private static RunSettings overPids(List<URI> urls, List<Long> pids) {
    return new RunSettings("fanout", urls, null, Publisher.Format.JSON, null, pids, 10, Duration.ofSeconds(2),
        Duration.ofSeconds(5), 10, List.of(10), 100_000, 1L << 30, RunSettings.DEFAULT_SLO_P99, null, null, List.of(),
        Path.of("r"), Duration.ofMillis(500), Duration.ofSeconds(2), "abc", InjectorRole.ALONE, true);
  }

  private static RunSettings over(List<URI> urls, int connections, Long serverPid) {
    return new RunSettings("fanout", urls, null, Publisher.Format.JSON, null, serverPid == null ? List.of() : List.of(serverPid), connections, Duration.ofSeconds(2),
        Duration.ofSeconds(5), 10, List.of(connections), 100_000, 1L << 30, RunSettings.DEFAULT_SLO_P99, null, null, List.of(),
        Path.of("r"), Duration.ofMillis(500), Duration.ofSeconds(2), "abc", InjectorRole.ALONE, true);
  }

  @Test
  void severalInstancesGetTheVirtualUsersInTurnAndSurviveTheTrip() {
    List<URI> urls = RunSettings.parseUrls("http://127.0.0.1:8081/events, http://localhost:8082/events");
    RunSettings s = over(urls, 5, null);
    assertThat(s.url()).isEqualTo(urls.get(0));
    assertThat(java.util.stream.IntStream.range(0, 5).mapToObj(s::url)).containsExactly(
        urls.get(0), urls.get(1), urls.get(0), urls.get(1), urls.get(0));
    assertThat(s.toProperties()).containsEntry("ssekit.load.url", "")
        .containsEntry("ssekit.load.urls", "http://127.0.0.1:8081/events,http://localhost:8082/events");
    s.toProperties().forEach(System::setProperty);
    try {
      assertThat(RunSettings.fromSystemProperties("fanout")).isEqualTo(s);
      System.setProperty("ssekit.load.url", "http://127.0.0.1:8081/events");
      assertThatThrownBy(() -> RunSettings.fromSystemProperties("fanout")).hasMessage("give ssekit.load.url or ssekit.load.urls, not both");
    } finally {
      s.toProperties().keySet().forEach(System::clearProperty);
    }
    assertThat(settings("hold", 10, List.of(10)).toProperties()).containsEntry("ssekit.load.url", "http://127.0.0.1:1/events")
        .containsEntry("ssekit.load.urls", "");
  }

  @Test
  void severalInstancesAreCheckedEachAndNotMeasuredAsOne() {
    assertThatThrownBy(() -> RunSettings.parseUrls("http://127.0.0.1:1/e,http://10.0.0.1/e"))
        .hasMessageStartingWith("--urls: 'http://10.0.0.1/e' is not a loopback address");
    assertThatThrownBy(() -> RunSettings.parseUrls("http://127.0.0.1:1/e,")).hasMessageContaining("separated by commas");
    List<URI> two = List.of(URI.create("http://127.0.0.1:1/e"), URI.create("http://127.0.0.1:2/e"));
    assertThatThrownBy(() -> over(List.of(two.get(0), two.get(0)), 10, null)).hasMessageContaining("names http://127.0.0.1:1/e twice");
    assertThatThrownBy(() -> over(two, 10, 42L))
        .hasMessage("--server-pid describes one server process, and --urls spreads the connections over 2 instances, so it"
            + " cannot be attributed to one: give one --server-pid per instance (--server-pid PID,PID in --urls order), or"
            + " measure an instance alone with --url");
    assertThat(overPids(two, List.of(42L, 43L)).serverPids()).as("one per instance").containsExactly(42L, 43L);
    assertThatThrownBy(() -> overPids(two, List.of(42L, 43L, 44L)))
        .hasMessage("--server-pid names 3 processes for 2 stream URLs: give one per --urls instance, in the same order");
    assertThatThrownBy(() -> overPids(List.of(two.get(0)), List.of(42L, 43L))).hasMessageContaining("2 processes for 1 stream URL:");
    assertThatThrownBy(() -> overPids(two, List.of(42L, 42L))).hasMessageContaining("names 42 twice");
    assertThatThrownBy(() -> over(two, 1, null)).hasMessageContaining("fewer than the 2 --urls");
    assertThat(over(List.of(two.get(0)), 1, 42L).serverPid()).as("one instance is measured as before").isEqualTo(42L);
  }

  @Test
  void mavenStepsWithoutAConnectionCountEndAtTheirLastStepAsOnTheCommandLine() {
    // The load guide's (docs/load.md) mvn gatling:test line gives -Dssekit.load.steps=500,1000,2000 and no connections.
    System.setProperty("ssekit.load.steps", "500,1000,2000");
    try {
      RunSettings s = RunSettings.fromSystemProperties("capacity");
      assertThat(s.connections()).isEqualTo(2000);
      assertThat(s.steps()).containsExactly(500, 1000, 2000);
      System.setProperty("ssekit.load.connections", "1500");
      assertThatThrownBy(() -> RunSettings.fromSystemProperties("capacity")).hasMessageContaining("the last step must be");
    } finally {
      System.clearProperty("ssekit.load.steps");
      System.clearProperty("ssekit.load.connections");
    }
  }
}
