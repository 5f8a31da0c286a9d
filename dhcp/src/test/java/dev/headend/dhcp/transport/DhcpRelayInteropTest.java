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
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three namespaces: udhcpc on the client link (10.99.0.0/24), our relay between (10.99.0.1 on the
 * client link, 10.99.1.1 upstream), kea-dhcp4 upstream (10.99.1.2) serving the client link's
 * subnet, chosen by giaddr. The client gets its lease through the relay, and Kea records the
 * circuit id the relay added.
 */
@Tag("netns")
@Tag("interop")
@RequiresRoot("network namespaces and port 67")
@RequiresPeer(value = "ip", install = "apt-get install -y iproute2")
@RequiresPeer(value = "kea-dhcp4", install = "apt-get install -y kea-dhcp4-server")
@RequiresPeer(value = "udhcpc", install = "apt-get install -y udhcpc")
class DhcpRelayInteropTest {
  private static final Duration T = Duration.ofSeconds(40);

  @TempDir Path tmp;

  private static void ip(String... args) throws IOException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "ip";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Proc.run(T, cmd).assertSuccess();
  }

  @Test
  void udhcpcGetsALeaseFromKeaThroughOurRelay() throws IOException {
    try (NetnsPair lan = NetnsPair.create("10.99.0.1/24", null);
        NetnsPair up = NetnsPair.create(null, "10.99.1.2/24")) {
      String relayNs = lan.server().name();
      // the upstream link's free end joins the relay's namespace
      up.moveServerEnd(lan.server(), "hd-up", "10.99.1.1/24");
      ip("-n", relayNs, "route", "add", "255.255.255.255/32", "dev", lan.server().device());
      ip("-n", up.client().name(), "route", "add", "10.99.0.0/24", "via", "10.99.1.1");

      Path conf = tmp.resolve("kea.json");
      Path csv = tmp.resolve("kea.csv");
      Files.writeString(
          conf,
          String.join(
              "\n",
              "{ \"Dhcp4\": {",
              "  \"interfaces-config\": { \"interfaces\": [ \"" + up.client().device() + "\" ],",
              "                          \"dhcp-socket-type\": \"udp\" },",
              "  \"lease-database\": { \"type\": \"memfile\", \"persist\": true,",
              "                      \"lfc-interval\": 0, \"name\": \"" + csv + "\" },",
              "  \"store-extended-info\": true,",
              "  \"valid-lifetime\": 1200,",
              "  \"subnet4\": [ { \"id\": 7, \"subnet\": \"10.99.0.0/24\",",
              "      \"pools\": [ { \"pool\": \"10.99.0.100 - 10.99.0.150\" } ],",
              "      \"option-data\": [ { \"name\": \"routers\", \"data\": \"10.99.0.1\" } ] } ],",
              "  \"loggers\": [ { \"name\": \"kea-dhcp4\", \"severity\": \"WARN\",",
              "      \"output_options\": [ { \"output\": \""
                  + tmp.resolve("kea.log")
                  + "\" } ] } ]",
              "} }"));
      Path hook = tmp.resolve("hook.sh");
      Files.writeString(
          hook,
          "#!/bin/sh\n[ -n \"$ip\" ] && echo \"HOOK $1 ip=$ip router=$router lease=$lease"
              + " serverid=$serverid\"\nexit 0\n");
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));

      try (Proc.Running kea =
              Proc.start(
                  up.client().command("kea-dhcp4", "-c", conf.toString()),
                  Map.of("KEA_PIDFILE_DIR", tmp.toString(), "KEA_LOCKFILE_DIR", tmp.toString()));
          Proc.Running relay =
              Proc.start(
                  lan.server()
                      .command(Proc.java(NetnsDhcpRelayMain.class, "10.99.0.1", "10.99.1.2")),
                  Map.of())) {
        relay.awaitOutput(Pattern.compile("LISTENING"), T);
        Proc.Result r =
            lan.client()
                .run(
                    T,
                    "udhcpc",
                    "-i",
                    lan.client().device(),
                    "-f",
                    "-q",
                    "-n",
                    "-t",
                    "8",
                    "-T",
                    "1",
                    "-s",
                    hook.toString());
        r.assertSuccess();
        var m =
            Pattern.compile("HOOK bound ip=(10\\.99\\.0\\.\\d+) router=(\\S+) lease=(\\d+)")
                .matcher(r.stdout());
        assertTrue(m.find(), r.describe() + "\nrelay:\n" + relay.stdout());
        String address = m.group(1);
        assertEquals("10.99.0.1", m.group(2));
        assertEquals("1200", m.group(3));
        String out = relay.stdout();
        assertTrue(out.contains("EVENT ToServers"), out);
        assertTrue(out.contains("EVENT ToClient"), out);
        assertTrue(kea.isAlive(), kea.stderr());
        String leases = Files.readString(csv);
        assertTrue(leases.contains(address), leases);
        // the circuit id "hd-cli/1" reached Kea inside option 82
        String hex = "6864 2d63 6c69 2f31".replace(" ", "");
        assertTrue(
            leases.toLowerCase(Locale.ROOT).replace(":", "").contains(hex),
            "circuit id in Kea's extended info: " + leases);
      }
    }
  }
}
