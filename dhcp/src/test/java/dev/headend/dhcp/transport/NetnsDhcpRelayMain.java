package dev.headend.dhcp.transport;

import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.relay.DhcpRelay;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Our relay as a program, for the namespace interop tests: binds 0.0.0.0:67, relays for the link
 * address {@code args[0]} to the server {@code args[1]} with circuit id "hd-cli/1" and remote id
 * "headend-relay", prints {@code LISTENING} then every event.
 */
public final class NetnsDhcpRelayMain {
  private NetnsDhcpRelayMain() {}

  /** Arguments: link address, server address. */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    DhcpRelay relay =
        DhcpRelay.builder(Ipv4Address.parse(args[0]))
            .server(new InetSocketAddress(args[1], 67))
            .circuitId("hd-cli/1".getBytes(StandardCharsets.US_ASCII))
            .remoteId("headend-relay".getBytes(StandardCharsets.US_ASCII))
            .build();
    try (DhcpUdpRelay udp =
        DhcpUdpRelay.builder(relay).onEvent(e -> out.println("EVENT " + e)).start()) {
      out.println("LISTENING " + udp.localAddress());
      new CountDownLatch(1).await(); // until killed
    }
  }
}
