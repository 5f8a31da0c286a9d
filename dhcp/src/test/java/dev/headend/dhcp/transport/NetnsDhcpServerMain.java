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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Our DHCP server as a program, for the namespace interop tests: serves 10.99.0.0/24 (pool
 * .100-.150, router .1, DNS .53, domain example.test) on 0.0.0.0:67 with a journal store, and
 * prints {@code LISTENING} and then every event, one per line.
 */
public final class NetnsDhcpServerMain {
  static final int LEASE_SECONDS = 600;

  private NetnsDhcpServerMain() {}

  /** Arguments: the store directory, and the lease time in seconds (default 600). */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    long lease = args.length > 1 ? Long.parseLong(args[1]) : LEASE_SECONDS;
    Ipv4Address self = Ipv4Address.parse("10.99.0.1");
    try (LeaseStore store = LeaseStore.journal(Path.of(args[0]))) {
      DhcpServer server =
          DhcpServer.builder(self)
              .subnet(
                  Subnet.builder(IpPrefix.parse("10.99.0.0/24"))
                      .pool(Ipv4Address.parse("10.99.0.100"), Ipv4Address.parse("10.99.0.150"))
                      .leaseTime(Duration.ofSeconds(lease))
                      .leaseTimeBounds(Duration.ofSeconds(10), Duration.ofHours(1))
                      .options(
                          OptionSet.builder()
                              .routers(List.of(self))
                              .domainNameServers(List.of(Ipv4Address.parse("10.99.0.53")))
                              .domainName("example.test")
                              .ntpServers(List.of(self))
                              .build())
                      .build())
              .leaseStore(store)
              .build();
      try (DhcpUdpServer udp =
          DhcpUdpServer.builder(server)
              .bind(new InetSocketAddress("0.0.0.0", 67))
              .onEvent(e -> out.println("EVENT " + e))
              .start()) {
        out.println("LISTENING " + udp.localAddress());
        new CountDownLatch(1).await(); // until killed
      }
    }
  }
}
