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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our server in one network namespace, a real DHCP client in the other: each client gets a lease
 * and reports, through its own hook script, the address, router, DNS server, domain and lease time
 * it was given.
 */
@Tag("netns")
@Tag("interop")
@RequiresRoot("network namespaces and port 67")
@RequiresPeer(value = "ip", install = "apt-get install -y iproute2")
class DhcpClientsInteropTest {
  private static final Duration T = Duration.ofSeconds(40);
  private static final Pattern LEASED =
      Pattern.compile("EVENT Leased\\[.*address=(10\\.99\\.0\\.\\d+)");

  @TempDir Path tmp;

  /** The pair with our server running in its server end. */
  private final class Lan implements AutoCloseable {
    final NetnsPair net;
    final Proc.Running server;
    final Path hookOut = tmp.resolve("hook.out");
    final Path hook = tmp.resolve("hook.sh");

    Lan(int leaseSeconds) throws IOException {
      net = NetnsPair.create("10.99.0.1/24", null);
      try {
        // limited broadcast leaves by the veth: the namespace has no default route
        net.server()
            .run(T, "ip", "route", "add", "255.255.255.255/32", "dev", net.server().device())
            .assertSuccess();
        List<String> cmd =
            Proc.java(
                NetnsDhcpServerMain.class,
                tmp.resolve("leases").toString(),
                Integer.toString(leaseSeconds));
        server = Proc.start(net.server().command(cmd), Map.of());
        server.awaitOutput(Pattern.compile("LISTENING"), T);
        Files.writeString(
            hook,
            "#!/bin/sh\n"
                + "{ echo \"HOOK $1 reason=$reason\"; env | grep -E"
                + " '^(new_[a-z_]+|ip|router|dns|domain|lease|subnet|serverid)=' | sort; } >> "
                + hookOut
                + "\n"
                // udhcpc only: take the address, inside the client namespace, so unicast works
                + "[ -n \"$ip\" ] && [ \"$1\" = bound -o \"$1\" = renew ]"
                + " && ip addr replace \"$ip/24\" dev \"$interface\"\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (IOException | RuntimeException | Error e) {
        net.close();
        throw e;
      }
    }

    /** The variables of the last hook call that carried an address. */
    Map<String, String> lastLease() throws IOException {
      Map<String, String> vars = new HashMap<>();
      Map<String, String> cur = new HashMap<>();
      for (String line : Files.readAllLines(hookOut)) {
        if (line.startsWith("HOOK ")) {
          if (cur.containsKey("ip") || cur.containsKey("new_ip_address")) {
            vars = cur;
          }
          cur = new HashMap<>();
        } else if (line.contains("=")) {
          cur.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
      }
      if (cur.containsKey("ip") || cur.containsKey("new_ip_address")) {
        vars = cur;
      }
      return vars;
    }

    String leasedByServer() {
      Matcher m = server.awaitOutput(LEASED, T);
      return m.group(1);
    }

    @Override
    public void close() {
      try {
        server.close();
      } finally {
        net.close();
      }
    }
  }

  @Test
  @RequiresPeer(value = "udhcpc", install = "apt-get install -y udhcpc")
  void udhcpcGetsLeaseWithRouterDnsDomainAndLeaseTime() throws IOException {
    try (Lan lan = new Lan(600)) {
      Proc.Result r =
          lan.net
              .client()
              .run(
                  T,
                  "udhcpc",
                  "-i",
                  lan.net.client().device(),
                  "-f",
                  "-q",
                  "-n",
                  "-t",
                  "5",
                  "-T",
                  "1",
                  "-s",
                  lan.hook.toString());
      r.assertSuccess();
      String address = lan.leasedByServer();
      assertTrue(
          (r.stdout() + r.stderr()).contains("lease of " + address + " obtained"), r.describe());
      Map<String, String> v = lan.lastLease();
      assertEquals(address, v.get("ip"), v.toString());
      assertEquals("10.99.0.1", v.get("router"));
      assertEquals("10.99.0.53", v.get("dns").trim());
      assertEquals("example.test", v.get("domain"));
      assertEquals("600", v.get("lease"));
      assertEquals("255.255.255.0", v.get("subnet"));
      assertEquals("10.99.0.1", v.get("serverid"));
    }
  }

  @Test
  @RequiresPeer(value = "udhcpc", install = "apt-get install -y udhcpc")
  @RequiresPeer(value = "kill", install = "apt-get install -y procps")
  void udhcpcRenewsByUnicastAtT1AndReleaseFreesTheAddress() throws Exception {
    try (Lan lan = new Lan(20);
        Proc.Running udhcpc =
            lan.net
                .client()
                .start(
                    "udhcpc",
                    "-i",
                    lan.net.client().device(),
                    "-f",
                    "-t",
                    "5",
                    "-T",
                    "1",
                    "-s",
                    lan.hook.toString())) {
      Matcher first =
          lan.server.awaitOutput(
              Pattern.compile("EVENT Leased\\[.*address=(10\\.99\\.0\\.\\d+), .*renewal=false"), T);
      String address = first.group(1);
      // T1 = 50% of 20 s: the client renews by unicast to the server (RFC 2131 §4.4.5)
      udhcpc.awaitOutput(Pattern.compile("sending renew to (server )?10\\.99\\.0\\.1"), T);
      lan.server.awaitOutput(
          Pattern.compile(
              "EVENT Leased\\[.*address=" + Pattern.quote(address) + ", .*renewal=true"),
          T);
      Proc.run(T, "kill", "-USR2", Long.toString(udhcpc.pid())).assertSuccess();
      lan.server.awaitOutput(
          Pattern.compile("EVENT Released\\[.*address=" + Pattern.quote(address) + "\\]"), T);
    }
  }

  @Test
  @RequiresPeer(value = "dhclient", install = "apt-get install -y isc-dhcp-client")
  void dhclientGetsLeaseWithRouterDnsDomainAndLeaseTime() throws IOException {
    try (Lan lan = new Lan(600)) {
      Path leases = tmp.resolve("dhclient.leases");
      Proc.Result r =
          lan.net
              .client()
              .run(
                  T,
                  "dhclient",
                  "-4",
                  "-1",
                  "-v",
                  "-sf",
                  lan.hook.toString(),
                  "-lf",
                  leases.toString(),
                  "-pf",
                  tmp.resolve("dhclient.pid").toString(),
                  lan.net.client().device());
      r.assertSuccess();
      String address = lan.leasedByServer();
      assertTrue(r.stderr().contains("DHCPACK of " + address + " from 10.99.0.1"), r.describe());
      Map<String, String> v = lan.lastLease();
      assertEquals(address, v.get("new_ip_address"), v.toString());
      assertEquals("10.99.0.1", v.get("new_routers"));
      assertEquals("10.99.0.53", v.get("new_domain_name_servers"));
      assertEquals("example.test", v.get("new_domain_name"));
      assertEquals("600", v.get("new_dhcp_lease_time"));
      String file = Files.readString(leases);
      assertTrue(file.contains("fixed-address " + address + ";"), file);
      assertTrue(file.contains("option dhcp-lease-time 600;"), file);
    }
  }

  @Test
  @RequiresPeer(value = "dhcpcd", install = "apt-get install -y dhcpcd-base")
  void dhcpcdGetsLeaseWithRouterDnsDomainAndLeaseTime() throws IOException {
    try (Lan lan = new Lan(600)) {
      Path log = tmp.resolve("dhcpcd.log");
      List<String> cmd = new ArrayList<>(List.of("sh", "-c"));
      cmd.add(
          "dhcpcd -1 -B -4 -t 20 --noipv4ll -f /dev/null -o domain_name_servers -o domain_name"
              + " -o ntp_servers -c "
              + lan.hook
              + " "
              + lan.net.client().device()
              + " > "
              + log
              + " 2>&1 < /dev/null");
      Proc.Result r = Proc.run(T, lan.net.client().command(cmd), Map.of());
      String out = Files.readString(log);
      assertEquals(0, r.exitCode(), out);
      String address = lan.leasedByServer();
      assertTrue(out.contains("leased " + address + " for 600 seconds"), out);
      Map<String, String> v = lan.lastLease();
      assertEquals(address, v.get("new_ip_address"), v.toString());
      assertEquals("10.99.0.1", v.get("new_routers"));
      assertEquals("10.99.0.53", v.get("new_domain_name_servers"));
      assertEquals("example.test", v.get("new_domain_name"));
      assertEquals("600", v.get("new_dhcp_lease_time"));
    }
  }
}
