package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.client.DhcpClient;
import dev.headend.dhcp.client.DhcpClientEvent;
import dev.headend.dhcp.client.DhcpLease;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `headend serve` with DHCP on loopback: our client engine gets a lease from it. */
class ServeDhcpTest {
  private static final Pattern DHCP = Pattern.compile("dhcp +udp +127\\.0\\.0\\.1:(\\d+) ");

  private static DhcpLease lease(int port, MacAddress mac) throws Exception {
    DhcpClient client =
        DhcpClient.builder(mac).serverAddress(new InetSocketAddress("127.0.0.1", port)).build();
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      socket.setSoTimeout(200);
      client.start(Instant.now());
      long deadline = System.nanoTime() + 20_000_000_000L;
      byte[] buf = new byte[1500];
      while (System.nanoTime() < deadline) {
        for (Transmit t; (t = client.pollTransmit()) != null; ) {
          ByteBuffer p = t.payload();
          byte[] b = new byte[p.remaining()];
          p.get(b);
          socket.send(new DatagramPacket(b, b.length, t.destination()));
        }
        for (DhcpClientEvent e; (e = client.pollEvent()) != null; ) {
          if (e instanceof DhcpClientEvent.Bound bound) {
            return bound.lease();
          }
        }
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(in);
          client.handle(
              Instant.now(),
              (InetSocketAddress) in.getSocketAddress(),
              ByteBuffer.wrap(buf, 0, in.getLength()));
        } catch (SocketTimeoutException e) {
          Instant t = client.pollTimeout();
          if (t != null && !t.isAfter(Instant.now())) {
            client.handleTimeout(Instant.now());
          }
        }
      }
    }
    throw new AssertionError("no lease from headend serve");
  }

  /** Options for DHCP on any free loopback port, DNS on any, the rest off; plus {@code more}. */
  private static ServeOptions dhcpOnly(String... more) throws UsageException {
    List<String> args = new ArrayList<>(List.of("--dhcp-port", "0"));
    args.addAll(List.of(more));
    return QuietOptions.with(args.toArray(String[]::new));
  }

  @Test
  void serveHandsOutLeasesFromItsDefaultPoolOnLoopback(@TempDir Path dir) throws Exception {
    ServeOptions options = dhcpOnly("--dhcp-leases", dir.toString());
    try (Serve serve = Serve.start(options)) {
      String text = String.join("\n", serve.description());
      Matcher m = DHCP.matcher(text);
      assertTrue(m.find(), text);
      assertTrue(text.contains("subnet 192.0.2.0/24 pool 192.0.2.100-192.0.2.199"), text);
      int port = Integer.parseInt(m.group(1));
      DhcpLease first = lease(port, MacAddress.parse("02:00:00:00:07:01"));
      DhcpLease second = lease(port, MacAddress.parse("02:00:00:00:07:02"));
      assertEquals(Ipv4Address.parse("192.0.2.100"), first.address());
      assertEquals(Ipv4Address.parse("192.0.2.101"), second.address());
      assertEquals(Ipv4Address.parse("192.0.2.1"), first.serverId());
      assertEquals(List.of(Ipv4Address.parse("192.0.2.1")), first.routers());
      assertEquals("example.test", first.domainName().orElseThrow());
      assertEquals(3600, first.leaseTime().toSeconds());
      assertTrue(Files.list(dir).findAny().isPresent(), "the journal was written");
    }
  }

  @Test
  void anInterfaceThatDoesNotExistStopsTheStartWithItsName() throws Exception {
    ServeOptions options = dhcpOnly("--dhcp-interface", "hd-no-such0");
    IOException e = assertThrows(IOException.class, () -> Serve.start(options).close());
    assertTrue(e.getMessage().contains("no network interface named hd-no-such0"), e.toString());
  }

  @Test
  void dhcpOptionsAreChecked() throws Exception {
    assertThrows(
        UsageException.class,
        () -> ServeOptions.parse(List.of("--dhcp-pool", "10.0.0.1-10.0.0.9")));
    assertThrows(
        UsageException.class, () -> ServeOptions.parse(List.of("--dhcp-subnet", "2001:db8::/64")));
    assertThrows(UsageException.class, () -> ServeOptions.parse(List.of("--dhcp-fsync", "maybe")));
    assertEquals("lo", ServeOptions.parse(List.of("--dhcp-interface", "lo")).dhcpInterface());
    assertThrows(UsageException.class, () -> ServeOptions.parse(List.of("--dhcp-interface", "")));
    assertThrows(
        UsageException.class, () -> ServeOptions.parse(List.of("--dhcp-interface", "eth 0")));
    assertThrows(
        UsageException.class,
        () -> ServeOptions.parse(List.of("--dhcp-port", "-1", "--dhcp-interface", "lo")));
    ServeOptions o =
        ServeOptions.parse(
            List.of("--dhcp-subnet", "10.99.0.0/16", "--dhcp-pool", "10.99.1.1-10.99.250.255"));
    assertEquals(Ipv4Address.parse("10.99.250.255"), o.dhcpPoolLast());
    assertEquals(-1, ServeOptions.parse(List.of("--dhcp-port", "-1")).dhcpPort());
  }
}
