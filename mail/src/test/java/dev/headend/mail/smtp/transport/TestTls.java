package dev.headend.mail.smtp.transport;

import dev.headend.testkit.Proc;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A throw-away server certificate made by the JDK's keytool for each test run; never committed. */
final class TestTls {
  static final char[] PASSWORD = "changeit".toCharArray();
  final Path keystore;
  final SSLContext server;
  final SSLContext client;

  private TestTls(Path keystore, SSLContext server, SSLContext client) {
    this.keystore = keystore;
    this.server = server;
    this.client = client;
  }

  static TestTls create(Path dir) throws Exception {
    Path ks = dir.resolve("smtp.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Proc.run(
            Duration.ofSeconds(60),
            keytool.toString(),
            "-genkeypair",
            "-alias",
            "smtp",
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
            new String(PASSWORD),
            "-keystore",
            ks.toString())
        .assertSuccess();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return new TestTls(ks, server, client);
  }
}
