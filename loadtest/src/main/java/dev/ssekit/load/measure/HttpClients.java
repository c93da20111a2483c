package dev.ssekit.load.measure;

import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** The JDK HTTP clients the load tester publishes and reads metrics with. */
final class HttpClients {
  private HttpClients() {}

  /**
   * An HTTP/1.1 client. It checks certificates against the JDK's trust store and host names, as
   * the JDK does, unless {@code insecure} ({@code --insecure}), when it trusts any certificate for
   * any host name. The trust manager is an {@link X509ExtendedTrustManager}: the JDK wraps a plain
   * {@code X509TrustManager} in one that still checks the host name, so only the extended form's
   * (empty) checks leave the name unchecked, for this client alone and not the whole process.
   */
  static HttpClient client(Duration connectTimeout, boolean insecure) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout);
    if (insecure) {
      b.sslContext(trustAll());
    }
    return b.build();
  }

  private static SSLContext trustAll() {
    X509ExtendedTrustManager any = new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {any}, null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JDK: " + e, e);
    }
  }
}
