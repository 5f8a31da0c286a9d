package dev.headend.dhcp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.testkit.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Drives a {@link DhcpServer} by hand with a manual clock and records what it sends and says. */
final class Harness {
  static final Ipv4Address SERVER = Ipv4Address.parse("10.99.0.1");
  static final InetSocketAddress FROM_CLIENT = new InetSocketAddress("0.0.0.0", 68);
  static final IpPrefix LAN = IpPrefix.parse("10.99.0.0/24");

  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final DhcpServer server;
  final List<DhcpServerEvent> events = new ArrayList<>();
  private int xid = 1;

  /** A reply and where it went. */
  record Sent(InetSocketAddress to, DhcpMessage message) {
    DhcpMessageType type() {
      try {
        return message.messageType().orElseThrow();
      } catch (MalformedDhcpMessageException e) {
        throw new AssertionError(e);
      }
    }
  }

  Harness(DhcpServer server) {
    this.server = server;
  }

  /** A server on 10.99.0.0/24 with pool .100-.109, a router and DNS, 1 h leases. */
  static DhcpServer.Builder lan() {
    return DhcpServer.builder(SERVER).subnet(lanSubnet().build());
  }

  static Subnet.Builder lanSubnet() {
    return Subnet.builder(LAN)
        .pool(ip("10.99.0.100"), ip("10.99.0.109"))
        .options(
            OptionSet.builder()
                .routers(List.of(ip("10.99.0.1")))
                .domainNameServers(List.of(ip("10.99.0.53")))
                .domainName("example.test")
                .build());
  }

  static Harness of(DhcpServer.Builder b) {
    try {
      return new Harness(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Ipv4Address ip(String s) {
    return Ipv4Address.parse(s);
  }

  static MacAddress mac(int n) {
    return new MacAddress(0x0200_0000_0000L + n);
  }

  DhcpMessage.Builder request(DhcpMessageType type, MacAddress mac) {
    return DhcpMessage.builder().xid(xid++).chaddr(mac).messageType(type);
  }

  List<Sent> send(DhcpMessage.Builder b) {
    return send(FROM_CLIENT, b.build());
  }

  List<Sent> send(InetSocketAddress from, DhcpMessage m) {
    return sendRaw(from, m.encode());
  }

  List<Sent> sendRaw(InetSocketAddress from, byte[] datagram) {
    server.handle(clock.instant(), from, ByteBuffer.wrap(datagram));
    return drain();
  }

  List<Sent> drain() {
    List<Sent> out = new ArrayList<>();
    ByteBuffer buf = ByteBuffer.allocate(65_535);
    InetSocketAddress to;
    while ((to = server.pollTransmit(buf.clear())) != null) {
      buf.flip();
      try {
        out.add(new Sent(to, DhcpCodec.decode(buf)));
      } catch (MalformedDhcpMessageException e) {
        throw new AssertionError("the server sent something it cannot decode", e);
      }
    }
    DhcpServerEvent e;
    while ((e = server.pollEvent()) != null) {
      events.add(e);
    }
    return out;
  }

  void advance(Duration d) {
    clock.advance(d);
    while (server.pollTimeout() != null && !server.pollTimeout().isAfter(clock.instant())) {
      server.handleTimeout(clock.instant());
    }
    drain();
  }

  /** One reply of {@code type}. */
  static Sent one(List<Sent> sent, DhcpMessageType type) {
    assertEquals(1, sent.size(), () -> "replies: " + sent);
    assertEquals(type, sent.get(0).type());
    return sent.get(0);
  }

  /** DISCOVER then REQUEST; the ACK. */
  Sent dora(MacAddress mac) {
    Sent offer = one(send(request(DhcpMessageType.DISCOVER, mac)), DhcpMessageType.OFFER);
    Ipv4Address a = offer.message().yiaddr();
    return one(
        send(request(DhcpMessageType.REQUEST, mac).requestedAddress(a).serverIdentifier(SERVER)),
        DhcpMessageType.ACK);
  }

  <T extends DhcpServerEvent> List<T> events(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (DhcpServerEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  DropReason lastDrop() {
    List<DhcpServerEvent.Dropped> d = events(DhcpServerEvent.Dropped.class);
    assertTrue(!d.isEmpty(), () -> "no drop in " + events);
    return d.get(d.size() - 1).reason();
  }
}
