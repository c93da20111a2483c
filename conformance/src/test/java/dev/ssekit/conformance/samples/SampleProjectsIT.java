package dev.ssekit.conformance.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.ssekit.testkit.ReferenceServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The README's setups, as users have them: the sample projects in {@code samples/} — one on
 * JUnit 5 running the checks in a Surefire execution of their own, one on JUnit 6 running them
 * through a {@code @Suite} — each built with Maven ({@code mvn test}) against this module's freshly
 * built jar and the real reference server on loopback, beside the project's own {@code PlainTest}.
 *
 * <p>The jar and its parent POM are installed by the build into {@code target/it-repo}, which is
 * the samples' local repository; everything else they need is copied from the user's own local
 * repository (a {@code file:} repository in a generated settings file, releases only), and only
 * what is missing there comes from Maven Central. Nothing of ssekit's is written to ~/.m2.
 */
class SampleProjectsIT {

  private static final Path WORK = Path.of("target", "samples-it").toAbsolutePath();
  private static ReferenceServerProcess server;
  private static Path settings;

  @BeforeAll
  static void start() throws Exception {
    server = ReferenceServerProcess.start();
    Files.createDirectories(WORK);
    Path repo = Path.of(System.getProperty("ssekit.it.repo", "target/it-repo")).toAbsolutePath();
    assertThat(repo.resolve("dev/ssekit/conformance")).as("the jar installed for the samples (pre-integration-test)")
        .isDirectory();
    String home = Path.of(System.getProperty("ssekit.it.homeRepo", System.getProperty("user.home") + "/.m2/repository"))
        .toAbsolutePath().toUri().toString();
    String repository = """
          <id>ssekit-it-home</id><url>%s</url>
          <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        """.formatted(home);
    settings = WORK.resolve("settings.xml");
    Files.writeString(settings, """
        <settings>
          <localRepository>%s</localRepository>
          <profiles><profile><id>ssekit-it</id>
            <repositories><repository>%s</repository></repositories>
            <pluginRepositories><pluginRepository>%s</pluginRepository></pluginRepositories>
          </profile></profiles>
          <activeProfiles><activeProfile>ssekit-it</activeProfile></activeProfiles>
        </settings>
        """.formatted(repo, repository, repository));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
  }

  @Test
  void junit5ProjectOnJupiter510RunsTheChecksBesideItsOwnTestsAndShowsWarnings() throws Exception {
    Build b = build("junit5-user", "junit5-5.10-passing", "-Djunit.version=5.10.2",
        "-Dssekit.url=" + server.url("/events?topic=junit5"), "-Dssekit.publishUrl=" + server.url("/publish?topic=junit5"));
    b.assertPassed();
    b.assertOwnTestRan();
    b.assertChecksRanByIdOn("junit-jupiter-engine-5.10.2.jar");
    b.assertWarningShown("http.cors-app-origin", "was \"*\", expected \"https://app.example\"");
  }

  @Test
  void junit5ProjectFailsItsBuildOnAFailingServer() throws Exception {
    Build b = build("junit5-user", "junit5-5.14-failing", "-Dssekit.url=" + server.url("/scenarios/html-200"));
    b.assertFailed();
    b.assertOwnTestRan();
    b.assertChecksRanByIdOn("junit-jupiter-engine-5.14.4.jar");
    assertThat(b.testcase("http.content-type").failed).as("http.content-type on text/html").isTrue();
  }

  @Test
  void junit6ProjectRunsTheChecksThroughASuiteBesideItsOwnTestsAndShowsWarnings() throws Exception {
    Build b = build("junit6-user", "junit6-passing",
        "-Dssekit.url=" + server.url("/events?topic=junit6"), "-Dssekit.publishUrl=" + server.url("/publish?topic=junit6"));
    b.assertPassed();
    b.assertOwnTestRan();
    b.assertChecksRanByIdOn("junit-jupiter-engine-6.1.3.jar");
    b.assertWarningShown("http.cors-app-origin", "was \"*\", expected \"https://app.example\"");
  }

  @Test
  void junit6ProjectFailsItsBuildOnAFailingServerAndShowsItsShouldViolation() throws Exception {
    Build b = build("junit6-user", "junit6-failing", "-Dssekit.url=" + server.url("/scenarios/content-length-stream"));
    b.assertFailed();
    b.assertOwnTestRan();
    b.assertChecksRanByIdOn("junit-jupiter-engine-6.1.3.jar");
    assertThat(b.cases).as("a check failed (the stream ends and resumes wrongly)").anyMatch(c -> c.failed);
    // H-06 is a SHOULD: it warns, visibly, and its test case passes.
    b.assertWarningShown("http.no-content-length", "Content-Length");
  }

  // ---------------------------------------------------------------------------------------------

  record TestCase(String file, String className, String name, boolean failed, boolean error, boolean skipped,
      String systemOut) {}

  record Build(String name, int exit, String output, List<TestCase> cases, String properties) {

    void assertPassed() {
      assertThat(exit).as(name + " exit status\n" + tail()).isZero();
      assertThat(output).contains("BUILD SUCCESS");
      assertThat(cases).as(name + ": no test failed").noneMatch(c -> c.failed || c.error);
    }

    void assertFailed() {
      assertThat(exit).as(name + ": a failing server fails the build\n" + tail()).isNotZero();
      assertThat(output).contains("BUILD FAILURE").contains("There are test failures");
    }

    void assertOwnTestRan() {
      assertThat(output).as(name).contains("PlainTest ran");
      assertThat(cases).as(name + ": the project's own test, in its own report")
          .filteredOn(c -> c.className.equals("com.example.PlainTest"))
          .singleElement().satisfies(c -> assertThat(c.failed || c.error || c.skipped).isFalse());
    }

    /** The checks ran on that JUnit, as test cases named by check id; none in error (the old NoSuchMethodError). */
    void assertChecksRanByIdOn(String engineJar) {
      assertThat(properties).as(name + ": the JUnit on the test class path").contains(engineJar);
      List<TestCase> checks = cases.stream().filter(c -> c.className.startsWith("dev.ssekit.conformance.checks.")).toList();
      assertThat(checks).as(name + ": ssekit's checks ran").hasSizeGreaterThan(40);
      assertThat(checks).as(name + ": test cases named by check id, not by Java method")
          .allSatisfy(c -> assertThat(c.name).matches("[a-z0-9]+\\.[a-z0-9.-]+"))
          .anyMatch(c -> c.name.equals("http.status-200"));
      assertThat(checks).as(name + ": no check in error").noneMatch(c -> c.error);
      assertThat(checks.stream().filter(c -> !c.skipped && !c.failed).count()).as(name + ": checks passed")
          .isGreaterThan(15);
    }

    /** A warning: a line of the test's output (console and its XML system-out), in the summary, and a passing test case. */
    void assertWarningShown(String checkId, String detail) {
      String line = "[WARNING] ssekit " + checkId + ": ";
      assertThat(output).as(name + ": the warning on the console").contains(line).contains(detail);
      assertThat(output).as(name + ": the summary of warnings at the end of the run")
          .containsPattern("\\[WARNING\\] ssekit: \\d+ warnings? \\(")
          .containsPattern("\\[WARNING\\]   " + java.util.regex.Pattern.quote(checkId) + ": ");
      TestCase c = testcase(checkId);
      assertThat(c.failed || c.error || c.skipped).as(checkId + " passes: a warning, not a failure").isFalse();
      assertThat(c.systemOut).as(checkId + ": the warning in the XML report (" + c.file + ")").contains(line).contains(detail);
    }

    TestCase testcase(String name) {
      List<TestCase> found = cases.stream().filter(c -> c.name.equals(name)).toList();
      assertThat(found).as(this.name + ": test case " + name).hasSize(1);
      return found.get(0);
    }

    String tail() {
      return output.length() > 6000 ? output.substring(output.length() - 6000) : output;
    }
  }

  /** Copies the sample (without any target/) and runs {@code mvn test} on it; reads its Surefire XML. */
  private static Build build(String sample, String run, String... properties) throws Exception {
    Path source = Path.of(System.getProperty("ssekit.it.samples", "../samples")).resolve(sample).toAbsolutePath().normalize();
    Path dir = WORK.resolve(run);
    deleteTree(dir);
    try (Stream<Path> all = Files.walk(source)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path rel = source.relativize(p);
        if (rel.startsWith("target")) continue;
        Path to = dir.resolve(rel.toString());
        if (Files.isDirectory(p)) Files.createDirectories(to);
        else Files.copy(p, to);
      }
    }
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("ssekit.it.mvn", "mvn"), "-B", "-s", settings.toString(),
        "-Dssekit.version=" + System.getProperty("ssekit.it.version", "0.1.0-SNAPSHOT"), "-Dstyle.color=never"));
    cmd.addAll(List.of(properties));
    cmd.add("test");
    Path log = WORK.resolve(run + ".log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail(run + ": mvn test did not finish in 300 s; its log: " + log);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    List<TestCase> cases = new ArrayList<>();
    StringBuilder props = new StringBuilder();
    Path reports = dir.resolve("target/surefire-reports");
    if (Files.isDirectory(reports)) {
      try (Stream<Path> xml = Files.list(reports)) {
        for (Path f : xml.filter(x -> x.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
          Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(f.toFile());
          NodeList ps = d.getElementsByTagName("property");
          for (int i = 0; i < ps.getLength(); i++) props.append(((Element) ps.item(i)).getAttribute("value")).append('\n');
          NodeList tcs = d.getElementsByTagName("testcase");
          for (int i = 0; i < tcs.getLength(); i++) {
            Element tc = (Element) tcs.item(i);
            NodeList out = tc.getElementsByTagName("system-out");
            cases.add(new TestCase(f.getFileName().toString(), tc.getAttribute("classname"), tc.getAttribute("name"),
                tc.getElementsByTagName("failure").getLength() > 0, tc.getElementsByTagName("error").getLength() > 0,
                tc.getElementsByTagName("skipped").getLength() > 0,
                out.getLength() > 0 ? out.item(0).getTextContent() : ""));
          }
        }
      }
    }
    return new Build(run, p.exitValue(), output, cases, props.toString());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
