package dev.ssekit.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for loopback TLS tests, made by the JDK's own {@code keytool}
 * (no network, no test keystore in the repository).
 *
 * @param keyStore the PKCS12 file holding the key and certificate (password {@link #PASSWORD}); a
 *     client given it as its trust store trusts this certificate
 * @param keyManagers the server's key material, for an {@link SSLContext} or Netty's
 *     {@code SslContextBuilder.forServer}
 */
public record TestCertificate(Path keyStore, KeyManagerFactory keyManagers) {

  /** The password of {@link #keyStore()}, its key and {@link #trustStore()}. */
  public static final String PASSWORD = "changeit";

  /**
   * Generates a two-day EC certificate into {@code dir} that names {@code localhost} and {@code 127.0.0.1}
   * as subject alternative names, so a client that checks host names (the JDK's HTTP client does, even when
   * it trusts any certificate) accepts it for either.
   */
  public static TestCertificate generate(Path dir) throws IOException, InterruptedException,
      GeneralSecurityException {
    return generate(dir, true);
  }

  /**
   * Generates a two-day EC certificate into {@code dir}: for {@code localhost} and {@code
   * 127.0.0.1} when {@code forLoopbackIp}, else for {@code localhost} only (so a client that
   * connects to 127.0.0.1 and checks host names refuses it even when it trusts it).
   */
  public static TestCertificate generate(Path dir, boolean forLoopbackIp) throws IOException, InterruptedException,
      GeneralSecurityException {
    Path keystore = dir.resolve(forLoopbackIp ? "server.p12" : "server-localhost-only.p12");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", forLoopbackIp ? "SAN=dns:localhost,ip:127.0.0.1" : "SAN=dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    return new TestCertificate(keystore, kmf);
  }

  /**
   * A PKCS12 trust store (password {@link #PASSWORD}) holding this certificate as a trusted entry,
   * for a client's {@code -Djavax.net.ssl.trustStore}.
   */
  public Path trustStore() throws IOException, InterruptedException {
    Path pem = keyStore.resolveSibling(keyStore.getFileName() + ".pem");
    Path trust = keyStore.resolveSibling("trust-" + keyStore.getFileName());
    keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
        "-file", pem.toString());
    keytool("-importcert", "-noprompt", "-alias", "server", "-file", pem.toString(), "-storetype", "PKCS12",
        "-keystore", trust.toString(), "-storepass", PASSWORD);
    return trust;
  }

  /** A server-side TLS context with this certificate. */
  public SSLContext serverContext() throws GeneralSecurityException {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, null);
    return tls;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("keytool " + args[0] + " could not make a test certificate: " + output);
    }
  }
}
