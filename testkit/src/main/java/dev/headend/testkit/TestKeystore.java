package dev.headend.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away TLS server identity for one test run: a PKCS12 keystore with an EC key and a
 * self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made by the JDK's {@code
 * keytool} (never committed), and the matching server and client {@link SSLContext}s.
 *
 * @param keystore the PKCS12 file
 * @param password its password (also the key's)
 * @param server a context serving the certificate
 * @param client a context trusting only the certificate
 */
public record TestKeystore(Path keystore, char[] password, SSLContext server, SSLContext client) {

  /** Creates {@code server.p12} (alias {@code server}) in {@code dir}. */
  public static TestKeystore create(Path dir) throws IOException, GeneralSecurityException {
    char[] password = "changeit".toCharArray();
    Path ks = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Proc.run(
            Duration.ofSeconds(60),
            keytool.toString(),
            "-genkeypair",
            "-alias",
            "server",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-storepass",
            new String(password),
            "-keystore",
            ks.toString())
        .assertSuccess();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return new TestKeystore(ks, password, server, client);
  }
}
