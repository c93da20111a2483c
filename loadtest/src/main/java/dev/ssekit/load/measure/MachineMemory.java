package dev.ssekit.load.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's memory, from {@code /proc/meminfo}. */
public final class MachineMemory {
  private MachineMemory() {}

  /** {@code MemTotal} in bytes, or 0 when it cannot be read (not Linux, no /proc). */
  public static long totalBytes() {
    try {
      return memTotal(Files.readString(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** {@code MemTotal} (kB) of a {@code /proc/meminfo} text, in bytes; 0 when absent or malformed. */
  static long memTotal(String meminfo) {
    for (String line : meminfo.split("\n")) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
        try {
          return Long.parseLong(parts[0]) * 1024;
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }
}
