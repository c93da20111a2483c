package dev.ssekit.conformance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.testkit.ReferenceServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./ssekit server --help} lists every endpoint the server answers (issue 14: it omitted
 * {@code GET /} and {@code POST /admin/disconnect}), and each endpoint it lists answers on a real
 * server: the help is read back from the jar, not from a copy of its text.
 */
class ReferenceServerHelpTest {

  private static final Pattern ENDPOINT = Pattern.compile("(?m)^\\s+(GET|POST)\\s+(/\\S*)");

  @Test
  void theHelpListsEveryEndpointAndEachAnswers() throws Exception {
    Process p = new ProcessBuilder(ReferenceServerProcess.java(), "-jar", ReferenceServerProcess.jar().toString(), "--help").redirectErrorStream(true).start();
    String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(help).isZero();

    List<String[]> endpoints = new ArrayList<>();
    Matcher m = ENDPOINT.matcher(help);
    while (m.find()) endpoints.add(new String[] {m.group(1), m.group(2)});
    List<String> listed = endpoints.stream().map(e -> e[0] + " " + e[1]).toList();
    assertThat(listed).as(help).contains("GET /events[?topic=T]", "POST /publish[?topic=T]", "POST /admin/disconnect",
        "GET /metrics,", "GET /scenarios[/NAME[/expected]]", "GET /");
    assertThat(help).contains("/healthz");

    try (ReferenceServerProcess server = ReferenceServerProcess.start("--tick", "0")) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      List<String> paths = new ArrayList<>();
      for (String[] e : endpoints) {
        String path = e[1].replaceAll("\\[.*$", "").replaceAll(",$", "");
        paths.add(e[0] + " " + path);
      }
      paths.add("GET /healthz");
      for (String endpoint : paths) {
        String method = endpoint.substring(0, endpoint.indexOf(' '));
        String path = endpoint.substring(endpoint.indexOf(' ') + 1);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(5));
        if (method.equals("POST")) {
          b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"data\":\"help\"}"));
        }
        if (path.equals("/events")) {
          // The stream never ends: its head is the answer.
          HttpResponse<java.io.InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
          r.body().close();
          assertThat(r.statusCode()).as(endpoint).isEqualTo(200);
          continue;
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(endpoint + ": " + r.body()).isBetween(200, 299);
      }
    }
  }
}
