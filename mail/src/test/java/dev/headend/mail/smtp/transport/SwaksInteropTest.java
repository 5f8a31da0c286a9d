package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("interop")
@RequiresPeer(value = "swaks", install = "apt-get install -y swaks")
class SwaksInteropTest {
  @TempDir Path dir;

  /**
   * swaks ends the data with CRLF "." CRLF after whatever the file holds (and adds an empty line if
   * the file already ends in CRLF), so the file holds the message without its final CRLF.
   */
  private static Path swaksFile(InteropFixture f, String name, byte[] msg) throws Exception {
    return f.write(name, java.util.Arrays.copyOf(msg, msg.length - 2));
  }

  private static Proc.Result swaks(InteropFixture f, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", f.port()));
    cmd.addAll(List.of("--helo", "swaks.test", "--from", "alice@sender.test"));
    cmd.addAll(List.of(args));
    return Proc.run(Duration.ofSeconds(60), cmd, java.util.Map.of());
  }

  @Test
  void plainDeliveryIsStoredByteForByte() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("plain", 4000, 1);
      Path file = swaksFile(f, "m.eml", msg);
      Proc.Result r = swaks(f, "--to", "bob@example.test", "--data", "@" + file).assertSuccess();
      assertTrue(r.stdout().contains("<-  250 2.0.0 Ok: queued as"), r.stdout());
      String received = f.assertStoredExactly("bob@example.test", "alice@sender.test", msg);
      assertTrue(received.startsWith("from swaks.test ([127.0.0.1])"), received);
      assertTrue(received.contains("with ESMTP id"), received);
    }
  }

  @Test
  void pipelinedTransactionWithSeveralRecipients() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("pipelined", 2000, 2);
      Path file = swaksFile(f, "m.eml", msg);
      Proc.Result r =
          swaks(
                  f,
                  "--pipeline",
                  "--to",
                  "bob@example.test,carol@example.test",
                  "--data",
                  "@" + file)
              .assertSuccess();
      // swaks sends MAIL, both RCPTs and DATA in one write when PIPELINING is offered
      assertTrue(
          r.stdout().contains(" -> MAIL FROM:<alice@sender.test>\n -> RCPT TO:<bob@example.test>"),
          r.stdout());
      f.assertStoredExactly("bob@example.test", "alice@sender.test", msg);
      f.assertStoredExactly("carol@example.test", "alice@sender.test", msg);
    }
  }

  @Test
  void authPlainAndLoginAllowRelaying() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("auth", 1000, 3);
      Path file = swaksFile(f, "m.eml", msg);
      Proc.Result denied = swaks(f, "--to", "x@elsewhere.test", "--data", "@" + file);
      assertNotEquals(0, denied.exitCode());
      assertTrue(denied.stdout().contains("550 5.7.1 Error: relaying denied"), denied.stdout());
      for (String mech : List.of("PLAIN", "LOGIN")) {
        Proc.Result r =
            swaks(
                    f,
                    "--auth",
                    mech,
                    "--auth-user",
                    "bob",
                    "--auth-password",
                    "pw",
                    "--to",
                    mech.toLowerCase(java.util.Locale.ROOT) + "@elsewhere.test",
                    "--data",
                    "@" + file)
                .assertSuccess();
        assertTrue(r.stdout().contains("235 2.7.0 Authentication successful"), r.stdout());
        String received =
            f.assertStoredExactly(
                mech.toLowerCase(java.util.Locale.ROOT) + "@elsewhere.test",
                "alice@sender.test",
                msg);
        assertTrue(received.contains("with ESMTPA id"), received);
      }
      Proc.Result wrong =
          swaks(
              f,
              "--auth",
              "PLAIN",
              "--auth-user",
              "bob",
              "--auth-password",
              "nope",
              "--to",
              "bob@example.test");
      assertTrue(wrong.stdout().contains("535 5.7.8"), wrong.stdout());
    }
  }

  @Test
  void startTlsWithATestCertificate() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("tls", 3000, 4);
      Path file = swaksFile(f, "m.eml", msg);
      Proc.Result r =
          swaks(
                  f,
                  "--tls",
                  "--auth",
                  "LOGIN",
                  "--auth-user",
                  "bob",
                  "--auth-password",
                  "pw",
                  "--to",
                  "bob@example.test",
                  "--data",
                  "@" + file)
              .assertSuccess();
      assertTrue(r.stdout().contains("TLS started"), r.stdout());
      String received = f.assertStoredExactly("bob@example.test", "alice@sender.test", msg);
      assertTrue(received.contains("with ESMTPSA id"), received);
    }
  }

  @Test
  void aFiveMegabyteMessage() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("big", 5 << 20, 5);
      Path file = swaksFile(f, "big.eml", msg);
      swaks(f, "--to", "bob@example.test", "--data", "@" + file).assertSuccess();
      f.assertStoredExactly("bob@example.test", "alice@sender.test", msg);
    }
  }

  @Test
  void aMessageOverTheSizeLimitIsRefusedWith552() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 1 << 20)) {
      String ehlo =
          swaks(f, "--to", "bob@example.test", "--quit-after", "EHLO").assertSuccess().stdout();
      assertTrue(ehlo.contains("250-SIZE 1048576"), ehlo);
      byte[] msg = InteropFixture.message("too big", 2 << 20, 6);
      Path file = swaksFile(f, "big.eml", msg);
      Proc.Result r = swaks(f, "--to", "bob@example.test", "--data", "@" + file);
      assertNotEquals(0, r.exitCode());
      assertTrue(
          r.stdout().contains("552 5.3.4 Message size exceeds fixed maximum message size"),
          r.stdout());
      assertEquals(0, f.store.list("bob@example.test").size());
    }
  }
}
