package dev.headend.dhcp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One host with two links, and a DHCP server per link in one process, both on port 67, each tied to
 * its interface ({@code SO_BINDTOIFINDEX}). A udhcpc on each link gets an address from its own
 * link's subnet, with its own link's router, and neither server hears the other link's client.
 */
@Tag("netns")
@Tag("interop")
@RequiresRoot("network namespaces and port 67")
@RequiresPeer(value = "ip", install = "apt-get install -y iproute2")
@RequiresPeer(value = "udhcpc", install = "apt-get install -y udhcpc")
class DhcpInterfaceBindingInteropTest {
  private static final Duration T = Duration.ofSeconds(40);

  @TempDir Path tmp;

  /** The MAC of {@code end}'s interface, as lower-case hex without separators. */
  private static String mac(NetnsPair.Netns end) throws IOException {
    Proc.Result r =
        Proc.run(
            T,
            List.of("ip", "-n", end.name(), "-o", "link", "show", "dev", end.device()),
            Map.of());
    r.assertSuccess();
    Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(r.stdout());
    assertTrue(m.find(), r.stdout());
    return m.group(1).replace(":", "").toLowerCase(Locale.ROOT);
  }

  /** udhcpc on {@code end} gets an address, router and server id of link 10.98.{@code net}.0/24. */
  private static void assertBoundOnOwnLink(
      NetnsPair.Netns end, Path hook, int net, Proc.Running servers) throws IOException {
    Proc.Result r =
        end.run(
            T,
            "udhcpc",
            "-i",
            end.device(),
            "-f",
            "-q",
            "-n",
            "-t",
            "6",
            "-T",
            "1",
            "-s",
            hook.toString());
    r.assertSuccess();
    Matcher m =
        Pattern.compile("HOOK bound ip=(\\S+) router=(\\S+) serverid=(\\S+)").matcher(r.stdout());
    assertTrue(m.find(), r.describe() + "\nservers:\n" + servers.stdout());
    String link = "10.98." + net + ".";
    assertTrue(m.group(1).startsWith(link), m.group(0));
    assertEquals(link + "1", m.group(2));
    assertEquals(link + "1", m.group(3));
  }

  @Test
  void eachLinksClientsGetTheirOwnLinksSubnet() throws IOException {
    try (NetnsPair a = NetnsPair.create("10.98.1.1/24", null);
        NetnsPair b = NetnsPair.create(null, null)) {
      // the second link's server end joins the first pair's server namespace as hd-b
      b.moveServerEnd(a.server(), "hd-b", "10.98.2.1/24");

      Path hook = tmp.resolve("hook.sh");
      Files.writeString(
          hook,
          "#!/bin/sh\n[ -n \"$ip\" ] && echo \"HOOK $1 ip=$ip router=$router serverid=$serverid\"\n"
              + "exit 0\n");
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));

      List<String> java =
          new ArrayList<>(Proc.java(NetnsTwoLinkDhcpServerMain.class, a.server().device(), "hd-b"));
      java.add(1, "--add-opens");
      java.add(2, "java.base/sun.nio.ch=ALL-UNNAMED");
      try (Proc.Running servers = Proc.start(a.server().command(java), Map.of())) {
        servers.awaitOutput(Pattern.compile("LISTENING"), T);
        assertBoundOnOwnLink(a.client(), hook, 1, servers);
        assertBoundOnOwnLink(b.client(), hook, 2, servers);

        String macA = mac(a.client());
        String macB = mac(b.client());
        // each Leased event is printed after its ACK went out: wait for both before reading
        servers.awaitOutput(
            Pattern.compile("EVENT " + a.server().device() + " Leased.*" + macA), T);
        servers.awaitOutput(Pattern.compile("EVENT hd-b Leased.*" + macB), T);
        List<String> heardOnA = new ArrayList<>();
        List<String> heardOnB = new ArrayList<>();
        for (String line : servers.stdout().split("\n")) {
          if (line.startsWith("EVENT " + a.server().device() + " ")) {
            heardOnA.add(line);
          } else if (line.startsWith("EVENT hd-b ")) {
            heardOnB.add(line);
          }
        }
        String all = servers.stdout();
        assertFalse(heardOnA.stream().anyMatch(l -> l.contains(macB)), all);
        assertFalse(heardOnB.stream().anyMatch(l -> l.contains(macA)), all);
      }
    }
  }
}
