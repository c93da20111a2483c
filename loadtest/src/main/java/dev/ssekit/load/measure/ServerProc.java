package dev.ssekit.load.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What {@code /proc/PID} says about the server besides its memory: the CPU time it has used
 * ({@code stat}: utime + stime), the most files it may open ({@code limits}: the soft "Max open
 * files") and the files it holds now ({@code fd}). Each read is empty when the file cannot be read
 * (another user's process, no such pid, not Linux); none throws.
 */
public final class ServerProc {
  /**
   * Clock ticks per second of {@code /proc/PID/stat}'s times: {@code sysconf(_SC_CLK_TCK)}, 100 on
   * every Linux architecture the JDK runs on (the kernel's USER_HZ), and not readable from Java.
   */
  static final double CLOCK_TICKS_PER_SECOND = 100;

  private final long pid;

  public ServerProc(long pid) {
    this.pid = pid;
  }

  public long pid() {
    return pid;
  }

  /** The server's CPU seconds (user + system) since it started, or empty. */
  public OptionalDouble cpuSeconds() {
    return read("stat").map(ServerProc::cpuSeconds).orElse(OptionalDouble.empty());
  }

  /** The server's soft limit on open files, or empty (unreadable or unlimited). */
  public OptionalLong maxOpenFiles() {
    return read("limits").map(ServerProc::maxOpenFiles).orElse(OptionalLong.empty());
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
   * utime + stime of a {@code /proc/PID/stat} line, in seconds: fields 14 and 15, counted after the
   * command name in parentheses (which may itself hold spaces and parentheses).
   */
  static OptionalDouble cpuSeconds(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return OptionalDouble.empty();
    }
    // After ") ": field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    if (f.length < 13) {
      return OptionalDouble.empty();
    }
    try {
      return OptionalDouble.of((Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS_PER_SECOND);
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /** The soft limit of the "Max open files" row of a {@code /proc/PID/limits} text, or empty when unlimited. */
  static OptionalLong maxOpenFiles(String limits) {
    for (String line : limits.split("\n", -1)) {
      if (line.startsWith("Max open files")) {
        String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
        try {
          return OptionalLong.of(Long.parseLong(parts[0]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty(); // "unlimited"
        }
      }
    }
    return OptionalLong.empty();
  }
}
