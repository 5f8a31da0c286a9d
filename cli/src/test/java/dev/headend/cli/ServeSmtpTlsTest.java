package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import dev.headend.testkit.TestKeystore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `headend serve` with a TLS keystore: swaks delivers over STARTTLS on the SMTP port and over
 * implicit TLS on the SMTPS port, and both messages land in the maildir.
 */
class ServeSmtpTlsTest {
  @TempDir Path dir;

  private ServeOptions options(Path keystore, Path password, String... more) throws UsageException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--smtp-port", "0",
                "--mail-dir", dir.resolve("mail").toString(),
                "--smtp-tls-keystore", keystore.toString(),
                "--smtp-tls-password-file", password.toString()));
    args.addAll(List.of(more));
    return QuietOptions.with(args.toArray(String[]::new));
  }

  private static Proc.Result swaks(String port, String tlsFlag, String body) throws IOException {
    return Proc.run(
            Duration.ofSeconds(60),
            List.of(
                "swaks",
                "--server",
                "127.0.0.1",
                "--port",
                port,
                tlsFlag,
                "--helo",
                "swaks.test",
                "--from",
                "alice@sender.test",
                "--to",
                "bob@example.test",
                "--body",
                body),
            Map.of())
        .assertSuccess();
  }

  @Test
  @RequiresPeer(value = "swaks", install = "apt-get install -y swaks")
  void swaksDeliversOverStartTlsAndImplicitTls() throws Exception {
    TestKeystore ks = TestKeystore.create(dir);
    Path password = Files.writeString(dir.resolve("password"), new String(ks.password()) + "\n");
    try (Serve serve = Serve.start(options(ks.keystore(), password, "--smtps-port", "0"))) {
      assertTrue(String.join("\n", serve.description()).contains(", STARTTLS"));
      Proc.Result starttls = swaks(ServePorts.tcp(serve, "smtp"), "--tls", "sent after STARTTLS");
      assertTrue(starttls.stdout().contains("-> STARTTLS"), starttls.stdout());
      assertTrue(starttls.stdout().contains("TLS started"), starttls.stdout());
      Proc.Result implicit =
          swaks(ServePorts.tcp(serve, "smtps"), "--tlsc", "sent over implicit TLS");
      assertTrue(implicit.stdout().contains("TLS started"), implicit.stdout());
      assertTrue(implicit.stdout().contains("250 2.0.0 Ok: queued as"), implicit.stdout());
    }
    List<String> stored = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("mail/bob@example.test/new"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        stored.add(Files.readString(f));
      }
    }
    assertEquals(2, stored.size(), stored.toString());
    assertTrue(stored.stream().anyMatch(m -> m.contains("sent after STARTTLS")), stored.toString());
    assertTrue(
        stored.stream().anyMatch(m -> m.contains("sent over implicit TLS")), stored.toString());
  }

  @Test
  void aWrongPasswordStopsTheStartWithTheKeystoresName() throws Exception {
    TestKeystore ks = TestKeystore.create(dir);
    Path password = Files.writeString(dir.resolve("password"), "not-it\n");
    IOException e =
        assertThrows(
            IOException.class, () -> Serve.start(options(ks.keystore(), password)).close());
    assertTrue(e.getMessage().contains("cannot use the keystore " + ks.keystore()), e.toString());
  }

  @Test
  void aKeystoreWithoutAPrivateKeyIsRefused() throws Exception {
    TestKeystore ks = TestKeystore.create(dir);
    KeyStore full = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks.keystore())) {
      full.load(in, ks.password());
    }
    KeyStore certsOnly = KeyStore.getInstance("PKCS12");
    certsOnly.load(null, null);
    certsOnly.setCertificateEntry("trusted", full.getCertificate("server"));
    Path file = dir.resolve("certs-only.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      certsOnly.store(out, ks.password());
    }
    Path password = Files.writeString(dir.resolve("password"), new String(ks.password()));
    IOException e =
        assertThrows(IOException.class, () -> Serve.start(options(file, password)).close());
    assertTrue(e.getMessage().contains("no private key"), e.toString());
    assertTrue(Files.notExists(dir.resolve("mail")), "no mail folder for a refused start");
  }

  @Test
  void aMissingPasswordFileIsNamed() throws Exception {
    TestKeystore ks = TestKeystore.create(dir);
    Path missing = dir.resolve("no-such.pass");
    IOException e =
        assertThrows(IOException.class, () -> Serve.start(options(ks.keystore(), missing)).close());
    assertTrue(e.getMessage().contains("cannot read the password file " + missing), e.toString());
  }

  private static String usageError(String... args) {
    return assertThrows(UsageException.class, () -> ServeOptions.parse(List.of(args))).getMessage();
  }

  @Test
  void tlsOptionsGoTogether() {
    String together = "--smtp-tls-keystore and --smtp-tls-password-file go together";
    assertEquals(together, usageError("--smtp-tls-keystore", "ks.p12"));
    assertEquals(together, usageError("--smtp-tls-password-file", "pw"));
    assertEquals("--smtps-port needs --smtp-tls-keystore", usageError("--smtps-port", "0"));
    assertTrue(
        usageError(
                "--smtp-port", "-1",
                "--smtp-tls-keystore", "ks.p12",
                "--smtp-tls-password-file", "pw",
                "--smtps-port", "0")
            .contains("need the SMTP server"));
    assertEquals(
        "--smtps-port and --smtp-port are both 5025",
        usageError(
            "--smtp-tls-keystore", "ks.p12",
            "--smtp-tls-password-file", "pw",
            "--smtps-port", "5025"));
  }
}
