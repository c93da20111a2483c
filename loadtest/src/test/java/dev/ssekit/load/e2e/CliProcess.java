package dev.ssekit.load.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the load tester's CLI in a child JVM with the test classpath, as {@code java -jar} would
 * (same main class, same JVM flags), so each run has its own Gatling and a real exit status.
 */
final class CliProcess {
  record Result(int exitStatus, String stdout, String stderr) {
    String both() {
      return "--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
  }

  private CliProcess() {}

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Runs the CLI with {@code args}; fails the test if it has not ended after {@code timeoutSeconds}. */
  static Result run(Path workDir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
    return run(workDir, timeoutSeconds, List.of(), args);
  }

  /** The same, with extra JVM options (e.g. {@code -Djavax.net.ssl.trustStore=…}) before the main class. */
  static Result run(Path workDir, long timeoutSeconds, List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    Process p = start(workDir, jvmOptions, args);
    return await(p, workDir, timeoutSeconds);
  }

  /** Starts the CLI with {@code args}, its output going to {@code cli.out} and {@code cli.err} in {@code workDir}. */
  static Process start(Path workDir, List<String> jvmOptions, String... args) throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", cp, "dev.ssekit.load.cli.LoadMain"));
    cmd.addAll(List.of(args));
    Files.createDirectories(workDir);
    return new ProcessBuilder(cmd).directory(workDir.toFile())
        .redirectOutput(workDir.resolve("cli.out").toFile()).redirectError(workDir.resolve("cli.err").toFile()).start();
  }

  /** Waits for a CLI {@link #start}ed in {@code workDir}; fails the test if it has not ended after {@code timeoutSeconds}. */
  static Result await(Process p, Path workDir, long timeoutSeconds) throws IOException, InterruptedException {
    Path out = workDir.resolve("cli.out");
    Path err = workDir.resolve("cli.err");
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      fail("the load tester did not finish within " + timeoutSeconds + " s; output:\n"
          + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}
