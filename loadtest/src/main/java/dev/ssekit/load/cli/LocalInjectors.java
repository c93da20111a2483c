package dev.ssekit.load.cli;

import dev.ssekit.load.report.HistogramFile;
import dev.ssekit.load.report.InjectorBottleneck;
import dev.ssekit.load.report.Merge;
import dev.ssekit.load.report.RunRecord;
import dev.ssekit.load.report.Summary;
import dev.ssekit.load.sim.InjectorRole;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code --injectors N}: runs one test from N injector JVMs on this machine and writes their
 * merged report as if it were one run.
 *
 * <p>Each JVM is this program with the same options and JVM flags, plus {@code --injector K/N}
 * (it takes its share of the connections, steps and rate, and publishes under its own run id),
 * its own block of source addresses, and {@code --report-dir DIR/injector-K}; its console goes to
 * {@code DIR/injector-K/console.log}. They start together: each writes {@code ready} once Gatling
 * is up and its server baseline is read, and when all have, this process writes the start instant
 * into {@code DIR/start-at}, which they wait for (or they all wait for {@code --start-at}). When
 * every one has ended, {@link Merge} makes one run of their reports and {@link RunReports} writes
 * it to {@code DIR}, compared with {@code --baseline} if one was given.
 *
 * <p>Nothing is left running: a JVM that dies before the start stops the others, the whole test
 * is bounded (the run's own bound plus the start), and the JVMs are stopped if this process is.
 */
final class LocalInjectors {
  /** The addresses each injector gets when none were given: four each (28,000 ports each towards one server port). */
  static final int DEFAULT_ADDRESSES_EACH = 4;

  /** Options this process handles itself and does not hand on. */
  private static final Set<String> NOT_HANDED_ON = Set.of(
      "--injectors", "--report-dir", "--local-addresses", "--baseline", "--tolerance", "--run-id", "--start-at");

  /**
   * JVM flags that must not be repeated in a child: a debugger's or JMX agent's port, an agent's,
   * recording's, log's or heap dump's file (the children would fight over one port or file).
   */
  private static final List<String> NOT_INHERITED = List.of("-agentlib", "-agentpath", "-javaagent", "-Xdebug", "-Xrunjdwp",
      "-Dcom.sun.management.jmxremote", "-XX:StartFlightRecording", "-XX:FlightRecorderOptions", "-XX:HeapDumpPath",
      "-Xlog", "-Xloggc");

  /** Exit statuses a run gives itself (0, 1, 2); any other is a crash or a kill. */
  private static final Set<Integer> OWN_STATUSES = Set.of(LoadMain.OK, LoadMain.FAILED, LoadMain.USAGE);

  private static final Duration START_SLACK = Duration.ofMillis(500);

  private final int count;
  private final String team;
  private final Long startAtMillis;
  private final List<List<String>> addresses;
  private final PrintWriter out;
  private final PrintWriter err;

  LocalInjectors(int count, String team, Long startAtMillis, List<List<String>> addresses, PrintWriter out, PrintWriter err) {
    this.count = count;
    this.team = team;
    this.startAtMillis = startAtMillis;
    this.addresses = List.copyOf(addresses);
    this.out = out;
    this.err = err;
  }

  /**
   * The source addresses of each injector: the given ones cut into {@code n} blocks in order, or,
   * when none were given and the target is IPv4, four consecutive addresses each from 127.0.0.2
   * (none for an IPv6 target: IPv4 sources cannot reach it).
   *
   * @throws IllegalArgumentException when fewer addresses than injectors were given
   */
  static List<List<String>> sourceAddresses(List<String> given, List<URI> urls, int n) {
    List<List<String>> blocks = new ArrayList<>();
    if (!given.isEmpty()) {
      if (given.size() < n) {
        throw new IllegalArgumentException("--local-addresses names " + given.size() + " address"
            + (given.size() == 1 ? "" : "es") + " for " + n + " injectors; give at least one each");
      }
      for (int k = 0; k < n; k++) {
        blocks.add(List.copyOf(given.subList(k * given.size() / n, (k + 1) * given.size() / n)));
      }
      return blocks;
    }
    boolean ipv6 = urls.stream().anyMatch(u -> u.getHost() != null && u.getHost().contains(":"));
    for (int k = 0; k < n; k++) {
      List<String> block = new ArrayList<>();
      for (int i = 0; i < DEFAULT_ADDRESSES_EACH && !ipv6; i++) {
        block.add("127.0.0." + (2 + k * DEFAULT_ADDRESSES_EACH + i));
      }
      blocks.add(block);
    }
    return blocks;
  }

  /**
   * Runs the injectors and merges their reports into {@code dir}; returns the exit status.
   *
   * @param args this process's arguments, handed on without the options it handles itself
   * @param runBound how long one injector's run may last once started
   */
  int run(String[] args, Duration runBound, Path dir, RunReports.Baseline base) {
    List<Process> processes = new CopyOnWriteArrayList<>(); // read by the shutdown hook while filled
    Thread stopAll = new Thread(() -> processes.forEach(Process::destroyForcibly), "ssekit-injectors-stop");
    Runtime.getRuntime().addShutdownHook(stopAll);
    try {
      Path gate = dir.resolve("start-at");
      Files.deleteIfExists(gate);
      for (int k = 1; k <= count; k++) {
        processes.add(start(k, args, dir, gate));
      }
      out.printf(Locale.ROOT, "ssekit load: %d injectors (run id %s), reports in %s/injector-1..%d%n", count, team, dir, count);
      out.flush();
      if (startAtMillis == null && !openGate(processes, dir, gate)) {
        return LoadMain.USAGE;
      }
      Duration untilStart = Duration.ofMillis(startAtMillis == null ? 0 : Math.max(0, startAtMillis - System.currentTimeMillis()));
      if (!awaitAll(processes, runBound.plus(InjectorRole.MAX_GATE_WAIT).plus(untilStart), dir)) {
        return LoadMain.USAGE;
      }
      return merge(processes, dir, base);
    } catch (IOException e) {
      err.println("sse-loadtest: cannot start the injectors: " + e.getMessage());
      return LoadMain.USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return LoadMain.USAGE;
    } finally {
      processes.forEach(Process::destroyForcibly);
      try {
        Runtime.getRuntime().removeShutdownHook(stopAll);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: the processes are being stopped anyway
      }
    }
  }

  private Process start(int k, String[] args, Path dir, Path gate) throws IOException {
    Path own = injectorDir(dir, k);
    Files.createDirectories(own);
    for (String stale : List.of(InjectorRole.READY_FILE, "histograms.json", "capacity.json", "capacity.html")) {
      Files.deleteIfExists(own.resolve(stale)); // an earlier run's, in a reused --report-dir, is not this run's
    }
    List<String> cmd = new ArrayList<>(jvm());
    cmd.addAll(handedOn(args));
    cmd.addAll(List.of("--injector", k + "/" + count, "--run-id", team, "--report-dir", own.toString()));
    if (!addresses.get(k - 1).isEmpty()) {
      cmd.addAll(List.of("--local-addresses", String.join(",", addresses.get(k - 1))));
    }
    if (startAtMillis != null) {
      cmd.addAll(List.of("--start-at", Instant.ofEpochMilli(startAtMillis).toString()));
    } else {
      cmd.addAll(List.of("--start-gate", gate.toString()));
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(own.resolve("console.log").toFile()).start();
  }

  static Path injectorDir(Path dir, int k) {
    return dir.resolve("injector-" + k);
  }

  /** This JVM's command and flags (less debugger and agent flags), Gatling's flags, the class path and main class. */
  private static List<String> jvm() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (NOT_INHERITED.stream().noneMatch(a::startsWith)) {
        cmd.add(a);
      }
    }
    cmd.addAll(LoadMain.JVM_FLAGS); // from the manifest under java -jar, so not among the input arguments
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadMain.class.getName()));
    return cmd;
  }

  /** The arguments without the options this process handles itself (as {@code --opt value} or {@code --opt=value}). */
  static List<String> handedOn(String[] args) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("@")) {
        throw new IllegalArgumentException("--injectors hands the options to each injector as they are: give them on the"
            + " command line, not in an @file (" + a + ")");
      }
      int eq = a.indexOf('=');
      String name = eq > 0 ? a.substring(0, eq) : a;
      if (NOT_HANDED_ON.contains(name)) {
        if (eq < 0) {
          i++; // its value
        }
        continue;
      }
      kept.add(a);
    }
    return kept;
  }

  /**
   * Waits until every injector is ready, then writes the start instant (now, plus a little for the
   * injectors to read it) into the gate file. False when one ended first or they were not all
   * ready in time (the reason is printed).
   */
  private boolean openGate(List<Process> processes, Path dir, Path gate) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + InjectorRole.MAX_GATE_WAIT.toNanos();
    int ready = 0;
    while (ready < count) {
      ready = 0;
      for (int k = 1; k <= count; k++) {
        if (Files.exists(injectorDir(dir, k).resolve(InjectorRole.READY_FILE))) {
          ready++;
        } else if (!processes.get(k - 1).isAlive()) {
          endedEarly(k, processes.get(k - 1).exitValue(), dir, "before the start");
          return false;
        }
      }
      if (ready < count && System.nanoTime() > deadline) {
        err.println("sse-loadtest: only " + ready + " of " + count + " injectors were ready within "
            + InjectorRole.MAX_GATE_WAIT.toMinutes() + " minutes; see " + dir + "/injector-*/console.log");
        return false;
      }
      Thread.sleep(ready < count ? 50 : 0);
    }
    long at = System.currentTimeMillis() + START_SLACK.toMillis();
    Path tmp = dir.resolve("start-at.tmp");
    Files.writeString(tmp, Long.toString(at), StandardCharsets.UTF_8);
    Files.move(tmp, gate, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    out.println("ssekit load: all " + count + " injectors ready; they start together at " + Instant.ofEpochMilli(at));
    out.flush();
    return true;
  }

  /**
   * Waits for every injector to end, within {@code bound}, saying when each does. False, with
   * the others stopped, when one had to be stopped or ended without its report while others
   * still ran (they would go on at a share of the load, measuring another test).
   */
  private boolean awaitAll(List<Process> processes, Duration bound, Path dir) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    boolean[] ended = new boolean[count];
    int left = count;
    while (left > 0) {
      for (int k = 1; k <= count; k++) {
        Process p = processes.get(k - 1);
        if (ended[k - 1] || p.isAlive()) {
          continue;
        }
        ended[k - 1] = true;
        left--;
        if (left > 0 && !reported(p, dir, k)) {
          endedEarly(k, p.exitValue(), dir, "while the others ran, without a report; stopped them all");
          return false;
        }
        out.println("ssekit load: injector " + k + " of " + count + " ended (exit " + p.exitValue() + "), report in "
            + injectorDir(dir, k));
        out.flush();
      }
      if (left > 0 && System.nanoTime() > deadline) {
        err.println("sse-loadtest: the injectors had not all ended " + bound.toMinutes() + " minutes after they started;"
            + " stopped all; see " + dir + "/injector-*/console.log");
        return false;
      }
      if (left > 0) {
        Thread.sleep(100);
      }
    }
    return true;
  }

  /** Whether injector {@code k} ended as a run ends: with one of its own statuses and its report. */
  private static boolean reported(Process p, Path dir, int k) {
    return OWN_STATUSES.contains(p.exitValue()) && Files.exists(injectorDir(dir, k).resolve("histograms.json"));
  }

  /**
   * One report of every injector's run. The merged run decides the status, except that an
   * injector that ended with a worse one (e.g. it could not write its report) is not hidden.
   */
  private int merge(List<Process> processes, Path dir, RunReports.Baseline base) {
    List<RunRecord> runs = new ArrayList<>();
    int worst = LoadMain.OK;
    for (int k = 1; k <= count; k++) {
      int exit = processes.get(k - 1).exitValue();
      Path file = injectorDir(dir, k).resolve("histograms.json");
      if (!reported(processes.get(k - 1), dir, k)) {
        endedEarly(k, exit, dir, "without a report");
        return LoadMain.USAGE;
      }
      try {
        runs.add(HistogramFile.read(file));
      } catch (IOException e) {
        err.println("sse-loadtest: cannot read injector " + k + "'s report: " + e.getMessage());
        return LoadMain.USAGE;
      }
      worst = Math.max(worst, exit);
    }
    Merge.Result merged;
    try {
      merged = Merge.merge(runs);
    } catch (IllegalArgumentException e) {
      err.println("sse-loadtest: cannot merge the injectors' reports: " + e.getMessage());
      return LoadMain.USAGE;
    }
    merged.warnings().forEach(w -> err.println("sse-loadtest: warning: " + w));
    out.println("ssekit load: merged the " + count + " injectors' runs (counts summed, histograms added)");
    RunRecord run = onThisMachine(merged.run());
    try {
      List<String> details = new ArrayList<>(Summary.firstEventLines(run));
      details.addAll(Summary.injectorLines(run));
      int status = RunReports.publish(run, details, dir, base, out, err);
      if (status == LoadMain.OK && worst != LoadMain.OK) {
        err.println("sse-loadtest: an injector ended with status " + worst + "; see " + dir + "/injector-*/console.log");
        return worst;
      }
      return status;
    } catch (UncheckedIOException e) {
      err.println("sse-loadtest: " + e.getMessage());
      return LoadMain.USAGE;
    }
  }

  /**
   * The merged run with this machine's cores as the injectors' (a merge of separate machines sums
   * them): these injectors shared them, so their summed CPU time is held against these cores when
   * the report asks whether the injectors were the bottleneck.
   */
  static RunRecord onThisMachine(RunRecord run) {
    Map<String, Long> diagnostics = new LinkedHashMap<>(run.diagnostics());
    diagnostics.put(InjectorBottleneck.CORES, (long) Runtime.getRuntime().availableProcessors());
    return new RunRecord(run.capacity(), run.histograms(), diagnostics, run.timeline(), run.steps());
  }

  /** Says that injector {@code k} ended too soon, with the end of its console. */
  private void endedEarly(int k, int exit, Path dir, String when) {
    Path log = injectorDir(dir, k).resolve("console.log");
    err.println("sse-loadtest: injector " + k + " ended " + when + " (exit " + exit + "); the end of " + log + ":");
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> err.println("  " + l));
    } catch (IOException | UncheckedIOException e) {
      err.println("  (cannot read it: " + e.getMessage() + ")");
    }
  }
}
