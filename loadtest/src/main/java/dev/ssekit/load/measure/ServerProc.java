package dev.ssekit.load.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What the operating system says about the server besides its memory: the CPU time it has used
 * ({@link ProcessHandle.Info#totalCpuDuration}, which on Linux reads {@code /proc/PID/stat} with the
 * system's own clock ticks), the most files it may open ({@code /proc/PID/limits}: the soft "Max
 * open files"), the files it holds now ({@code fd}) and the CPUs it may run on ({@code status}:
 * {@code Cpus_allowed_list}). Each read is empty when it cannot be made (another user's process, no
 * such pid, not Linux); none throws.
 */
public final class ServerProc {
  /** What {@link #maxOpenFiles()} answers for an "unlimited" open-file limit. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  private final long pid;

  public ServerProc(long pid) {
    this.pid = pid;
  }

  public long pid() {
    return pid;
  }

  /** The server's CPU seconds (user + system) since it started, or empty. */
  public OptionalDouble cpuSeconds() {
    try {
      return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
          .map(d -> OptionalDouble.of(d.toNanos() / 1e9)).orElse(OptionalDouble.empty());
    } catch (RuntimeException e) {
      return OptionalDouble.empty();
    }
  }

  /** The server's soft limit on open files ({@link #UNLIMITED} when unlimited), or empty when unreadable. */
  public OptionalLong maxOpenFiles() {
    return read("limits").map(ServerProc::maxOpenFiles).orElse(OptionalLong.empty());
  }

  /** How many CPUs the server may run on ({@code Cpus_allowed_list}), or empty. */
  public OptionalInt allowedCpus() {
    return read("status").map(ServerProc::allowedCpus).orElse(OptionalInt.empty());
  }

  /** How many files the server holds open now, or empty. */
  public OptionalLong openFiles() {
    try (Stream<Path> fds = Files.list(dir().resolve("fd"))) {
      return OptionalLong.of(fds.count());
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  private Path dir() {
    return Path.of("/proc", Long.toString(pid));
  }

  private java.util.Optional<String> read(String name) {
    try {
      return java.util.Optional.of(Files.readString(dir().resolve(name), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * The soft limit of the "Max open files" row of a {@code /proc/PID/limits} text: {@link
   * #UNLIMITED} for "unlimited", empty when there is no such row or it is not a number.
   */
  static OptionalLong maxOpenFiles(String limits) {
    for (String line : limits.split("\n", -1)) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        if (soft.equals("unlimited")) {
          return OptionalLong.of(UNLIMITED);
        }
        try {
          return OptionalLong.of(Long.parseLong(soft));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * The CPUs in the {@code Cpus_allowed_list} row of a {@code /proc/PID/status} text ("0-3,6,8-9"
   * is 7), or empty when there is none or it does not parse.
   */
  static OptionalInt allowedCpus(String status) {
    for (String line : status.split("\n", -1)) {
      if (line.startsWith("Cpus_allowed_list:")) {
        String list = line.substring("Cpus_allowed_list:".length()).trim();
        int n = 0;
        try {
          for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            int lo = Integer.parseInt((dash < 0 ? part : part.substring(0, dash)).trim());
            int hi = dash < 0 ? lo : Integer.parseInt(part.substring(dash + 1).trim());
            if (hi < lo) {
              return OptionalInt.empty();
            }
            n += hi - lo + 1;
          }
        } catch (NumberFormatException e) {
          return OptionalInt.empty();
        }
        return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
      }
    }
    return OptionalInt.empty();
  }
}
