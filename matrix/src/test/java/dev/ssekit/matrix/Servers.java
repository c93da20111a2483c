package dev.ssekit.matrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How to start each server of the matrix as child processes, wait (bounded) until it listens, and
 * kill it and its children afterwards. A missing prerequisite (no jar, no {@code node}, no
 * {@code pushpin}) throws {@link AssertionError} saying what to install: CI installs them, so a
 * silent skip would hide a matrix that never ran.
 */
final class Servers {

  private Servers() {}

  static final Duration READY_WAIT = Duration.ofSeconds(90);

  /** A started server: its processes (first started first), where to check it, what pid holds its sockets. */
  static final class Running implements AutoCloseable {
    final List<Process> processes = new ArrayList<>();
    String streamUrl;
    String publishUrl;
    Long socketPid;

    @Override
    public void close() {
      for (int i = processes.size() - 1; i >= 0; i--) kill(processes.get(i));
    }

    /** Dies with the message that says why, after showing the tail of the server's log. */
    void assertAlive(Path log) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new AssertionError("server process " + p.pid() + " exited with " + p.exitValue() + "; log "
              + log + ":\n" + tail(log));
        }
      }
    }
  }

  static Running start(String name, Path root, Path out) throws IOException, InterruptedException {
    Files.createDirectories(out);
    Path log = out.resolve("server.log");
    Running r = new Running();
    boolean ok = false;
    try {
      switch (name) {
        case "spring-webflux", "spring-mvc" -> {
          int port = freePort();
          Path jar = execJar(root, name);
          r.processes.add(spawn(out, log, List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
              "-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
              "--spring.main.banner-mode=off")));
          urls(r, port);
          waitListening(r, log, port);
        }
        case "javalin", "jetty" -> {
          int port = freePort();
          Path jar = execJar(root, name);
          r.processes.add(spawn(out, log, List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
              "-jar", jar.toString(), String.valueOf(port))));
          urls(r, port);
          waitListening(r, log, port);
        }
        case "express-sse" -> {
          String node = require("node", "apt-get install -y nodejs npm");
          String npm = require("npm", "apt-get install -y npm");
          Path app = out.resolve("app");
          Files.createDirectories(app);
          Path src = root.resolve("matrix/servers/express-sse");
          for (String f : List.of("package.json", "package-lock.json", "app.js")) {
            Files.copy(src.resolve(f), app.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          if (!Files.isDirectory(app.resolve("node_modules/express-sse"))) {
            Path npmLog = out.resolve("npm-ci.log");
            Process ci = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(app.toFile()).redirectErrorStream(true).redirectOutput(npmLog.toFile()).start();
            if (!ci.waitFor(180, TimeUnit.SECONDS)) {
              kill(ci);
              throw new AssertionError("npm ci for express-sse took over 180 s; log " + npmLog + ":\n" + tail(npmLog));
            }
            if (ci.exitValue() != 0) {
              throw new AssertionError("npm ci for express-sse failed (exit " + ci.exitValue()
                  + "; the npm registry must be reachable): " + tail(npmLog));
            }
          }
          int port = freePort();
          r.processes.add(spawn(app, log, List.of(node, "app.js", String.valueOf(port))));
          urls(r, port);
          waitListening(r, log, port);
        }
        case "pushpin" -> {
          String node = require("node", "apt-get install -y nodejs");
          String pushpin = require("pushpin", "apt-get install -y pushpin");
          int origin = freePort();
          int http = freePort();
          int pushIn = freePort();
          int pushSub = freePort();
          int control = freePort();
          int command = freePort();
          Path dir = out.resolve("pushpin");
          Path run = dir.resolve("run");
          Files.createDirectories(run);
          Files.createDirectories(dir.resolve("log"));
          Files.writeString(dir.resolve("routes"), "* 127.0.0.1:" + origin + "\n");
          String conf = resource("/pushpin/pushpin.conf")
              .replace("@RUNDIR@", run.toString())
              .replace("@LOGDIR@", dir.resolve("log").toString())
              .replace("@ROUTES@", dir.resolve("routes").toString())
              .replace("@PREFIX@", "ssekit-" + http + "-")
              .replace("@HTTP_PORT@", String.valueOf(http))
              .replace("@PUSH_IN_PORT@", String.valueOf(pushIn))
              .replace("@PUSH_SUB_PORT@", String.valueOf(pushSub))
              .replace("@CONTROL_PORT@", String.valueOf(control))
              .replace("@COMMAND_PORT@", String.valueOf(command));
          Path confFile = dir.resolve("pushpin.conf");
          Files.writeString(confFile, conf);
          Path originJs = root.resolve("matrix/servers/pushpin-origin/origin.js");
          r.processes.add(spawn(dir, out.resolve("origin.log"), List.of(node, originJs.toString(),
              String.valueOf(origin), String.valueOf(control))));
          waitListening(r, out.resolve("origin.log"), origin);
          r.processes.add(spawn(dir, log, List.of(pushpin, "--config=" + confFile, "--merge-output",
              "--port=127.0.0.1:" + http)));
          waitListening(r, log, http);
          waitListening(r, log, control);
          r.streamUrl = "http://127.0.0.1:" + http + "/events";
          r.publishUrl = "http://127.0.0.1:" + origin + "/publish";
          // the client sockets are condure's (pushpin's connection manager), a child of the runner
          r.socketPid = r.processes.get(1).descendants()
              .filter(h -> h.info().command().map(c -> c.endsWith("/condure") || c.equals("condure")).orElse(false))
              .map(ProcessHandle::pid).findFirst().orElse(null);
        }
        default -> throw new IllegalArgumentException("no such server in the matrix: " + name);
      }
      if (r.socketPid == null && !name.equals("pushpin")) r.socketPid = r.processes.get(r.processes.size() - 1).pid();
      ok = true;
      return r;
    } finally {
      if (!ok) r.close();
    }
  }

  private static void urls(Running r, int port) {
    r.streamUrl = "http://127.0.0.1:" + port + "/events";
    r.publishUrl = "http://127.0.0.1:" + port + "/publish";
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Path execJar(Path root, String name) throws IOException {
    Path target = root.resolve("matrix/servers").resolve(name).resolve("target");
    if (Files.isDirectory(target)) {
      try (Stream<Path> s = Files.list(target)) {
        Optional<Path> jar = s.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst();
        if (jar.isPresent()) return jar.get();
      }
    }
    throw new AssertionError("no runnable jar in " + target + ": build it first (mvn -B verify from the repo root "
        + "packages matrix/servers/" + name + " before the matrix runs)");
  }

  /** The command's absolute path on PATH, or an AssertionError saying how to install it. */
  static String require(String command, String install) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, command);
      if (Files.isExecutable(p)) return p.toString();
    }
    throw new AssertionError("'" + command + "' is not installed (not on PATH): the matrix needs it. Install it with: "
        + install + " (.ci/run does this on CI)");
  }

  private static Process spawn(Path dir, Path log, List<String> cmd) throws IOException {
    Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
    return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
  }

  private static void waitListening(Running r, Path log, int port) throws InterruptedException {
    long deadline = System.nanoTime() + READY_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      r.assertAlive(log);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("nothing listened on 127.0.0.1:" + port + " within " + READY_WAIT.toSeconds()
        + " s; log " + log + ":\n" + tail(log));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Kills the process and all its descendants: politely, then forcibly after 5 s. */
  static void kill(Process p) {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : all) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception ignored) {
        // forced below
      }
      if (h.isAlive()) h.destroyForcibly();
    }
  }

  static String tail(Path log) {
    try {
      if (!Files.exists(log)) return "(no log)";
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static String resource(String name) throws IOException {
    try (var in = Servers.class.getResourceAsStream(name)) {
      if (in == null) throw new IOException("missing test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
