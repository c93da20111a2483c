package dev.ssekit.load.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.load.measure.Publisher;
import dev.ssekit.testkit.TestCertificate;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --insecure} for the JDK clients (publishing, metrics), in this JVM, with no process-wide
 * property: a certificate naming another host is accepted. Before, the plain X509TrustManager was
 * wrapped by the JDK into one that still checked the host name, and only the CLI's process-wide
 * {@code jdk.internal.httpclient.disableHostnameVerification} hid it (not set on the Maven route).
 */
class InsecureClientsTest {
  @TempDir Path tmp;

  @Test
  void anInsecurePublisherAcceptsACertificateForAnotherHost() throws Exception {
    TestCertificate cert = TestCertificate.generate(tmp, false); // names localhost; the URL says 127.0.0.1
    try (BrokenSseServer server = new BrokenSseServer(BrokenSseServer.Fault.SLOW_RELAY, cert.serverContext());
         Publisher publisher = new Publisher(URI.create(server.base() + "/publish"), Publisher.Format.RAW, "run", 20, true)) {
      publisher.start(System.currentTimeMillis() + 300);
      for (int i = 0; i < 100 && publisher.published() + publisher.failed() == 0; i++) { // 10 s at most
        Thread.sleep(100);
      }
      publisher.close();
      assertThat(publisher.lastFailure()).isNull();
      assertThat(publisher.published()).isPositive();
    }
  }
}
