package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.message.MailMessage;
import dev.headend.mail.message.MessageStore;
import dev.headend.mail.smtp.SmtpServerConfig;
import dev.headend.testkit.TestKeystore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** A server with a maildir store, a test certificate, and helpers to check what was stored. */
final class InteropFixture implements AutoCloseable {
  final Path dir;
  final MessageStore store;
  final SmtpServer server;
  final TestKeystore tls;

  InteropFixture(Path dir, long maxMessageSize) throws Exception {
    this.dir = dir;
    this.tls = TestKeystore.create(dir);
    this.store = MessageStore.maildir(dir.resolve("maildir"));
    SmtpServerConfig config =
        SmtpServerConfig.builder("mx.example.test")
            .localDomains("example.test", "bücher.test")
            .maxMessageSize(maxMessageSize)
            .startTls(true)
            .authWithoutTls(true) // a test configuration: real peers try AUTH in clear too
            .authenticator((u, p) -> u.equals("bob") && p.equals("pw"))
            .build();
    this.server = SmtpServer.builder(config, store).tls(tls.server()).start();
  }

  String port() {
    return Integer.toString(server.address().getPort());
  }

  /**
   * A message of about {@code size} octets with CRLF lines, some starting with dots (which the
   * client must stuff), a Subject and a Message-Id.
   */
  static byte[] message(String subject, int size, long seed) {
    Random r = new Random(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream(size + 200);
    out.writeBytes(
        ("From: alice@sender.test\r\nTo: bob@example.test\r\nSubject: "
                + subject
                + "\r\nMessage-Id: <"
                + seed
                + "@sender.test>\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    String alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,;";
    while (out.size() < size) {
      int len = r.nextInt(120);
      StringBuilder line = new StringBuilder();
      if (r.nextInt(10) == 0) {
        line.append(r.nextBoolean() ? "." : "..");
      }
      for (int i = 0; i < len; i++) {
        line.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      out.writeBytes((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("end of message\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  Path write(String name, byte[] content) throws Exception {
    return Files.write(dir.resolve(name), content);
  }

  /** The only message in {@code mailbox}. */
  byte[] onlyMessage(String mailbox) throws Exception {
    List<MessageStore.StoredMessage> list = store.list(mailbox);
    assertEquals(1, list.size(), "messages in " + mailbox);
    return store.read(mailbox, list.get(0).id());
  }

  /**
   * Checks that the stored message is Return-Path, our Received header, then exactly {@code sent}
   * byte for byte; returns the Received header's value.
   */
  String assertStoredExactly(String mailbox, String sender, byte[] sent) throws Exception {
    byte[] stored = onlyMessage(mailbox);
    MailMessage m = MailMessage.parse(stored);
    assertEquals(Optional.of("<" + sender + ">"), m.header("Return-Path"));
    assertTrue(m.fields().get(0).is("Return-Path"));
    assertTrue(m.fields().get(1).is("Received"));
    int prefix = m.fields().get(0).raw().length + m.fields().get(1).raw().length;
    assertArrayEquals(sent, Arrays.copyOfRange(stored, prefix, stored.length), "bytes stored");
    return m.fields().get(1).value();
  }

  @Override
  public void close() {
    server.close();
  }
}
