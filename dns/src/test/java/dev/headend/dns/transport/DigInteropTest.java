package dev.headend.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.DnsServerEvent;
import dev.headend.dns.server.Zone;
import dev.headend.dns.server.ZoneSet;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** BIND's dig and Knot's kdig, as independent clients, against our server over real sockets. */
@Tag("interop")
@RequiresPeer(value = "dig", install = "apt-get install -y bind9-dnsutils")
@RequiresPeer(value = "kdig", install = "apt-get install -y knot-dnsutils")
class DigInteropTest {
  private static DnsServer dns;
  private static final List<DnsServerEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    List<Zone> zones = new ArrayList<>();
    for (String[] z :
        new String[][] {
          {"example.test.zone", "example.test."}, {"child.example.test.zone", "child.example.test."}
        }) {
      try (InputStream in = DigInteropTest.class.getResourceAsStream("/zones/" + z[0])) {
        zones.add(Zone.parse(in, Name.fromString(z[1]), z[0]));
      }
    }
    AuthoritativeServer server =
        AuthoritativeServer.builder()
            .zones(ZoneSet.of(zones))
            .allowTransfer(IpPrefix.parse("127.0.0.0/8"))
            .build();
    dns =
        DnsServer.builder(server)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .udpThreads(2)
            .onEvent(events::add)
            .daemon(true)
            .start();
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  private static String dig(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", port(), "+tries=1", "+time=5"));
    cmd.addAll(List.of(args));
    return Proc.run(Duration.ofSeconds(30), cmd, java.util.Map.of()).assertSuccess().stdout();
  }

  private static String kdig(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("kdig", "@127.0.0.1", "-p", port(), "+retry=0", "+time=5"));
    cmd.addAll(List.of(args));
    return Proc.run(Duration.ofSeconds(30), cmd, java.util.Map.of()).assertSuccess().stdout();
  }

  private static String port() {
    return Integer.toString(dns.udpAddress().getPort());
  }

  private static String flags(String out) {
    Matcher m = Pattern.compile(";; flags: ([a-z ]+);").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1).trim();
  }

  private static String status(String out) {
    Matcher m = Pattern.compile("status: ([A-Z]+)").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  private static List<String> section(String out, String name) {
    List<String> lines = new ArrayList<>();
    boolean in = false;
    for (String line : out.split("\n")) {
      if (line.startsWith(";; " + name + " SECTION:")) {
        in = true;
      } else if (in && (line.isBlank() || line.startsWith(";;"))) {
        break;
      } else if (in) {
        lines.add(line.replaceAll("\\s+", " ").trim());
      }
    }
    return lines;
  }

  @Test
  void digGetsAnAuthoritativeAnswer() throws Exception {
    String out = dig("www.example.test", "A");
    assertEquals("NOERROR", status(out));
    assertEquals("qr aa rd", flags(out));
    assertEquals(List.of("www.example.test. 300 IN A 192.0.2.11"), section(out, "ANSWER"));
    assertFalse(out.contains("mismatch") || out.contains("Warning"), out);
    assertTrue(
        out.contains("WARNING: recursion requested but not available"), "we are not recursive");
  }

  @Test
  void digSeesAReferralWithGlueAndNoAaFlag() throws Exception {
    String out = dig("host.sub.example.test", "A", "+norec");
    assertEquals("NOERROR", status(out));
    assertEquals("qr", flags(out));
    assertTrue(section(out, "ANSWER").isEmpty(), out);
    assertTrue(
        section(out, "AUTHORITY").contains("sub.example.test. 300 IN NS ns.sub.example.test."),
        out);
    assertTrue(
        section(out, "ADDITIONAL").contains("ns.sub.example.test. 300 IN A 192.0.2.53"), out);
  }

  @Test
  void digSeesNxdomainWithTheSoaAtItsNegativeTtl() throws Exception {
    String out = dig("missing.example.test", "A");
    assertEquals("NXDOMAIN", status(out));
    assertTrue(flags(out).contains("aa"));
    List<String> authority = section(out, "AUTHORITY");
    assertEquals(1, authority.size(), out);
    assertTrue(
        authority
            .get(0)
            .startsWith(
                "example.test. 60 IN SOA ns1.example.test. hostmaster.example.test. 2026112501"),
        out);
  }

  @Test
  void digRetriesOverTcpWhenTheAnswerIsTruncated() throws Exception {
    String out = dig("+noedns", "big.example.test", "TXT");
    assertTrue(out.contains(";; Truncated, retrying in TCP mode."), out);
    assertEquals("NOERROR", status(out));
    assertEquals(10, section(out, "ANSWER").size(), out);
  }

  @Test
  void digTransfersTheZone() throws Exception {
    String out = dig("axfr", "example.test");
    List<String> records = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.startsWith(";") && !line.isBlank()) {
        records.add(line.replaceAll("\\s+", " "));
      }
    }
    assertTrue(records.get(0).startsWith("example.test. 300 IN SOA"), out);
    assertTrue(records.get(records.size() - 1).startsWith("example.test. 300 IN SOA"), out);
    Matcher size = Pattern.compile("XFR size: (\\d+) records").matcher(out);
    assertTrue(size.find(), out);
    assertEquals(records.size(), Integer.parseInt(size.group(1)));
    assertTrue(records.contains("alias.example.test. 300 IN CNAME www.example.test."), out);
    assertTrue(
        events.stream()
            .anyMatch(
                e -> e instanceof DnsServerEvent.TransferSent t && t.records() == records.size()),
        events.toString());
  }

  @Test
  void digKeepsTheCaseOfItsQuestion() throws Exception {
    String out = dig("wWw.ExAmPlE.tEsT", "AAAA");
    assertEquals("NOERROR", status(out));
    assertFalse(out.contains("mismatch"), "no question mismatch: " + out);
    assertTrue(section(out, "QUESTION").get(0).startsWith(";wWw.ExAmPlE.tEsT. IN AAAA"), out);
  }

  @Test
  void digIsRefusedOutsideOurZonesAndInOtherClasses() throws Exception {
    assertEquals("REFUSED", status(dig("www.example.org", "A")));
    assertEquals("REFUSED", status(dig("version.bind", "TXT", "CH")));
  }

  @Test
  void kdigSeesOurEdnsAndTheEchoedDoBit() throws Exception {
    String out = kdig("+edns", "+dnssec", "www.example.test", "AAAA");
    assertTrue(out.contains("status: NOERROR"), out);
    Matcher edns = Pattern.compile(";; Version: 0; flags: do; UDP size: (\\d+) B").matcher(out);
    assertTrue(edns.find(), out);
    assertEquals(AuthoritativeServer.DEFAULT_UDP_PAYLOAD, Integer.parseInt(edns.group(1)));
    assertTrue(
        out.replaceAll("\\s+", " ").contains("www.example.test. 300 IN AAAA 2001:db8::11"), out);
  }

  @Test
  void kdigOverTcpAndKdigAxfrAgreeWithUdp() throws Exception {
    String tcp = kdig("+tcp", "mail.example.test", "A");
    assertTrue(tcp.contains("TCP"), tcp);
    assertTrue(tcp.replaceAll("\\s+", " ").contains("mail.example.test. 300 IN A 192.0.2.12"), tcp);
    String axfr = kdig("example.test", "AXFR");
    assertTrue(axfr.contains("Received") && axfr.contains("records"), axfr);
    assertTrue(
        axfr.replaceAll("\\s+", " ").contains("ns.sub.example.test. 300 IN A 192.0.2.53"), axfr);
  }

  @Test
  void kdigSeesWildcardsSynthesizedForItsName() throws Exception {
    String out = kdig("whatever.wild.example.test", "TXT");
    assertTrue(
        out.replaceAll("\\s+", " ")
            .contains("whatever.wild.example.test. 300 IN TXT \"synthesized\""),
        out);
  }
}
