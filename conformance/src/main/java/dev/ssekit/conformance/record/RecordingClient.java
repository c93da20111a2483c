package dev.ssekit.conformance.record;

import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TrustAllStrategy;
import org.apache.hc.core5.ssl.SSLContexts;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The httpclient5 client one {@link Recorder} sends everything through: pooled for many open
 * streams, with nothing done behind the recording's back (no content decompression, retries or
 * cookies) and socket and response timeouts long enough that the recorder's own deadlines decide
 * when a recording ends. With {@code --insecure} it trusts any certificate and any host name.
 */
final class RecordingClient implements AutoCloseable {

  private final PoolingHttpClientConnectionManager manager;
  private final CloseableHttpClient http;

  RecordingClient(boolean insecure) {
    PoolingHttpClientConnectionManagerBuilder cm = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(1024).setMaxConnPerRoute(1024)
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.ofSeconds(10)).setSocketTimeout(Timeout.ofMinutes(30)).build());
    if (insecure) {
      // Trust any certificate and any name: CLIENT policy turns off the JDK's own endpoint check too.
      cm.setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(trustAll())
          .setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
          .setHostnameVerifier(NoopHostnameVerifier.INSTANCE).buildClassic());
    }
    this.manager = cm.build();
    this.http = HttpClients.custom()
        .setConnectionManager(manager)
        .disableContentCompression() // record what the server sent; checks decide about codings
        .disableAutomaticRetries()
        .disableCookieManagement()
        .setDefaultRequestConfig(RequestConfig.custom()
            .setResponseTimeout(Timeout.ofMinutes(30)) // bounded by our own deadlines instead
            .setMaxRedirects(10).build())
        .build();
  }

  /** The client. */
  CloseableHttpClient http() {
    return http;
  }

  /** Closes the pooled connections no request is using. */
  void closeIdle() {
    manager.closeIdle(TimeValue.ZERO_MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    http.close();
  }

  private static SSLContext trustAll() {
    try {
      return SSLContexts.custom().loadTrustMaterial(TrustAllStrategy.INSTANCE).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a trust-all TLS context", e);
    }
  }
}
