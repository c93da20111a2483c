package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.testkit.ReferenceServerProcess;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * The suite's proof, against the real reference server: its own stream passes; every fault
 * scenario fails the check that names the fault; every correct scenario fails nothing but the
 * hygiene checks for the very edge case it demonstrates (the rules listed with it).
 */
class ConformanceProofTest {

  private static ReferenceServerProcess server;

  /** Fault scenario → the check that must fail on it. */
  static final Map<String, String> FAULTS = Map.ofEntries(
      Map.entry("wrong-content-type", "http.content-type"),
      Map.entry("missing-content-type", "http.content-type"),
      Map.entry("bogus-content-type", "http.content-type"),
      Map.entry("html-200", "http.content-type"),
      Map.entry("status-204", "http.status-200"),
      Map.entry("status-500", "http.status-200"),
      Map.entry("status-503-retry-after", "http.status-200"),
      Map.entry("redirect-missing-location", "http.status-200"),
      Map.entry("content-length-stream", "http.no-content-length"),
      Map.entry("buffered-output", "framing.events-flushed"),
      Map.entry("raw-newline-in-data", "data.line-breaks-encoded"),
      Map.entry("dropped-mid-event", "framing.events-terminated"),
      Map.entry("never-answering", "lifecycle.bounded-reading"),
      Map.entry("endless-line", "framing.line-length"));

  @BeforeAll
  static void start() throws Exception {
    server = ReferenceServerProcess.start("--tick", "500ms");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Runs the check classes against {@code url}; returns the results. */
  static EngineExecutionResults run(String url, String publishUrl, Target.Profile profile, boolean strict,
      Class<?>... classes) {
    return run(url, publishUrl, profile, strict, null, classes);
  }

  static EngineExecutionResults run(String url, String publishUrl, Target.Profile profile, boolean strict,
      String window, Class<?>... classes) {
    EngineTestKit.Builder b = EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Target.URL, url)
        .configurationParameter(Target.PROFILE, profile.name().toLowerCase())
        .configurationParameter(Target.STRICT, Boolean.toString(strict));
    if (publishUrl != null) b.configurationParameter(Target.PUBLISH_URL, publishUrl);
    if (window != null) b.configurationParameter(Target.WINDOW, window);
    if (classes.length == 0) {
      b.selectors(selectPackage("dev.ssekit.conformance.checks")).filters(includeClassNamePatterns(".*Checks"));
    } else {
      for (Class<?> c : classes) b.selectors(selectClass(c));
    }
    return b.execute();
  }

  /** The check id of a finished test event. */
  static String checkId(Event e) {
    MethodSource source = (MethodSource) e.getTestDescriptor().getSource().orElseThrow();
    Method m = source.getJavaMethod();
    return m.getAnnotation(SseCheck.class).id();
  }

  static List<String> failed(EngineExecutionResults results) {
    List<String> out = new ArrayList<>();
    results.testEvents().failed().stream().forEach(e -> out.add(checkId(e) + ": "
        + e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(Throwable::getMessage)
            .orElse("?")));
    return out;
  }

  @Test
  void theReferenceServerPassesTheStandardProfile() {
    EngineExecutionResults r = run(server.url("/events"), server.url("/publish"), Target.Profile.STANDARD, false);
    assertThat(failed(r)).as("failed checks").isEmpty();
    assertThat(r.containerEvents().failed().count()).as("failed containers").isZero();
    assertThat(r.testEvents().succeeded().count()).as("checks that ran and passed").isGreaterThanOrEqualTo(20);
  }

  @TestFactory
  Stream<DynamicTest> everyFaultScenarioFailsTheCheckThatNamesIt() {
    return FAULTS.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(fault -> DynamicTest.dynamicTest(
        fault.getKey() + " fails " + fault.getValue(), () -> {
          // Strict: a SHOULD violation fails too. The buffered scenario holds its events for 3 s.
          String window = fault.getKey().equals("buffered-output") ? "5s" : null;
          EngineExecutionResults r = run(server.url("/scenarios/" + fault.getKey()), null, Target.Profile.QUICK,
              true, window, HttpChecks.class, FramingChecks.class, FieldChecks.class, LifecycleChecks.class);
          assertThat(failed(r)).as("failed checks on " + fault.getKey())
              .anySatisfy(line -> assertThat(line).startsWith(fault.getValue() + ":"));
        }));
  }

  @TestFactory
  Stream<DynamicTest> correctScenariosFailNoCheckOutsideTheirOwnEdgeCase() throws Exception {
    HttpResponse<String> list = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.url("/scenarios"))).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode scenarios = new ObjectMapper().readTree(list.body());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode s : scenarios) {
      if (!s.get("kind").asText().equals("CORRECT")) continue;
      String name = s.get("name").asText();
      Set<String> rules = new HashSet<>();
      s.get("rules").forEach(rule -> rules.add(rule.asText()));
      tests.add(DynamicTest.dynamicTest(name, () -> {
        EngineExecutionResults r = run(server.url("/scenarios/" + name), null, Target.Profile.QUICK, false,
            HttpChecks.class, FramingChecks.class, FieldChecks.class);
        List<String> unexpected = new ArrayList<>();
        r.testEvents().failed().stream().forEach(e -> {
          MethodSource source = (MethodSource) e.getTestDescriptor().getSource().orElseThrow();
          SseCheck check = source.getJavaMethod().getAnnotation(SseCheck.class);
          if (!rules.contains(check.rule())) unexpected.add(check.id() + " (" + check.rule() + ")");
        });
        assertThat(unexpected).as("checks failed on correct scenario " + name + " (its rules: " + rules + ")").isEmpty();
        assertThat(r.testEvents().count()).isPositive();
      }));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(30);
    return tests.stream();
  }

  @Test
  void nothingRunsWithoutATargetAndTheReasonIsGiven() {
    EngineExecutionResults r = EngineTestKit.engine("junit-jupiter").selectors(selectClass(HttpChecks.class)).execute();
    assertThat(r.testEvents().failed().count()).isZero();
    assertThat(r.testEvents().skipped().count()).isPositive();
    r.testEvents().stream().filter(e -> e.getType() == EventType.SKIPPED)
        .forEach(e -> assertThat(e.getPayload(String.class).orElse("")).contains(Target.URL));
  }
}
