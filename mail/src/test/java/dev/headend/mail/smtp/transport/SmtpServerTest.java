package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.message.MessageStore;
import dev.headend.mail.smtp.MessageMemory;
import dev.headend.mail.smtp.SmtpServerConfig;
import dev.headend.testkit.TestKeystore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpServerTest {
  @TempDir Path dir;

  private static SmtpServerConfig.Builder config() {
    return SmtpServerConfig.builder("mx.example.test").localDomains("example.test");
  }

  /** A store that waits for a latch before storing, or fails. */
  private static final class GatedStore implements MessageStore {
    final MessageStore inner = MessageStore.inMemory();
    final CountDownLatch open = new CountDownLatch(1);
    volatile boolean fail;

    @Override
    public StoredMessage append(String mailbox, byte[] content) throws IOException {
      try {
        if (!open.await(20, TimeUnit.SECONDS)) {
          throw new IOException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      if (fail) {
        throw new IOException("disk full");
      }
      return inner.append(mailbox, content);
    }

    @Override
    public List<StoredMessage> list(String mailbox) throws IOException {
      return inner.list(mailbox);
    }

    @Override
    public byte[] read(String mailbox, String id) throws IOException {
      return inner.read(mailbox, id);
    }

    @Override
    public boolean delete(String mailbox, String id) throws IOException {
      return inner.delete(mailbox, id);
    }
  }

  private static String body(byte[] stored) {
    String s = new String(stored, StandardCharsets.UTF_8);
    return s.substring(s.indexOf("\r\n", s.indexOf("; ")) + 2);
  }

  @Test
  void aMailboxMappingThatThrowsGets451AndTheServerGoesOn() throws Exception {
    try (SmtpServer server =
            SmtpServer.builder(config().build(), MessageStore.inMemory())
                .mailboxOf(
                    r -> {
                      if (r.startsWith("broken")) {
                        throw new IllegalStateException("no mailbox for " + r);
                      }
                      return r;
                    })
                .start();
        LineClient c = new LineClient(server.address())) {
      assertTrue(c.reply().startsWith("220"));
      c.command("EHLO client.test");
      for (String to : List.of("broken@example.test", "bob@example.test")) {
        c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<" + to + ">\r\nDATA\r\n");
        c.reply();
        c.reply();
        assertTrue(c.reply().startsWith("354"));
        c.write("Subject: hi\r\n\r\nhello\r\n.\r\n");
        String reply = c.reply();
        assertTrue(
            to.startsWith("broken") ? reply.startsWith("451 4.3.0") : reply.startsWith("250"),
            to + ": " + reply);
      }
    }
  }

  @Test
  void aClientThatVanishesMidDataGivesItsMessageMemoryBack() throws Exception {
    MessageMemory memory = MessageMemory.of(4 << 20);
    try (SmtpServer server =
        SmtpServer.builder(config().messageMemory(memory).build(), MessageStore.inMemory())
            .start()) {
      try (LineClient c = new LineClient(server.address())) {
        assertTrue(c.reply().startsWith("220"));
        c.command("EHLO client.test");
        c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
        c.reply();
        c.reply();
        assertTrue(c.reply().startsWith("354"));
        c.write("Subject: never ends\r\n\r\n" + "line of text\r\n".repeat(30_000));
        for (int i = 0; i < 500 && memory.used() < 300_000; i++) {
          Thread.sleep(10);
        }
        assertTrue(memory.used() >= 300_000, "the message is being held: " + memory);
        c.abort(); // a reset, not an end of input: only the transport's close says it is gone
      }
      for (int i = 0; i < 500 && memory.used() > 0; i++) {
        Thread.sleep(10);
      }
      assertEquals(0, memory.used(), "given back when the connection closed");
    }
  }

  @Test
  void theReplyToDataComesOnlyAfterTheStoreReturned() throws Exception {
    GatedStore store = new GatedStore();
    try (SmtpServer server = SmtpServer.builder(config().build(), store).start();
        LineClient c = new LineClient(server.address());
        LineClient other = new LineClient(server.address())) {
      assertTrue(c.reply().startsWith("220 mx.example.test"));
      c.command("EHLO client.test");
      // the whole transaction pipelined in one write (RFC 2920)
      c.write(
          "MAIL FROM:<alice@sender.test>\r\nRCPT TO:<Bob@example.test>\r\n"
              + "RCPT TO:<carol@example.test>\r\nDATA\r\n");
      assertEquals("250 2.1.0 Ok\r\n", c.reply());
      assertEquals("250 2.1.5 Ok\r\n", c.reply());
      assertEquals("250 2.1.5 Ok\r\n", c.reply());
      assertTrue(c.reply().startsWith("354"));
      c.write("Subject: hi\r\n\r\n..dot\r\n.\r\nNOOP\r\n");
      assertThrows(SocketTimeoutException.class, () -> shortRead(c), "no 250 before the store");
      // meanwhile another connection is served
      assertTrue(other.reply().startsWith("220"));
      assertTrue(other.command("NOOP").startsWith("250"));
      store.open.countDown();
      assertTrue(c.reply().startsWith("250 2.0.0 Ok: queued as c1.1"), "the 250 after storing");
      assertEquals("250 2.0.0 Ok\r\n", c.reply(), "the pipelined NOOP waited behind it");
      for (String box : List.of("bob@example.test", "carol@example.test")) {
        List<MessageStore.StoredMessage> stored = store.list(box);
        assertEquals(1, stored.size(), box);
        byte[] bytes = store.read(box, stored.get(0).id());
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Return-Path: <alice@sender.test>\r\nReceived: from "), text);
        assertEquals("Subject: hi\r\n\r\n.dot\r\n", body(bytes));
      }
      assertTrue(c.command("QUIT").startsWith("221"));
      assertTrue(c.closedByServer());
    }
  }

  /** Reads with a short timeout; throws SocketTimeoutException when nothing comes. */
  private static void shortRead(LineClient c) throws IOException {
    c.withTimeout(700, c::reply);
  }

  @Test
  void aFailingStoreGives451AndTheSessionGoesOn() throws Exception {
    GatedStore store = new GatedStore();
    store.fail = true;
    store.open.countDown();
    try (SmtpServer server = SmtpServer.builder(config().build(), store).start();
        LineClient c = new LineClient(server.address())) {
      c.reply();
      c.command("EHLO client.test");
      c.command("MAIL FROM:<a@sender.test>");
      c.command("RCPT TO:<bob@example.test>");
      c.command("DATA");
      assertEquals("451 4.3.0 Error: cannot store the message; try later\r\n", c.command("x\r\n."));
      assertEquals("250 2.1.0 Ok\r\n", c.command("MAIL FROM:<a@sender.test>"));
    }
  }

  @Test
  void startTlsThenAuthThenMailOverTheJdkSslEngine() throws Exception {
    TestKeystore tls = TestKeystore.create(dir);
    MessageStore store = MessageStore.maildir(dir.resolve("mail"));
    SmtpServerConfig cfg =
        config().startTls(true).authenticator((u, p) -> u.equals("bob") && p.equals("pw")).build();
    try (SmtpServer server = SmtpServer.builder(cfg, store).tls(tls.server()).start();
        LineClient c = new LineClient(server.address())) {
      c.reply();
      String ehlo = c.command("EHLO client.test");
      assertTrue(ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"), ehlo);
      assertEquals("220 2.0.0 Ready to start TLS\r\n", c.command("STARTTLS"));
      c.startTls(tls.client());
      String secure = c.command("EHLO client.test");
      assertTrue(secure.contains("AUTH PLAIN LOGIN") && !secure.contains("STARTTLS"), secure);
      assertTrue(c.command("AUTH PLAIN AGJvYgBwdw==").startsWith("235 2.7.0"));
      c.command("MAIL FROM:<bob@example.test>");
      assertTrue(c.command("RCPT TO:<x@elsewhere.test>").startsWith("250"), "authenticated relay");
      c.command("DATA");
      byte[] big = new byte[200_000];
      Arrays.fill(big, (byte) 'a');
      for (int i = 998; i < big.length; i += 1000) {
        big[i] = '\r';
        big[i + 1] = '\n';
      }
      c.write(big);
      assertTrue(c.command("\r\n.").startsWith("250 2.0.0"));
      assertTrue(c.command("QUIT").startsWith("221"));
      List<MessageStore.StoredMessage> stored = store.list("x@elsewhere.test");
      byte[] bytes = store.read("x@elsewhere.test", stored.get(0).id());
      assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("with ESMTPSA id"));
      byte[] expected = Arrays.copyOf(big, big.length + 2);
      expected[big.length] = '\r';
      expected[big.length + 1] = '\n';
      assertArrayEquals(expected, body(bytes).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * A handshake whose tasks are held on their executor does not hold up the I/O thread: another
   * client of the same thread completes a whole transaction meanwhile, and the handshake finishes
   * once its tasks have run.
   */
  @Test
  void aHandshakeWaitingForItsTasksDoesNotStallOtherConnections() throws Exception {
    TestKeystore tls = TestKeystore.create(dir);
    LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
    MessageStore store = MessageStore.inMemory();
    try (SmtpServer server =
            SmtpServer.builder(config().startTls(true).build(), store)
                .tls(tls.server())
                .tlsTasks(held::add)
                .ioThreads(1) // both clients on the one I/O thread
                .start();
        LineClient a = new LineClient(server.address());
        LineClient b = new LineClient(server.address())) {
      a.reply();
      a.command("EHLO a.test");
      assertEquals("220 2.0.0 Ready to start TLS\r\n", a.command("STARTTLS"));
      CompletableFuture<Void> handshake =
          CompletableFuture.runAsync(
              () -> {
                try {
                  a.startTls(tls.client());
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      Runnable first = held.poll(10, TimeUnit.SECONDS);
      assertNotNull(first, "the handshake's tasks went to the executor");

      b.reply();
      b.command("EHLO b.test");
      b.command("MAIL FROM:<b@sender.test>");
      b.command("RCPT TO:<bob@example.test>");
      b.command("DATA");
      assertTrue(b.command("from b\r\n.").startsWith("250 2.0.0"));
      assertEquals(1, store.list("bob@example.test").size());
      assertFalse(handshake.isDone(), "a is still waiting for its handshake");

      first.run();
      while (!handshake.isDone()) {
        Runnable next = held.poll(20, TimeUnit.MILLISECONDS);
        if (next != null) {
          next.run();
        }
      }
      handshake.get();
      assertTrue(a.command("EHLO a.test").startsWith("250-mx.example.test"));
    }
  }

  @Test
  void implicitTlsFromTheFirstByte() throws Exception {
    TestKeystore tls = TestKeystore.create(dir);
    MessageStore store = MessageStore.inMemory();
    try (SmtpServer server =
            SmtpServer.builder(config().implicitTls(true).build(), store)
                .tls(tls.server())
                .start();
        LineClient c = new LineClient(server.address())) {
      c.startTls(tls.client());
      assertTrue(c.reply().startsWith("220 mx.example.test"));
      String ehlo = c.command("EHLO client.test");
      assertTrue(!ehlo.contains("STARTTLS"), ehlo);
      c.command("MAIL FROM:<a@sender.test>");
      c.command("RCPT TO:<bob@example.test>");
      c.command("DATA");
      assertTrue(c.command("hello\r\n.").startsWith("250 2.0.0"));
      assertEquals(1, store.list("bob@example.test").size());
    }
  }

  @Test
  void plaintextToAnImplicitTlsPortClosesOnlyThatConnection() throws Exception {
    TestKeystore tls = TestKeystore.create(dir);
    try (SmtpServer server =
            SmtpServer.builder(config().implicitTls(true).build(), MessageStore.inMemory())
                .tls(tls.server())
                .start();
        LineClient bad = new LineClient(server.address());
        LineClient good = new LineClient(server.address())) {
      bad.write("EHLO client.test\r\n".repeat(100));
      good.startTls(tls.client());
      assertTrue(good.reply().startsWith("220"));
      assertTrue(bad.drainUntilClosed(), "the server closed the plaintext connection");
      assertTrue(good.command("NOOP").startsWith("250"), "the other connection is unaffected");
    }
  }

  @Test
  void theEnginesCommandTimeoutClosesTheConnectionWith421() throws Exception {
    SmtpServerConfig cfg = config().commandTimeout(java.time.Duration.ofMillis(300)).build();
    try (SmtpServer server = SmtpServer.builder(cfg, MessageStore.inMemory()).start();
        LineClient c = new LineClient(server.address())) {
      c.reply();
      long start = System.nanoTime();
      assertEquals("421 4.4.2 mx.example.test Error: timeout exceeded\r\n", c.reply());
      assertTrue(System.nanoTime() - start >= 250_000_000L, "not before the deadline");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void tlsIsRequiredWhenTheConfigurationAsksForIt() {
    assertThrows(
        IllegalStateException.class,
        () -> SmtpServer.builder(config().startTls(true).build(), MessageStore.inMemory()).start());
  }
}
