package dev.headend.dhcp.transport;

import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.client.DhcpClient;
import dev.headend.dhcp.client.DhcpClientEvent;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Our DHCP client as a program, for the namespace interop tests: binds 0.0.0.0:68 (tied to an
 * interface when one is named: then it needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}),
 * prints {@code STARTED}, then every event, and for a lease one {@code LEASE} line with its fields.
 */
public final class NetnsDhcpClientMain {
  private NetnsDhcpClientMain() {}

  /** Arguments: the MAC address to use as chaddr, and optionally the interface to tie to. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    DhcpClient client = DhcpClient.builder(MacAddress.parse(args[0])).hostName("headend").build();
    DhcpUdpClient.Builder builder = DhcpUdpClient.builder(client);
    if (args.length > 1) {
      builder.bindToInterface(args[1]);
    }
    try (DhcpUdpClient udp =
        builder
            .bind(new InetSocketAddress("0.0.0.0", 68))
            .onEvent(
                e -> {
                  out.println("EVENT " + e);
                  if (e instanceof DhcpClientEvent.Bound b) {
                    var l = b.lease();
                    out.println(
                        "LEASE address="
                            + l.address()
                            + " server="
                            + l.serverId()
                            + " mask="
                            + l.subnetMask().map(Object::toString).orElse("-")
                            + " routers="
                            + l.routers()
                            + " lease="
                            + l.leaseTime().toSeconds()
                            + " t1="
                            + l.renewalTime().toSeconds()
                            + " t2="
                            + l.rebindingTime().toSeconds()
                            + " domain="
                            + l.domainName().orElse("-")
                            + " dns="
                            + l.domainNameServers());
                  }
                })
            .start()) {
      out.println("STARTED " + udp.localAddress());
      new CountDownLatch(1).await(); // until killed
    }
  }
}
