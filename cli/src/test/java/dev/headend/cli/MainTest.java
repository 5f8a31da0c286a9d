package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.FreePorts;
import dev.headend.tftp.MemorySink;
import dev.headend.tftp.TftpSink;
import dev.headend.tftp.TransferOptions;
import dev.headend.tftp.transport.TftpClientTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

class MainTest extends CommandTest {

  @Test
  void usageAndExitCodes() {
    assertEquals(2, run());
    assertTrue(out.toString().contains("usage: headend serve"));
    assertEquals(0, run("help"));
    assertEquals(0, run("serve", "--help"));
    assertEquals(2, run("frobnicate"));
    assertTrue(err.toString().contains("unknown command frobnicate"));
    assertEquals(2, run("serve", "--dns-port", "70000"));
    assertTrue(err.toString().contains("port out of range: 70000"));
    assertEquals(2, run("serve", "--bind", "localhost"));
    assertTrue(err.toString().contains("--bind: expected a decimal octet"), err.toString());
    assertEquals(2, run("serve", "--zone", "no-equals-sign"));
    assertEquals(2, run("serve", "--root-hint", "[::1"));
    assertTrue(err.toString().contains("missing ']'"), err.toString());
    assertEquals(2, run("serve", "--dns-port"));
    assertTrue(err.toString().contains("--dns-port needs a value"));
  }

  @Test
  void aBrokenZoneFileStopsTheStartWithItsLine(@TempDir Path dir) throws Exception {
    Path zone = dir.resolve("bad.zone");
    Files.writeString(zone, "$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 10.0.0.300\n");
    assertEquals(1, run("serve", "--dns-port", "0", "--zone", "bad.test=" + zone));
    assertTrue(err.toString().contains("bad.zone:4"), err.toString());
  }

  @Test
  void serveAnswersForTheEmbeddedZoneUntilStopped(@TempDir Path tftpRoot, @TempDir Path mailDir)
      throws Exception {
    Files.writeString(tftpRoot.resolve("boot.cfg"), "config for a modem\n");
    CountDownLatch stop = new CountDownLatch(1);
    int dnsPort = FreePorts.tcpAndUdp();
    PrintStream printer = new PrintStream(out, true, StandardCharsets.UTF_8);
    CompletableFuture<Integer> status =
        CompletableFuture.supplyAsync(
            () ->
                Main.run(
                    List.of(
                        "serve",
                        "--dns-port",
                        Integer.toString(dnsPort),
                        "--udp-threads",
                        "1",
                        "--resolver-port",
                        "0",
                        "--root-hint",
                        "127.0.0.1:" + dnsPort,
                        "--tftp-port",
                        "0",
                        "--tftp-root",
                        tftpRoot.toString(),
                        "--smtp-port",
                        "0",
                        "--mail-dir",
                        mailDir.toString()),
                    printer,
                    printer,
                    stop));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!out.toString().contains("ready") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Matcher m =
        Pattern.compile("udp\\+tcp 127\\.0\\.0\\.1:(\\d+)  zone example\\.test\\.")
            .matcher(out.toString());
    assertTrue(m.find(), out.toString());
    SimpleResolver resolver = new SimpleResolver("127.0.0.1");
    resolver.setPort(Integer.parseInt(m.group(1)));
    resolver.setTimeout(Duration.ofSeconds(5));
    Message response =
        resolver.send(
            Message.newQuery(
                Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN)));
    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(response.getHeader().getFlag(Flags.AA));
    assertEquals(
        "127.0.0.11",
        ((ARecord) response.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
    // the resolver starts at the authoritative server of the same serve, as if it were the root
    Matcher r =
        Pattern.compile("recursive      udp\\+tcp 127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
    assertTrue(r.find(), out.toString());
    SimpleResolver recursive = new SimpleResolver("127.0.0.1");
    recursive.setPort(Integer.parseInt(r.group(1)));
    recursive.setTimeout(Duration.ofSeconds(5));
    Message resolved =
        recursive.send(
            Message.newQuery(
                Record.newRecord(Name.fromString("alias.example.test."), Type.A, DClass.IN)));
    assertEquals(Rcode.NOERROR, resolved.getRcode());
    assertTrue(resolved.getHeader().getFlag(Flags.RA));
    assertEquals(2, resolved.getSection(Section.ANSWER).size(), resolved.toString());
    // TFTP serves the given folder
    Matcher t = Pattern.compile("tftp +udp +127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
    assertTrue(t.find(), out.toString());
    try (TftpClientTransport tftp = TftpClientTransport.open(InetAddress.getLoopbackAddress())) {
      MemorySink sink = TftpSink.toMemory(1000);
      tftp.read(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(t.group(1))),
              "boot.cfg",
              sink,
              TransferOptions.defaults())
          .get(10, TimeUnit.SECONDS);
      assertEquals("config for a modem\n", new String(sink.toByteArray(), StandardCharsets.UTF_8));
    }
    // SMTP accepts mail for example.test into a maildir per recipient
    Matcher smtp = Pattern.compile("smtp +tcp +127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
    assertTrue(smtp.find(), out.toString());
    try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(smtp.group(1)))) {
      socket.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertTrue(in.readLine().startsWith("220 "));
      socket
          .getOutputStream()
          .write(
              ("EHLO test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<bob@example.test>\r\n"
                      + "RCPT TO:<x@elsewhere.test>\r\nDATA\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()).startsWith("250-")) {
        // the EHLO reply
      }
      assertEquals("250 2.1.0 Ok", in.readLine());
      assertEquals("250 2.1.5 Ok", in.readLine());
      assertEquals("550 5.7.1 Error: relaying denied", in.readLine(), "no open relay");
      assertTrue(in.readLine().startsWith("354"));
      socket
          .getOutputStream()
          .write("Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(in.readLine().startsWith("250 2.0.0 Ok: queued as"));
      assertTrue(in.readLine().startsWith("221"));
    }
    try (Stream<Path> files = Files.list(mailDir.resolve("bob@example.test").resolve("new"))) {
      List<Path> stored = files.toList();
      assertEquals(1, stored.size());
      assertTrue(Files.readString(stored.get(0)).endsWith("Subject: hi\r\n\r\nhello\r\n"));
    }
    stop.countDown();
    assertEquals(0, status.get(10, TimeUnit.SECONDS));
    assertTrue(out.toString().contains("stopped"));
  }
}
