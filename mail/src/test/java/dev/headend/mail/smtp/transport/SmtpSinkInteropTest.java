package dev.headend.mail.smtp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.delivery.DeliveryQueue;
import dev.headend.mail.delivery.FakeMxLookup;
import dev.headend.mail.delivery.MxLookup.MxRecord;
import dev.headend.mail.smtp.client.DeliveryResult;
import dev.headend.mail.smtp.client.DsnRequest;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult.Status;
import dev.headend.mail.smtp.client.SmtpClientConfig;
import dev.headend.testkit.FreePorts;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our client delivering to Postfix's smtp-sink on loopback. */
@Tag("interop")
@RequiresPeer(value = "smtp-sink", install = "apt-get install -y postfix")
class SmtpSinkInteropTest {
  @TempDir Path dir;

  /** Starts smtp-sink on {@code address:port}, dumping each transaction under {@code dump}. */
  private static Proc.Running sink(Path dump, InetAddress address, int port, String... options)
      throws Exception {
    Files.createDirectories(dump);
    List<String> cmd = new ArrayList<>(List.of("smtp-sink", "-u", "root", "-d", dump + "/%s."));
    cmd.addAll(List.of(options));
    cmd.add(address.getHostAddress() + ":" + port);
    cmd.add("64");
    Proc.Running p = Proc.start(cmd, Map.of());
    Instant until = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(until)) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address, port), 200);
        return p;
      } catch (IOException e) {
        assertTrue(p.isAlive(), "smtp-sink exited: " + p.stderr());
        Thread.sleep(50);
      }
    }
    throw new AssertionError("smtp-sink did not start: " + p.stderr());
  }

  private static List<String> dumps(Path dump) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dump)) {
      for (Path f : files.sorted().toList()) {
        out.add(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    return out;
  }

  /**
   * The one transaction smtp-sink dumped under {@code dump}, once it is complete (smtp-sink writes
   * the file while it receives and closes it after its reply, so the client may be done first).
   */
  private static String dumpOf(Path dump) throws Exception {
    Instant until = Instant.now().plusSeconds(10);
    while (true) {
      List<String> d = dumps(dump);
      if (d.size() == 1 && d.get(0).contains("\nend\n")) {
        return d.get(0);
      }
      if (Instant.now().isAfter(until)) {
        throw new AssertionError("no complete dump in " + dump + ": " + d);
      }
      Thread.sleep(20);
    }
  }

  private static SmtpClient client() throws Exception {
    return new SmtpClient(
        SmtpClientConfig.builder("client.test").build(),
        SSLContext.getDefault(),
        Duration.ofSeconds(10),
        Clock.systemUTC());
  }

  private static OutgoingMessage message(String... rcpts) {
    String text =
        "From: alice@a.test\r\nSubject: to the sink\r\n\r\n.starts with a dot\r\n"
            + "x".repeat(5000)
            + "\r\nend\r\n";
    return new OutgoingMessage(
        "alice@a.test", List.of(rcpts), text.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void pipelinedDeliveryToSmtpSink() throws Exception {
    int port = FreePorts.tcpAndUdp();
    Path dump = dir.resolve("dump");
    try (Proc.Running p = sink(dump, InetAddress.getLoopbackAddress(), port)) {
      assertTrue(p.isAlive(), p.stderr());
      DeliveryResult r =
          client()
              .deliver(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                  "localhost",
                  message("bob@b.test", "carol@b.test"));
      assertTrue(r.allAccepted(), r.toString());
      assertEquals("2.0.0", r.recipients().get(0).reply().enhancedStatus());
      String t = dumpOf(dump);
      assertTrue(t.contains("X-Helo-Args: client.test\n"), t);
      assertTrue(t.contains("X-Mail-Args: <alice@a.test>\n"), t); // smtp-sink offers no SIZE
      assertTrue(t.contains("X-Rcpt-Args: <bob@b.test>\n"), t);
      assertTrue(t.contains("X-Rcpt-Args: <carol@b.test>\n"), t);
      // the dump holds the content unstuffed, with LF line ends
      assertTrue(t.contains("\n.starts with a dot\n" + "x".repeat(5000) + "\nend\n"), t);
    }
  }

  /** RFC 3461 parameters reach a server that offers DSN, and are left out for one that does not. */
  @Test
  void dsnParametersOnlyWhereDsnIsOffered() throws Exception {
    OutgoingMessage m =
        message("bob@b.test", "carol@b.test")
            .withDsn(
                new DsnRequest(
                    DsnRequest.Return.HDRS,
                    "q+42",
                    EnumSet.of(DsnRequest.Notify.SUCCESS, DsnRequest.Notify.FAILURE),
                    Map.of("bob@b.test", "bob@b.test")));
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (boolean offered : new boolean[] {true, false}) {
      int port = FreePorts.tcpAndUdp();
      Path dump = dir.resolve("dump-" + offered);
      String[] options = offered ? new String[0] : new String[] {"-N"};
      try (Proc.Running p = sink(dump, lo, port, options)) {
        assertTrue(p.isAlive(), p.stderr());
        DeliveryResult r = client().deliver(new InetSocketAddress(lo, port), "localhost", m);
        assertTrue(r.allAccepted(), r.toString());
        String t = dumpOf(dump);
        if (offered) {
          assertTrue(t.contains("X-Mail-Args: <alice@a.test> RET=HDRS ENVID=q+2B42\n"), t);
          assertTrue(
              t.contains(
                  "X-Rcpt-Args: <bob@b.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@b.test\n"),
              t);
          assertTrue(t.contains("X-Rcpt-Args: <carol@b.test> NOTIFY=SUCCESS,FAILURE\n"), t);
        } else {
          assertTrue(t.contains("X-Mail-Args: <alice@a.test>\n"), t);
          assertTrue(t.contains("X-Rcpt-Args: <bob@b.test>\n"), t);
          assertTrue(t.contains("X-Rcpt-Args: <carol@b.test>\n"), t);
        }
      }
    }
  }

  @Test
  void mxFallbackToTheSecondExchangerWhenTheFirstIsDown() throws Exception {
    int port = FreePorts.tcpAndUdp();
    Path dump = dir.resolve("dump");
    InetAddress down = InetAddress.getByName("127.0.0.1");
    InetAddress up = InetAddress.getByName("127.0.0.2");
    FakeMxLookup dns =
        new FakeMxLookup()
            .mx("b.test", new MxRecord(20, "mx2.b.test"), new MxRecord(10, "mx1.b.test"))
            .host("mx1.b.test", down)
            .host("mx2.b.test", up);
    try (Proc.Running p = sink(dump, up, port)) {
      assertTrue(p.isAlive(), p.stderr());
      DeliveryResult r =
          new SmtpDeliverer(client(), dns, port, new Random(7))
              .deliver("b.test", message("bob@b.test"));
      assertTrue(r.allAccepted(), r.toString());
      String t = dumpOf(dump);
      assertTrue(t.contains("X-Rcpt-Args: <bob@b.test>"), t);
    }
  }

  @Test
  void fourXxIsRetriedByTheQueueUntilDelivered() throws Exception {
    int port = FreePorts.tcpAndUdp();
    InetAddress lo = InetAddress.getLoopbackAddress();
    FakeMxLookup dns = new FakeMxLookup().mx("b.test", new MxRecord(10, "mx.b.test"));
    dns.host("mx.b.test", lo);
    SmtpDeliverer mx = new SmtpDeliverer(client(), dns, port, new Random(7));
    DeliveryQueue queue = DeliveryQueue.builder().firstRetry(Duration.ofMinutes(15)).build();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    queue.submit(t0, message("bob@b.test"));

    // first: a sink that answers RCPT with 450 4.3.0
    try (Proc.Running p = sink(dir.resolve("soft"), lo, port, "-r", "RCPT")) {
      assertTrue(p.isAlive(), p.stderr());
      DeliveryQueue.Attempt a = queue.due(t0).get(0);
      DeliveryResult r = mx.deliver(a.domain(), a.message());
      assertEquals(Status.TEMP_FAILED, r.recipients().get(0).status(), r.toString());
      assertEquals(450, r.recipients().get(0).reply().code());
      queue.report(t0, a, r.recipients());
    }
    assertEquals(t0.plus(Duration.ofMinutes(15)), queue.pollTimeout());
    assertTrue(queue.due(t0.plus(Duration.ofMinutes(14))).isEmpty());

    // fifteen minutes later the server accepts
    Path dump = dir.resolve("dump");
    try (Proc.Running p = sink(dump, lo, port)) {
      assertTrue(p.isAlive(), p.stderr());
      Instant later = queue.pollTimeout();
      DeliveryQueue.Attempt a = queue.due(later).get(0);
      assertEquals(2, a.attempt());
      DeliveryResult r = mx.deliver(a.domain(), a.message());
      assertTrue(r.allAccepted(), r.toString());
      queue.report(later, a, r.recipients());
      dumpOf(dump);
    }
    assertEquals(0, queue.size());
    assertNull(queue.pollBounce());
  }

  @Test
  void fiveXxBecomesABounce() throws Exception {
    int port = FreePorts.tcpAndUdp();
    InetAddress lo = InetAddress.getLoopbackAddress();
    FakeMxLookup dns = new FakeMxLookup().mx("b.test", new MxRecord(10, "mx.b.test"));
    dns.host("mx.b.test", lo);
    DeliveryQueue queue = DeliveryQueue.builder().build();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    queue.submit(t0, message("bob@b.test"));
    try (Proc.Running p = sink(dir.resolve("hard"), lo, port, "-f", "RCPT")) {
      assertTrue(p.isAlive(), p.stderr());
      DeliveryQueue.Attempt a = queue.due(t0).get(0);
      DeliveryResult r =
          new SmtpDeliverer(client(), dns, port, new Random(7)).deliver("b.test", a.message());
      queue.report(t0, a, r.recipients());
    }
    var bounce = queue.pollBounce();
    assertNotNull(bounce);
    assertEquals(500, bounce.failed().get(0).reply().code());
    assertEquals(0, queue.size());
  }

  /**
   * A one-connection TCP relay that records what the client sends, read by read, so a test can see
   * which commands left together.
   */
  private static final class RecordingProxy implements AutoCloseable {
    final java.net.ServerSocket listener;
    final List<String> clientReads = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    RecordingProxy(InetSocketAddress target) throws IOException {
      listener = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      listener.setSoTimeout(10_000);
      thread =
          new Thread(
              () -> {
                try (Socket client = listener.accept();
                    Socket server = new Socket()) {
                  server.connect(target, 5000);
                  client.setSoTimeout(10_000);
                  server.setSoTimeout(10_000);
                  Thread back =
                      new Thread(() -> copy(server, client, null), "proxy-server-to-client");
                  back.setDaemon(true);
                  back.start();
                  copy(client, server, clientReads);
                  back.join(10_000);
                } catch (IOException | InterruptedException e) {
                  clientReads.add("proxy failed: " + e);
                }
              },
              "proxy-client-to-server");
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private static void copy(Socket from, Socket to, List<String> record) {
      byte[] buf = new byte[65536];
      try {
        for (int n; (n = from.getInputStream().read(buf)) >= 0; ) {
          if (record != null) {
            record.add(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          }
          to.getOutputStream().write(buf, 0, n);
        }
        to.shutdownOutput();
      } catch (IOException e) {
        if (record != null) {
          record.add("copy ended: " + e);
        }
      }
    }

    /** Waits until the relayed connection has ended (both directions copied). */
    void awaitDone() throws InterruptedException {
      thread.join(10_000);
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }

  @Test
  void mailRcptAndDataLeaveInOneWriteWhenSmtpSinkOffersPipelining() throws Exception {
    int port = FreePorts.tcpAndUdp();
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (Proc.Running p = sink(dir.resolve("dump"), lo, port);
        RecordingProxy proxy = new RecordingProxy(new InetSocketAddress(lo, port))) {
      assertTrue(p.isAlive(), p.stderr());
      DeliveryResult r =
          client().deliver(proxy.address(), "localhost", message("bob@b.test", "carol@b.test"));
      assertTrue(r.allAccepted(), r.toString());
      proxy.awaitDone();
      String batch =
          proxy.clientReads.stream().filter(c -> c.contains("MAIL FROM")).findFirst().orElse("");
      assertEquals(
          "MAIL FROM:<alice@a.test>\r\nRCPT TO:<bob@b.test>\r\nRCPT TO:<carol@b.test>\r\n"
              + "DATA\r\n",
          batch,
          String.valueOf(proxy.clientReads));
    }
  }
}
