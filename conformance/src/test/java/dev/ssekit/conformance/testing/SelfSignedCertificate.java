package dev.ssekit.conformance.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for loopback TLS tests, made by the JDK's own {@code keytool}
 * (no network, no test keystore in the repository). It names {@code localhost} and
 * {@code 127.0.0.1} as subject alternative names, so a client that checks host names (the JDK's
 * HTTP client does, even when it trusts any certificate) accepts it for either.
 *
 * @param keyManagers the server's key material, for an {@link SSLContext} or Netty's
 *     {@code SslContextBuilder.forServer}
 */
public record SelfSignedCertificate(KeyManagerFactory keyManagers) {

  private static final String PASSWORD = "changeit";

  /** Generates a two-day EC certificate into {@code dir} and loads it. */
  public static SelfSignedCertificate generate(Path dir) throws IOException, InterruptedException,
      GeneralSecurityException {
    Path keystore = dir.resolve("server.p12");
    String keytool = System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool";
    Process gen = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gen.waitFor(60, TimeUnit.SECONDS) || gen.exitValue() != 0) {
      gen.destroyForcibly();
      throw new IllegalStateException("keytool could not make a test certificate: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    return new SelfSignedCertificate(kmf);
  }

  /** A server-side TLS context with this certificate. */
  public SSLContext serverContext() throws GeneralSecurityException {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, null);
    return tls;
  }
}
