package dev.ssekit.load.measure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** Where the server's resident memory is read from. Implementations never throw. */
public interface RssSource {
  /** The server's resident set size in bytes now, or empty when it could not be read. */
  OptionalLong read();

  /** What it reads, for messages. */
  String describe();

  /**
   * Why this source stopped being read (a server past a bound), or null. Once set, {@link #read}
   * stays empty: a hostile endpoint is not asked again.
   */
  default String failure() {
    return null;
  }

  /** {@code process_resident_memory_bytes} from a Prometheus text endpoint, with the default bounds. */
  static RssSource prometheus(URI metricsUrl) {
    return prometheus(metricsUrl, Limits.DEFAULTS);
  }

  /**
   * {@code process_resident_memory_bytes} from a Prometheus text endpoint. Each read takes at most
   * {@code limits.maxMetricsBytes()} and {@link Limits#METRICS_TIMEOUT}; an answer past either
   * bound stops the reading for the rest of the run ({@link #failure()}).
   */
  static RssSource prometheus(URI metricsUrl, Limits limits) {
    HttpClient client = HttpClients.client(Duration.ofSeconds(2), limits.insecure());
    return new RssSource() {
      private volatile String failure;

      @Override
      public OptionalLong read() {
        if (failure != null) {
          return OptionalLong.empty();
        }
        try {
          HttpResponse<String> r = BoundedBody.send(client,
              HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(2)).GET().build(),
              limits.maxMetricsBytes(), Limits.METRICS_TIMEOUT);
          if (r.statusCode() != 200) {
            return OptionalLong.empty();
          }
          return prometheusValue(r.body(), "process_resident_memory_bytes");
        } catch (BoundedBody.TooLarge e) {
          failure = metricsUrl + ": " + e.getMessage() + " (--max-metrics " + Sizes.format(limits.maxMetricsBytes())
              + "); not read again";
          return OptionalLong.empty();
        } catch (BoundedBody.TooSlow e) { // its message names the time bound it passed
          failure = metricsUrl + ": " + e.getMessage() + "; not read again";
          return OptionalLong.empty();
        } catch (IOException e) {
          return OptionalLong.empty();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return OptionalLong.empty();
        }
      }

      @Override
      public String failure() {
        return failure;
      }

      @Override
      public String describe() {
        return "process_resident_memory_bytes from " + metricsUrl;
      }
    };
  }

  /**
   * {@code VmRSS} from {@code /proc/PID/status} of one process, or summed over several (the
   * instances of one stream, {@code --urls}): empty unless every one could be read.
   */
  static RssSource procStatus(List<Long> pids) {
    if (pids.size() == 1) {
      return procStatus(pids.get(0));
    }
    List<RssSource> each = pids.stream().map(RssSource::procStatus).toList();
    return new RssSource() {
      @Override
      public OptionalLong read() {
        long sum = 0;
        for (RssSource one : each) {
          OptionalLong v = one.read();
          if (v.isEmpty()) {
            return OptionalLong.empty();
          }
          sum += v.getAsLong();
        }
        return OptionalLong.of(sum);
      }

      @Override
      public String describe() {
        return "VmRSS summed over /proc/{" + pids.stream().map(String::valueOf).collect(Collectors.joining(","))
            + "}/status";
      }
    };
  }

  /** {@code VmRSS} from {@code /proc/PID/status}. */
  static RssSource procStatus(long pid) {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    return new RssSource() {
      @Override
      public OptionalLong read() {
        try {
          return vmRss(Files.readString(status, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
          return OptionalLong.empty();
        }
      }

      @Override
      public String describe() {
        return "VmRSS from " + status;
      }
    };
  }

  /** The value of an unlabelled (or first labelled) sample of {@code name} in Prometheus text. */
  static OptionalLong prometheusValue(String text, String name) {
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      String rest = line.substring(name.length());
      if (rest.startsWith("{")) {
        int close = rest.indexOf('}');
        if (close < 0) {
          continue;
        }
        rest = rest.substring(close + 1);
      } else if (!rest.startsWith(" ")) {
        continue; // a longer metric name with this prefix
      }
      String[] parts = rest.trim().split("\\s+");
      try {
        double v = Double.parseDouble(parts[0]);
        if (v >= 0 && !Double.isInfinite(v)) {
          return OptionalLong.of((long) v);
        }
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.empty();
  }

  /** {@code VmRSS:  12345 kB} in a {@code /proc/PID/status} text, in bytes. */
  static OptionalLong vmRss(String status) {
    for (String line : status.split("\n", -1)) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring(6).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }
}
