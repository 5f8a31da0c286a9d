package dev.headend.dns.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.dns.resolver.IterativeResolver;
import dev.headend.dns.resolver.Resolution;
import dev.headend.dns.resolver.RootHints;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.Zone;
import dev.headend.dns.server.ZoneSet;
import dev.headend.testkit.FreePorts;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import dev.headend.testkit.RequiresRoot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The root → TLD → authoritative walk on real sockets: three of our authoritative servers on
 * 127.0.54.1-3 port 53 (NS and glue carry no port), a fourth zone served by NSD on 127.0.54.4, our
 * resolver walking them from root hints, and unbound walking the same hierarchy for comparison.
 */
@Tag("interop")
@RequiresRoot("authoritative servers on port 53 of 127.0.54.x")
@RequiresPeer(value = "dig", install = "apt-get install -y bind9-dnsutils")
@RequiresPeer(value = "unbound", install = "apt-get install -y unbound")
@RequiresPeer(value = "nsd", install = "apt-get install -y nsd")
class ResolverWalkInteropTest {
  private static final String ROOT =
      """
      $ORIGIN .
      $TTL 3600
      @ SOA a.root.test. hostmaster.root.test. 1 1800 900 604800 300
      @ NS a.root.test.
      a.root.test. A 127.0.54.1
      test. NS ns.nic.test.
      ns.nic.test. A 127.0.54.2
      """;
  private static final String TEST =
      """
      $ORIGIN test.
      $TTL 3600
      @ SOA ns.nic hostmaster.nic 1 1800 900 604800 300
      @ NS ns.nic
      ns.nic A 127.0.54.2
      example NS ns1.example
      ns1.example A 127.0.54.3
      nsd NS ns.nsd
      ns.nsd A 127.0.54.4
      """;
  private static final String EXAMPLE =
      """
      $ORIGIN example.test.
      $TTL 300
      @ SOA ns1 hostmaster 2026112501 1800 900 604800 60
      @ NS ns1
      ns1 A 127.0.54.3
      www A 127.0.0.11
      www AAAA ::1
      alias CNAME www
      across CNAME www.nsd.test.
      @ MX 10 mail
      mail A 127.0.0.12
      big TXT "%s" "%s" "%s" "%s" "%s" "%s"
      """
          .formatted(
              "a".repeat(250),
              "b".repeat(250),
              "c".repeat(250),
              "d".repeat(250),
              "e".repeat(250),
              "f".repeat(250));
  private static final String NSD_ZONE =
      """
      $ORIGIN nsd.test.
      $TTL 300
      @ SOA ns hostmaster 7 1800 900 604800 60
      @ NS ns
      ns A 127.0.54.4
      www A 127.0.0.44
      """;

  private static final List<AutoCloseable> running = new ArrayList<>();
  private static RecursiveDnsServer ours;
  private static int unboundPort;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    authoritative("127.0.54.1", ROOT, ".");
    authoritative("127.0.54.2", TEST, "test.");
    authoritative("127.0.54.3", EXAMPLE, "example.test.");

    Files.writeString(dir.resolve("nsd.test.zone"), NSD_ZONE);
    Files.writeString(
        dir.resolve("nsd.conf"),
        String.join(
            "\n",
            "server:",
            "  ip-address: 127.0.54.4",
            "  port: 53",
            "  username: \"\"",
            "  zonesdir: \"" + dir + "\"",
            "  database: \"\"",
            "  zonelistfile: \"" + dir + "/zone.list\"",
            "  pidfile: \"" + dir + "/nsd.pid\"",
            "  xfrdfile: \"" + dir + "/xfrd.state\"",
            "  server-count: 1",
            "remote-control:",
            "  control-enable: no",
            "zone:",
            "  name: nsd.test",
            "  zonefile: nsd.test.zone",
            ""));
    Proc.Running nsd = Proc.start("nsd", "-d", "-c", dir.resolve("nsd.conf").toString());
    running.add(nsd);
    waitFor("127.0.54.4", 53, "www.nsd.test", nsd);

    IterativeResolver resolver =
        IterativeResolver.builder(RootHints.of(new InetSocketAddress("127.0.54.1", 53))).build();
    ours =
        RecursiveDnsServer.builder(resolver)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .daemon(true)
            .start();
    running.add(ours);

    unboundPort = FreePorts.tcpAndUdp();
    Files.writeString(
        dir.resolve("root.hints"),
        ". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.54.1\n");
    Files.writeString(
        dir.resolve("unbound.conf"),
        String.join(
            "\n",
            "server:",
            "  interface: 127.0.0.1",
            "  port: " + unboundPort,
            "  do-ip6: no",
            "  do-not-query-localhost: no",
            "  root-hints: \"" + dir.resolve("root.hints") + "\"",
            "  module-config: \"iterator\"",
            "  local-zone: \"test.\" nodefault",
            "  username: \"\"",
            "  chroot: \"\"",
            "  directory: \"" + dir + "\"",
            "  pidfile: \"" + dir + "/unbound.pid\"",
            "  use-syslog: no",
            "  access-control: 127.0.0.0/8 allow",
            "remote-control:",
            "  control-enable: no",
            ""));
    Proc.Running unbound =
        Proc.start("unbound", "-d", "-c", dir.resolve("unbound.conf").toString());
    running.add(unbound);
    waitFor("127.0.0.1", unboundPort, "www.example.test", unbound);
  }

  private static void authoritative(String ip, String zoneText, String origin) throws Exception {
    Zone zone = Zone.fromText(Name.fromString(origin), zoneText);
    running.add(
        DnsServer.builder(AuthoritativeServer.builder().zones(ZoneSet.of(zone)).build())
            .bind(new InetSocketAddress(ip, 53))
            .daemon(true)
            .start());
  }

  private static void waitFor(String ip, int port, String name, Proc.Running process)
      throws Exception {
    for (int i = 0; i < 100; i++) {
      Proc.Result r =
          Proc.run(
              Duration.ofSeconds(5),
              "dig",
              "@" + ip,
              "-p",
              Integer.toString(port),
              "+tries=1",
              "+time=1",
              name);
      if (r.exitCode() == 0 && r.stdout().contains("status: NOERROR")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no answer on " + ip + ":" + port + "\n" + process.stdout() + process.stderr());
  }

  @AfterAll
  static void stop() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
  }

  private static String dig(int port, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+tries=1", "+time=5"));
    cmd.addAll(List.of(args));
    return Proc.run(Duration.ofSeconds(30), cmd, Map.of()).assertSuccess().stdout();
  }

  /** The answer section as "name type data" lines, TTLs dropped (they differ with timing). */
  private static List<String> answers(String digOutput) {
    List<String> lines = new ArrayList<>();
    boolean in = false;
    for (String line : digOutput.split("\n")) {
      if (line.startsWith(";; ANSWER SECTION:")) {
        in = true;
      } else if (in && (line.isBlank() || line.startsWith(";;"))) {
        break;
      } else if (in) {
        String[] f = line.trim().split("\\s+", 5);
        lines.add(f[0] + " " + f[3] + " " + f[4]);
      }
    }
    return lines;
  }

  private static String status(String out) {
    var m = Pattern.compile("status: ([A-Z]+)").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  @Test
  void ourResolverWalksRootTldAndZoneAndAgreesWithUnbound() throws Exception {
    for (String[] q :
        new String[][] {
          {"www.example.test", "A"},
          {"alias.example.test", "A"},
          {"www.example.test", "AAAA"},
          {"example.test", "MX"},
          {"across.example.test", "A"}
        }) {
      String mine = dig(ours.address().getPort(), q[0], q[1]);
      String theirs = dig(unboundPort, q[0], q[1]);
      assertEquals("NOERROR", status(mine), mine);
      assertTrue(mine.contains(";; flags: qr rd ra;"), mine);
      assertEquals(answers(theirs), answers(mine), q[0] + " " + q[1] + "\n" + mine + "\n" + theirs);
      assertTrue(!answers(mine).isEmpty(), mine);
    }
  }

  @Test
  void negativeAnswersAgreeWithUnbound() throws Exception {
    for (String[] q :
        new String[][] {
          {"nothing.example.test", "A"}, {"www.example.test", "TXT"}, {"nothing.nsd.test", "A"}
        }) {
      String mine = dig(ours.address().getPort(), q[0], q[1]);
      String theirs = dig(unboundPort, q[0], q[1]);
      assertEquals(status(theirs), status(mine), q[0] + "\n" + mine + "\n" + theirs);
      assertTrue(answers(mine).isEmpty());
    }
  }

  @Test
  void ourResolverReadsNsdAsAnAuthority() throws Exception {
    Resolution r = ours.resolve(Name.fromString("www.nsd.test."), Type.A).get(20, TimeUnit.SECONDS);
    assertEquals(Rcode.NOERROR, r.rcode());
    assertEquals(
        List.of("127.0.0.44"),
        r.answer().stream().map(x -> x.rdataToString()).collect(Collectors.toList()));
  }

  @Test
  void theStubResolverGetsTheSameAnswersFromUnboundAndFromOurs() throws Exception {
    try (StubResolver viaUnbound =
            StubResolver.start(List.of(new InetSocketAddress("127.0.0.1", unboundPort)));
        StubResolver viaOurs = StubResolver.start(List.of(ours.address()))) {
      for (String name :
          List.of(
              "www.example.test.",
              "alias.example.test.",
              "across.example.test.",
              "nothing.example.test.")) {
        org.xbill.DNS.Message a =
            viaUnbound.query(Name.fromString(name), Type.A).get(20, TimeUnit.SECONDS);
        org.xbill.DNS.Message b =
            viaOurs.query(Name.fromString(name), Type.A).get(20, TimeUnit.SECONDS);
        assertEquals(a.getRcode(), b.getRcode(), name);
        assertEquals(
            a.getSection(org.xbill.DNS.Section.ANSWER).stream()
                .map(r -> r.getName() + " " + r.rdataToString())
                .collect(Collectors.toList()),
            b.getSection(org.xbill.DNS.Section.ANSWER).stream()
                .map(r -> r.getName() + " " + r.rdataToString())
                .collect(Collectors.toList()),
            name);
      }
      org.xbill.DNS.Message big =
          viaOurs.query(Name.fromString("big.example.test."), Type.TXT).get(20, TimeUnit.SECONDS);
      assertEquals(
          1, big.getSection(org.xbill.DNS.Section.ANSWER).size(), "truncated, then asked over TCP");
    }
  }

  @Test
  void truncatedAnswersTravelOverTcpUpstreamAndToTheClient() throws Exception {
    String out = dig(ours.address().getPort(), "+noedns", "big.example.test", "TXT");
    assertTrue(out.contains(";; Truncated, retrying in TCP mode."), out);
    assertEquals("NOERROR", status(out));
    assertEquals(1, answers(out).size(), out);
    assertTrue(answers(out).get(0).contains("aaaaaaaaaa"), out);
  }
}
