package dev.headend.dhcp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.NetnsPair;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import dev.headend.testkit.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DHCP server (dnsmasq, Kea) in one network namespace, our client engine on its UDP adapter
 * in the other: the client gets a lease and reports its address, mask, router and times.
 */
@Tag("netns")
@Tag("interop")
@RequiresRoot("network namespaces and port 68")
@RequiresPeer(value = "ip", install = "apt-get install -y iproute2")
class DhcpServersInteropTest {
  private static final Duration T = Duration.ofSeconds(40);
  private static final String MAC = "02:00:00:00:05:01";
  private static final Pattern LEASE =
      Pattern.compile(
          "LEASE address=(\\S+) server=(\\S+) mask=(\\S+) routers=\\[(\\S*)\\] lease=(\\d+)"
              + " t1=(\\d+) t2=(\\d+)");

  @TempDir Path tmp;

  /**
   * Starts our client in the client namespace; the caller closes it. Its broadcasts find the link
   * through a route for 255.255.255.255, or, {@code tied}, through the socket's tie to the
   * interface (no route).
   */
  private static Proc.Running client(NetnsPair net, boolean tied) throws IOException {
    if (!tied) {
      net.client()
          .run(T, "ip", "route", "add", "255.255.255.255/32", "dev", net.client().device())
          .assertSuccess();
      return Proc.start(net.client().command(Proc.java(NetnsDhcpClientMain.class, MAC)), Map.of());
    }
    List<String> java =
        new ArrayList<>(Proc.java(NetnsDhcpClientMain.class, MAC, net.client().device()));
    java.addAll(1, List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
    return Proc.start(net.client().command(java), Map.of());
  }

  @Test
  @RequiresPeer(value = "dnsmasq", install = "apt-get install -y dnsmasq-base")
  void leaseFromDnsmasq() throws IOException {
    try (NetnsPair net = NetnsPair.create("10.99.0.1/24", null);
        Proc.Running dnsmasq =
            net.server()
                .start(
                    "dnsmasq",
                    "--keep-in-foreground",
                    "--conf-file=/dev/null",
                    "--port=0",
                    "--interface=" + net.server().device(),
                    "--bind-interfaces",
                    "--except-interface=lo",
                    "--dhcp-range=10.99.0.50,10.99.0.150,255.255.255.0,2h",
                    "--dhcp-authoritative",
                    "--no-ping",
                    "--dhcp-option=option:router,10.99.0.1",
                    "--dhcp-option=option:domain-name,example.test",
                    "--dhcp-leasefile=" + tmp.resolve("dnsmasq.leases"),
                    "--pid-file=" + tmp.resolve("dnsmasq.pid"));
        Proc.Running ours = client(net, false)) {
      Matcher m = ours.awaitOutput(LEASE, T);
      String address = m.group(1);
      assertTrue(address.startsWith("10.99.0."), m.group());
      int host = Integer.parseInt(address.substring("10.99.0.".length()));
      assertTrue(host >= 50 && host <= 150, address);
      assertEquals("10.99.0.1", m.group(2));
      assertEquals("255.255.255.0", m.group(3));
      assertEquals("10.99.0.1", m.group(4));
      assertEquals("7200", m.group(5));
      assertEquals("3600", m.group(6));
      assertEquals("6300", m.group(7));
      assertTrue(ours.stdout().contains("domain=example.test"), ours.stdout());
      // dnsmasq's own lease file names our MAC and the address
      Path leases = tmp.resolve("dnsmasq.leases");
      long deadline = System.nanoTime() + T.toNanos();
      while (!(Files.exists(leases) && Files.readString(leases).contains(address))
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      String file = Files.readString(leases);
      assertTrue(file.contains(MAC) && file.contains(address), file);
      assertTrue(dnsmasq.isAlive(), dnsmasq.stderr());
    }
  }

  /** With our client tied to its interface, so its broadcasts need no route. */
  @Test
  @RequiresPeer(value = "kea-dhcp4", install = "apt-get install -y kea-dhcp4-server")
  void leaseFromKea() throws IOException {
    Path conf = tmp.resolve("kea-dhcp4.json");
    try (NetnsPair net = NetnsPair.create("10.99.0.1/24", null)) {
      Files.writeString(
          conf,
          String.join(
              "\n",
              "{ \"Dhcp4\": {",
              "  \"interfaces-config\": { \"interfaces\": [ \"" + net.server().device() + "\" ],",
              "                          \"dhcp-socket-type\": \"raw\" },",
              "  \"lease-database\": { \"type\": \"memfile\", \"persist\": true,",
              "                      \"lfc-interval\": 0, \"name\": \""
                  + tmp.resolve("kea.csv")
                  + "\" },",
              "  \"valid-lifetime\": 1800, \"renew-timer\": 600, \"rebind-timer\": 1200,",
              "  \"authoritative\": true,",
              "  \"subnet4\": [ { \"id\": 1, \"subnet\": \"10.99.0.0/24\",",
              "      \"pools\": [ { \"pool\": \"10.99.0.100 - 10.99.0.150\" } ],",
              "      \"option-data\": [ { \"name\": \"routers\", \"data\": \"10.99.0.1\" },",
              "                         { \"name\": \"domain-name\", \"data\": \"example.test\" },",
              "                         { \"name\": \"tftp-server-name\", \"data\": \"tftp.example.test\" },",
              "                         { \"name\": \"boot-file-name\", \"data\": \"pxelinux.0\" } ] } ],",
              "  \"loggers\": [ { \"name\": \"kea-dhcp4\", \"severity\": \"WARN\",",
              "      \"output_options\": [ { \"output\": \""
                  + tmp.resolve("kea.log")
                  + "\" } ] } ]",
              "} }"));
      List<String> cmd = net.server().command("kea-dhcp4", "-c", conf.toString());
      try (Proc.Running kea =
              Proc.start(
                  cmd,
                  Map.of(
                      "KEA_PIDFILE_DIR", tmp.toString(),
                      "KEA_LOCKFILE_DIR", tmp.toString()));
          Proc.Running ours = client(net, true)) {
        Matcher m = ours.awaitOutput(LEASE, T);
        String address = m.group(1);
        int host = Integer.parseInt(address.substring(address.lastIndexOf('.') + 1));
        assertTrue(address.startsWith("10.99.0.") && host >= 100 && host <= 150, address);
        assertEquals("10.99.0.1", m.group(2));
        assertEquals("255.255.255.0", m.group(3));
        assertEquals("10.99.0.1", m.group(4));
        assertEquals("1800", m.group(5));
        assertEquals("600", m.group(6));
        assertEquals("1200", m.group(7));
        assertTrue(ours.stdout().contains("domain=example.test"), ours.stdout());
        assertTrue(kea.isAlive(), kea.stderr());
        String csv = Files.readString(tmp.resolve("kea.csv"));
        assertTrue(csv.contains(address) && csv.contains(MAC), csv);
      }
    }
  }
}
