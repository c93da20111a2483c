package dev.ssekit.conformance.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The stream's --header values (credentials) are sent to the stream's own origin only. */
class SameOriginTest {
  @Test
  void originIsSchemeHostAndPortWithDefaultsFilledIn() {
    URI stream = URI.create("https://api.example.test/events");
    assertThat(BrowserHeaders.sameOrigin(URI.create("https://API.example.test:443/publish"), stream)).isTrue();
    assertThat(BrowserHeaders.sameOrigin(URI.create("http://api.example.test/metrics"), stream)).isFalse();
    assertThat(BrowserHeaders.sameOrigin(URI.create("https://api.example.test:9090/metrics"), stream)).isFalse();
    assertThat(BrowserHeaders.sameOrigin(URI.create("https://metrics.example.test/metrics"), stream)).isFalse();
    assertThat(BrowserHeaders.sameOrigin(URI.create("http://127.0.0.1/m"), URI.create("http://127.0.0.1:80/events"))).isTrue();
  }
}
