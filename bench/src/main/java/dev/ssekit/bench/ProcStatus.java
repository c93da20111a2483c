package dev.ssekit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the measured servers' resident memory from {@code /proc/PID/status} ({@code --rss-pid}),
 * as the JSON objects {@link HoldReport} puts into its steps and samples.
 */
final class ProcStatus {

  private static final String[] KEYS = {"VmRSS", "RssAnon", "RssFile", "RssShmem"};

  private ProcStatus() {
  }

  /** {@code {"LABEL":{...},...}}: {@link #of} for each labelled process, in the order given. */
  static String sample(Map<String, Integer> pids) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Integer> e : pids.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(HoldReport.esc(e.getKey())).append("\":").append(of(e.getValue()));
    }
    return sb.append('}').toString();
  }

  /** VmRSS, RssAnon, RssFile, RssShmem of a process in bytes, or {@code null} when it cannot be read. */
  static String of(int pid) {
    Map<String, Long> v = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        for (String key : KEYS) {
          if (line.startsWith(key + ":")) {
            String num = line.substring(key.length() + 1).trim().split("\\s+")[0];
            v.put(key, Long.parseLong(num) * 1024);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("{");
    v.forEach((k, n) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(n));
    return sb.append('}').toString();
  }
}
