package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.delivery.FakeMxLookup;
import dev.headend.mail.delivery.MxLookup.MxRecord;
import dev.headend.mail.message.MessageStore;
import dev.headend.mail.smtp.SmtpServerConfig;
import dev.headend.mail.smtp.client.DeliveryResult;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult.Status;
import dev.headend.mail.smtp.client.SmtpClientConfig;
import dev.headend.mail.smtp.client.SmtpClientError;
import dev.headend.testkit.FreePorts;
import dev.headend.testkit.TestKeystore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our client against our server on loopback. */
class SmtpClientTest {
  @TempDir Path dir;

  static byte[] content(int size) {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'x');
    for (int i = 70; i < size; i += 72) {
      body[i] = '\r';
      body[i + 1 < size ? i + 1 : i] = '\n';
    }
    body[0] = '.'; // needs stuffing
    byte[] head = "Subject: client test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(head, head.length + size);
    System.arraycopy(body, 0, all, head.length, size);
    all[all.length - 2] = '\r';
    all[all.length - 1] = '\n';
    return all;
  }

  /** What the server stored after its Return-Path and Received header. */
  static byte[] body(byte[] stored) {
    String s = new String(stored, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("Subject: client test");
    return Arrays.copyOfRange(stored, at, stored.length);
  }

  /** A client that never uses TLS, with a 5 s timeout. */
  private static SmtpClient plainClient() {
    return new SmtpClient(
        SmtpClientConfig.builder("client.test").tls(SmtpClientConfig.TlsPolicy.NEVER).build(),
        null,
        Duration.ofSeconds(5),
        Clock.systemUTC());
  }

  @Test
  void startTlsThenAuthThenRelayedDelivery() throws Exception {
    TestKeystore tls = TestKeystore.create(dir);
    MessageStore store = MessageStore.maildir(dir.resolve("mail"));
    SmtpServerConfig cfg =
        SmtpServerConfig.builder("localhost")
            .localDomains("example.test")
            .startTls(true)
            .authenticator((u, p) -> u.equals("bob") && p.equals("pw"))
            .build();
    byte[] msg = content(300_000);
    try (SmtpServer server = SmtpServer.builder(cfg, store).tls(tls.server()).start()) {
      SmtpClient client =
          new SmtpClient(
              SmtpClientConfig.builder("client.test")
                  .tls(SmtpClientConfig.TlsPolicy.REQUIRED)
                  .auth("bob", "pw")
                  .build(),
              tls.client(),
              Duration.ofSeconds(5),
              Clock.systemUTC());
      DeliveryResult r =
          client.deliver(
              server.address(),
              "localhost",
              new OutgoingMessage("bob@example.test", List.of("x@elsewhere.test"), msg));
      assertTrue(r.allAccepted(), r.toString());
      assertTrue(r.tls());
      byte[] stored = store.read("x@elsewhere.test", store.list("x@elsewhere.test").get(0).id());
      assertTrue(new String(stored, StandardCharsets.UTF_8).contains("with ESMTPSA id"));
      assertArrayEquals(msg, body(stored));
    }
  }

  @Test
  void relayingWithoutAuthIsRefusedPerRecipient() throws Exception {
    MessageStore store = MessageStore.inMemory();
    SmtpServerConfig cfg =
        SmtpServerConfig.builder("localhost").localDomains("example.test").build();
    try (SmtpServer server = SmtpServer.builder(cfg, store).start()) {
      SmtpClient client = plainClient();
      DeliveryResult r =
          client.deliver(
              server.address(),
              "localhost",
              new OutgoingMessage(
                  "a@a.test", List.of("bob@example.test", "x@elsewhere.test"), content(500)));
      assertEquals(Status.ACCEPTED, r.recipients().get(0).status());
      assertEquals(Status.PERM_FAILED, r.recipients().get(1).status());
      assertEquals("5.7.1", r.recipients().get(1).reply().enhancedStatus());
      assertEquals(1, store.list("bob@example.test").size());
    }
  }

  @Test
  void requiredTlsAgainstAServerWithoutItFails() throws Exception {
    SmtpServerConfig cfg =
        SmtpServerConfig.builder("localhost").localDomains("example.test").build();
    try (SmtpServer server = SmtpServer.builder(cfg, MessageStore.inMemory()).start()) {
      SmtpClient client =
          new SmtpClient(
              SmtpClientConfig.builder("client.test")
                  .tls(SmtpClientConfig.TlsPolicy.REQUIRED)
                  .build(),
              javax.net.ssl.SSLContext.getDefault(),
              Duration.ofSeconds(5),
              Clock.systemUTC());
      DeliveryResult r =
          client.deliver(
              server.address(),
              "localhost",
              new OutgoingMessage("a@a.test", List.of("bob@example.test"), content(100)));
      assertEquals(SmtpClientError.TLS_NOT_OFFERED, r.error());
      assertEquals(Status.TEMP_FAILED, r.recipients().get(0).status());
    }
  }

  @Test
  void mxFallbackSkipsARefusedConnection() throws Exception {
    int port = FreePorts.tcpAndUdp();
    MessageStore store = MessageStore.inMemory();
    SmtpServerConfig cfg =
        SmtpServerConfig.builder("localhost").localDomains("example.test").build();
    InetAddress down = InetAddress.getByName("127.0.0.1"); // nothing listens there on this port
    InetAddress up = InetAddress.getByName("127.0.0.2");
    try (SmtpServer server =
        SmtpServer.builder(cfg, store).bind(new InetSocketAddress(up, port)).start()) {
      FakeMxLookup dns =
          new FakeMxLookup()
              .mx("example.test", new MxRecord(20, "mx2.example.test"), new MxRecord(10, "mx1"))
              .host("mx1", down)
              .host("mx2.example.test", up);
      SmtpClient client = plainClient();
      SmtpDeliverer mx = new SmtpDeliverer(client, dns, port, new Random(1));
      DeliveryResult r =
          mx.deliver(
              "example.test",
              new OutgoingMessage("a@a.test", List.of("bob@example.test"), content(100)));
      assertTrue(r.allAccepted(), r.toString());
      assertEquals(1, store.list("bob@example.test").size());
      assertEquals(server.address().getAddress(), up);
    }
  }

  @Test
  void nullMxBouncesWithoutConnecting() {
    FakeMxLookup dns = new FakeMxLookup().mx("nomail.test", new MxRecord(0, "."));
    SmtpClient client = plainClient();
    DeliveryResult r =
        new SmtpDeliverer(client, dns, 25, new Random(1))
            .deliver(
                "nomail.test",
                new OutgoingMessage("a@a.test", List.of("x@nomail.test"), content(100)));
    assertEquals(Status.PERM_FAILED, r.recipients().get(0).status());
    assertEquals("5.1.10", r.recipients().get(0).reply().enhancedStatus());
  }
}
