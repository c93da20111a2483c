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
import java.util.OptionalLong;

/** Where the server's resident memory is read from. Implementations never throw. */
public interface RssSource {
  /** The server's resident set size in bytes now, or empty when it could not be read. */
  OptionalLong read();

  /** What it reads, for messages. */
  String describe();

  /** {@code process_resident_memory_bytes} from a Prometheus text endpoint. */
  static RssSource prometheus(URI metricsUrl) {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    return new RssSource() {
      @Override
      public OptionalLong read() {
        try {
          HttpResponse<String> r =
              client.send(
                  HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(2)).GET().build(),
                  HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
          if (r.statusCode() != 200) {
            return OptionalLong.empty();
          }
          return prometheusValue(r.body(), "process_resident_memory_bytes");
        } catch (IOException e) {
          return OptionalLong.empty();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return OptionalLong.empty();
        }
      }

      @Override
      public String describe() {
        return "process_resident_memory_bytes from " + metricsUrl;
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
