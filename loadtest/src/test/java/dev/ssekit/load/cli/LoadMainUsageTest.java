package dev.ssekit.load.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Usage errors end with exit status 2 and a one-line reason, before Gatling starts. */
class LoadMainUsageTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LoadMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void aNonLoopbackTargetIsRefused() {
    assertThat(run("--url", "http://example.com/events")).isEqualTo(2);
    assertThat(err.toString()).contains("not a loopback address");
  }

  @Test
  void aNonLoopbackPublishOrMetricsUrlIsRefused() {
    assertThat(run("--url", "http://127.0.0.1:1/events", "--publish-url", "http://10.1.1.1/publish")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/events", "--metrics-url", "http://192.168.0.1/metrics")).isEqualTo(2);
    assertThat(err.toString()).contains("--publish-url: ").contains("--metrics-url: ");
  }

  @Test
  void theUrlIsRequired() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("--url");
  }

  @Test
  void badValuesAreRefused() {
    assertThat(run("--url", "http://127.0.0.1:1/e", "--hold", "10")).isEqualTo(2);
    assertThat(err.toString()).contains("not a duration");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--connections", "0")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--rate", "0")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "soak")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "reconnect-storm", "--hold", "1s")).isEqualTo(2);
    assertThat(err.toString()).contains("--hold must be between 2s");
    assertThat(run("--url", "http://127.0.0.1:1/e", "--metrics-url", "http://127.0.0.1:1/m", "--server-pid", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("not both");
  }

  @Test
  void scenariosAndOptionsStillToComeSaySo() {
    assertThat(run("--url", "http://127.0.0.1:1/e", "--scenario", "capacity")).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/e", "--baseline", "x.json")).isEqualTo(2);
    assertThat(run("merge", "a")).isEqualTo(2);
    assertThat(err.toString()).contains("not available yet");
  }

  @Test
  void helpIsNotAnError() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--connections").contains("--publish-url");
  }
}
