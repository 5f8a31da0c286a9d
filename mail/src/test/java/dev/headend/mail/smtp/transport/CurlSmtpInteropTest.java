package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("interop")
@RequiresPeer(value = "curl", install = "apt-get install -y curl")
class CurlSmtpInteropTest {
  @TempDir Path dir;

  @Test
  void uploadFileIsStoredByteForByte() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("curl", 1_000_000, 21);
      Path file = f.write("m.eml", msg);
      Proc.run(
              Duration.ofSeconds(60),
              "curl",
              "-sS",
              "--url",
              "smtp://127.0.0.1:" + f.port() + "/curl.test",
              "--mail-from",
              "alice@sender.test",
              "--mail-rcpt",
              "bob@example.test",
              "--mail-rcpt",
              "carol@example.test",
              "--upload-file",
              file.toString())
          .assertSuccess();
      String received = f.assertStoredExactly("bob@example.test", "alice@sender.test", msg);
      assertTrue(received.startsWith("from curl.test ([127.0.0.1])"), received);
      f.assertStoredExactly("carol@example.test", "alice@sender.test", msg);
    }
  }

  @Test
  void startTlsRequiredWithAuth() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("curl tls", 5000, 22);
      Path file = f.write("m.eml", msg);
      Proc.Result r =
          Proc.run(
                  Duration.ofSeconds(60),
                  "curl",
                  "-sS",
                  "-v",
                  "--ssl-reqd",
                  "--insecure",
                  "--url",
                  "smtp://127.0.0.1:" + f.port() + "/curl.test",
                  "--user",
                  "bob:pw",
                  "--mail-from",
                  "alice@sender.test",
                  "--mail-rcpt",
                  "x@elsewhere.test",
                  "--upload-file",
                  file.toString())
              .assertSuccess();
      assertTrue(r.stderr().contains("STARTTLS"), r.stderr());
      String received = f.assertStoredExactly("x@elsewhere.test", "alice@sender.test", msg);
      assertTrue(received.contains("with ESMTPSA id"), received);
    }
  }
}
