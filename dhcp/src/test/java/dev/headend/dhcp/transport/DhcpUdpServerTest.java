package dev.headend.dhcp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.DhcpServerEvent;
import dev.headend.dhcp.server.Lease;
import dev.headend.dhcp.server.LeaseStore;
import dev.headend.dhcp.server.Subnet;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DhcpUdpServerTest {
  @TempDir Path dir;

  @Test
  void doraOverLoopbackWithHighPortsStoresTheLease() throws Exception {
    Ipv4Address self = Ipv4Address.parse("10.99.0.1");
    MacAddress mac = MacAddress.parse("02:00:00:00:00:42");
    BlockingQueue<DhcpServerEvent> events = new LinkedBlockingQueue<>();
    try (LeaseStore store = LeaseStore.journal(dir);
        DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      DhcpServer engine =
          DhcpServer.builder(self)
              .subnet(
                  Subnet.builder(IpPrefix.parse("10.99.0.0/24"))
                      .pool(Ipv4Address.parse("10.99.0.100"), Ipv4Address.parse("10.99.0.110"))
                      .build())
              .leaseStore(store)
              .replyToSource(true)
              .build();
      try (DhcpUdpServer udp =
          DhcpUdpServer.builder(engine)
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .onEvent(events::add)
              .daemon(true)
              .start()) {
        client.setSoTimeout(10_000);
        DhcpMessage offer =
            exchange(
                client,
                udp.localAddress(),
                DhcpMessage.builder().xid(1).chaddr(mac).messageType(DhcpMessageType.DISCOVER));
        assertEquals(DhcpMessageType.OFFER, offer.messageType().orElseThrow());
        DhcpMessage ack =
            exchange(
                client,
                udp.localAddress(),
                DhcpMessage.builder()
                    .xid(2)
                    .chaddr(mac)
                    .messageType(DhcpMessageType.REQUEST)
                    .requestedAddress(offer.yiaddr())
                    .serverIdentifier(self));
        assertEquals(DhcpMessageType.ACK, ack.messageType().orElseThrow());
        assertEquals(2, ack.xid());
        AtomicReference<List<Lease>> leases = new AtomicReference<>();
        udp.execute(() -> leases.set(engine.leases())).get(10, TimeUnit.SECONDS);
        assertEquals(1, leases.get().size());
        assertEquals(ack.yiaddr(), leases.get().get(0).address());
        assertTrue(
            events.poll(10, TimeUnit.SECONDS) instanceof DhcpServerEvent.Offered, "offered event");
        assertTrue(events.poll(10, TimeUnit.SECONDS) instanceof DhcpServerEvent.Leased);
      }
      assertEquals(1, store.load().size(), "the lease is in the journal");
    }
  }

  private static DhcpMessage exchange(
      DatagramSocket client, InetSocketAddress server, DhcpMessage.Builder request)
      throws Exception {
    byte[] b = request.build().encode();
    client.send(new DatagramPacket(b, b.length, server));
    byte[] in = new byte[2048];
    DatagramPacket p = new DatagramPacket(in, in.length);
    client.receive(p);
    return DhcpCodec.decode(java.util.Arrays.copyOf(in, p.getLength()));
  }
}
