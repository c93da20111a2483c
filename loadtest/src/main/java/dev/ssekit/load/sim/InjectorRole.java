package dev.ssekit.load.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * This load tester's place among several injectors that run one test together ({@code --injectors
 * N} on one machine, or {@code --injector K/N} on several): which share of the connections, steps
 * and publish rate it takes, the run ids of its peers' events, and when it starts.
 *
 * <p>Each injector publishes its share of the rate under its own run id ({@code TEAM-K}); the
 * server sends every injector's events to every stream, so each connection accounts them all: its
 * own injector's for loss (it knows what it published and when each stream opened), every peer's
 * for repeats and order and for delivery latency.
 *
 * @param index this injector, from 1
 * @param count how many injectors run the test (1: alone)
 * @param team the run id every injector of the test shares, or null when alone
 * @param startAtMillis when the run starts (epoch ms, {@code --start-at}), or null
 * @param startGate a file the run waits for, holding the start instant (epoch ms), after it has
 *     written {@code ready} in its report directory; or null
 */
public record InjectorRole(int index, int count, String team, Long startAtMillis, Path startGate) {
  /** One injector on its own: the whole test, starting at once. */
  public static final InjectorRole ALONE = new InjectorRole(1, 1, null, null, null);

  /** The most injectors one test may have. */
  public static final int MAX_INJECTORS = 16;

  /** How long a run waits for its start gate (the other injectors' JVMs starting). */
  public static final Duration MAX_GATE_WAIT = Duration.ofMinutes(3);

  /** The file an injector writes in its report directory once it is ready to start. */
  public static final String READY_FILE = "ready";

  public InjectorRole {
    if (count < 1 || count > MAX_INJECTORS) {
      throw new IllegalArgumentException("injectors must be between 1 and " + MAX_INJECTORS + ", not " + count);
    }
    if (index < 1 || index > count) {
      throw new IllegalArgumentException("--injector K/N needs 1 <= K <= N, not " + index + "/" + count);
    }
    if (count > 1 && (team == null || !team.matches("[a-z0-9-]{1,48}"))) {
      throw new IllegalArgumentException("injectors of one test share a --run-id of 1-48 characters a-z 0-9 -"
          + " (give every injector the same one)");
    }
  }

  /** Parses {@code K/N}. */
  public static InjectorRole parse(String text, String team, Long startAtMillis, Path startGate) {
    String[] parts = text.trim().split("/", -1);
    try {
      if (parts.length == 2) {
        return new InjectorRole(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()), team,
            startAtMillis, startGate);
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("--injector takes K/N, this injector's number and how many there are (e.g."
        + " 2/3); got '" + text + "'");
  }

  /** Parses {@code --start-at}: an ISO-8601 instant such as {@code 2026-12-07T18:30:00Z}. */
  public static long parseStartAt(String text) {
    try {
      return Instant.parse(text.trim()).toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("--start-at takes an instant like 2026-12-07T18:30:00Z (UTC; every machine's"
          + " clock must agree); got '" + text + "'");
    }
  }

  /** Whether this is one of several injectors. */
  public boolean shared() {
    return count > 1;
  }

  /** This injector's run id: {@code TEAM-K}, or {@code alone} when it runs by itself. */
  public String runId(String alone) {
    return shared() ? team + "-" + index : alone;
  }

  /** The run ids of the other injectors' events (empty when alone). */
  public List<String> peerRunIds() {
    List<String> peers = new ArrayList<>();
    for (int k = 1; k <= count; k++) {
      if (k != index) {
        peers.add(team + "-" + k);
      }
    }
    return List.copyOf(peers);
  }

  /** This injector's share of {@code total}: an equal part, the first {@code total mod count} one more. */
  public int share(int total) {
    return total / count + (index - 1 < total % count ? 1 : 0);
  }

  /**
   * This injector's share of each step. Every injector's shares must grow from step to step, so
   * the steps must differ by at least the number of injectors (and the first be at least that).
   */
  public List<Integer> shareSteps(List<Integer> steps) {
    List<Integer> shares = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      int previous = i == 0 ? 0 : steps.get(i - 1);
      if (steps.get(i) - previous < count) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "with %d injectors every step must be at least %d"
            + " more connections than the one before (each injector takes an equal share), got %s", count, count, steps));
      }
      shares.add(share(steps.get(i)));
    }
    return shares;
  }

  /**
   * Waits until the run may start: until {@link #startAtMillis}, or, with a start gate, after
   * writing {@link #READY_FILE} in {@code reportDir}, until the gate file names the start. Says so
   * on {@code log} when the start had already passed.
   *
   * @throws IllegalStateException when the gate does not open within {@link #MAX_GATE_WAIT}
   */
  void awaitStart(Path reportDir, PrintStream log) throws InterruptedException {
    Long at = startAtMillis;
    if (startGate != null) {
      try {
        Files.writeString(reportDir.resolve(READY_FILE), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write " + reportDir.resolve(READY_FILE) + ": " + e.getMessage(), e);
      }
      at = awaitGate();
    }
    if (at == null) {
      return;
    }
    long wait = at - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    } else if (wait < -1000) {
      log.printf(Locale.ROOT, "ssekit load: injector %d of %d started %.1f s after the agreed start%n", index, count,
          -wait / 1000.0);
    }
  }

  private long awaitGate() throws InterruptedException {
    long deadline = System.nanoTime() + MAX_GATE_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String text = Files.readString(startGate, StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
          return Long.parseLong(text);
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // not yet written
      } catch (IOException | NumberFormatException e) {
        throw new IllegalStateException("cannot read the start gate " + startGate + ": " + e.getMessage(), e);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the other injectors were not ready within " + MAX_GATE_WAIT.toMinutes() + " minutes");
  }
}
