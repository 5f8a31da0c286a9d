package dev.headend.dhcp.transport;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.LeaseStore;
import dev.headend.dhcp.server.OptionSet;
import dev.headend.dhcp.server.Subnet;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Two DHCP servers in one process, both on {@code 0.0.0.0:67}, each tied to its own interface and
 * serving that link's subnet: 10.98.1.0/24 (router .1) on the first interface, 10.98.2.0/24 on the
 * second; pools .100-.150, in-memory leases. Prints {@code LISTENING} once both run, then every
 * event as {@code EVENT <interface> <event>}. Needs {@code --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED}.
 */
public final class NetnsTwoLinkDhcpServerMain {
  private NetnsTwoLinkDhcpServerMain() {}

  /** Arguments: the two interface names. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (DhcpUdpServer a = serve(args[0], 1, out);
        DhcpUdpServer b = serve(args[1], 2, out)) {
      out.println("LISTENING " + a.localAddress() + " " + b.localAddress());
      new CountDownLatch(1).await(); // until killed
    }
  }

  private static DhcpUdpServer serve(String device, int net, PrintStream out) throws Exception {
    Ipv4Address self = Ipv4Address.parse("10.98." + net + ".1");
    DhcpServer server =
        DhcpServer.builder(self)
            .subnet(
                Subnet.builder(IpPrefix.parse("10.98." + net + ".0/24"))
                    .pool(
                        Ipv4Address.parse("10.98." + net + ".100"),
                        Ipv4Address.parse("10.98." + net + ".150"))
                    .leaseTime(Duration.ofSeconds(600))
                    .options(OptionSet.builder().routers(List.of(self)).build())
                    .build())
            .leaseStore(LeaseStore.inMemory())
            .build();
    return DhcpUdpServer.builder(server)
        .bind(new InetSocketAddress("0.0.0.0", 67))
        .bindToInterface(device)
        .onEvent(e -> out.println("EVENT " + device + " " + e))
        .daemon(true)
        .start();
  }
}
