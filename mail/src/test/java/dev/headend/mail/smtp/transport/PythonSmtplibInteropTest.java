package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("interop")
@RequiresPeer(value = "python3", install = "apt-get install -y python3")
class PythonSmtplibInteropTest {
  @TempDir Path dir;

  /** Runs a python script with {@code argv[1..]} = port, file. */
  private static Proc.Result python(String script, InteropFixture f, Path file) throws Exception {
    return Proc.run(
        Duration.ofSeconds(60),
        List.of("python3", "-c", script, f.port(), file.toString()),
        Map.of("PYTHONIOENCODING", "utf-8"));
  }

  @Test
  void sendmailIsStoredByteForByte() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg = InteropFixture.message("python", 300_000, 11);
      Path file = f.write("m.eml", msg);
      String script =
          """
          import smtplib, sys
          s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.test')
          code, _ = s.ehlo('py.test')
          assert code == 250 and s.has_extn('pipelining') and s.has_extn('size')
          refused = s.sendmail('alice@sender.test', ['bob@example.test'], open(sys.argv[2], 'rb').read())
          print('refused', refused)
          print('quit', s.quit()[0])
          """;
      Proc.Result r = python(script, f, file).assertSuccess();
      assertTrue(r.stdout().contains("refused {}\nquit 221"), r.stdout());
      String received = f.assertStoredExactly("bob@example.test", "alice@sender.test", msg);
      assertTrue(received.startsWith("from py.test ([127.0.0.1])"), received);
    }
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMailFrom() throws Exception {
    // smtplib declares SIZE= on MAIL FROM when the server offers SIZE (RFC 1870)
    try (InteropFixture f = new InteropFixture(dir, 1 << 20)) {
      Path file = f.write("big.eml", InteropFixture.message("big", 2 << 20, 12));
      String script =
          """
          import smtplib, sys
          s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
          try:
              s.sendmail('alice@sender.test', ['bob@example.test'], open(sys.argv[2], 'rb').read())
              print('accepted')
          except smtplib.SMTPSenderRefused as e:
              print('refused', e.smtp_code, e.smtp_error.decode())
          s.quit()
          """;
      Proc.Result r = python(script, f, file).assertSuccess();
      assertTrue(
          r.stdout().contains("refused 552 5.3.4 Message size exceeds fixed maximum message size"),
          r.stdout());
      assertEquals(0, f.store.list("bob@example.test").size());
    }
  }

  @Test
  void startTlsLoginAndSmtpUtf8() throws Exception {
    try (InteropFixture f = new InteropFixture(dir, 10 << 20)) {
      byte[] msg =
          "From: jörg@sender.test\r\nTo: björn@bücher.test\r\nSubject: grüße\r\n\r\nhej\r\n"
              .getBytes(StandardCharsets.UTF_8);
      Path file = f.write("utf8.eml", msg);
      String script =
          """
          import smtplib, ssl, sys
          s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
          s.starttls(context=ssl._create_unverified_context())
          s.login('bob', 'pw')
          refused = s.sendmail('jörg@sender.test', ['björn@bücher.test'],
                               open(sys.argv[2], 'rb').read(), mail_options=['SMTPUTF8'])
          print('refused', refused, 'tls', s.sock.version())
          s.quit()
          """;
      Proc.Result r = python(script, f, file).assertSuccess();
      assertTrue(r.stdout().contains("refused {} tls TLSv1.3"), r.stdout());
      String received = f.assertStoredExactly("björn@bücher.test", "jörg@sender.test", msg);
      assertTrue(received.contains("with UTF8SMTPSA id"), received);
    }
  }
}
