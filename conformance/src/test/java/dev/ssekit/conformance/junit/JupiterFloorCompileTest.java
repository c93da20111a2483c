package dev.ssekit.conformance.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module's sources compile against the oldest JUnit it supports inside users' builds
 * (Jupiter 5.10, Platform 1.10; the jars are copied to target/junit-floor by the build), so an
 * API that only JUnit 6 has (the cause of {@code NoSuchMethodError: Store.computeIfAbsent} in
 * JUnit 5 projects) cannot creep back in. The samples' builds (SampleProjectsIT) run the checks
 * on 5.10, 5.14 and 6.
 */
class JupiterFloorCompileTest {
  @TempDir Path out;

  @Test
  void mainSourcesCompileAgainstJupiter510() throws IOException {
    Path floor = Path.of(System.getProperty("ssekit.floor.dir", "target/junit-floor"));
    Path sources = Path.of(System.getProperty("ssekit.floor.sources", "src/main/java"));
    List<String> classpath = new ArrayList<>();
    try (Stream<Path> jars = Files.list(floor)) {
      jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).forEach(classpath::add);
    }
    assertThat(classpath).as("the JUnit 5.10 API jars in " + floor).hasSize(4)
        .anyMatch(j -> j.contains("junit-jupiter-api-5.10."));
    String rest = Files.readString(floor.resolve("classpath.txt"), StandardCharsets.UTF_8).strip();
    assertThat(rest).as("the compile class path without JUnit").doesNotContain("junit-jupiter").isNotEmpty();
    classpath.add(rest);

    List<File> files;
    try (Stream<Path> all = Files.walk(sources)) {
      files = all.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      List<String> options = List.of("--release", "17", "-proc:none", "-nowarn", "-encoding", "UTF-8",
          "-classpath", String.join(File.pathSeparator, classpath), "-d", out.toString());
      boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromFiles(files)).call();
      String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null))
          .collect(Collectors.joining("\n"));
      assertThat(ok).as("src/main/java against JUnit 5.10's API:\n" + errors).isTrue();
    }
    assertThat(out.resolve("dev/ssekit/conformance/checks/SseExtension.class")).exists();
  }
}
