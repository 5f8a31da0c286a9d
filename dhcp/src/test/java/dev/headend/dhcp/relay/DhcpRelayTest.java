package dev.headend.dhcp.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.client.DhcpClient;
import dev.headend.dhcp.client.DhcpClientEvent;
import dev.headend.dhcp.client.DhcpClientState;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.OptionSet;
import dev.headend.dhcp.server.Subnet;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.dhcp.wire.RelayAgentInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DhcpRelayTest {
  static final Ipv4Address LINK = Ipv4Address.parse("10.99.0.1");
  static final InetSocketAddress SERVER = new InetSocketAddress("10.99.1.2", 67);
  static final InetSocketAddress SERVER2 = new InetSocketAddress("10.99.1.3", 67);
  static final InetSocketAddress CLIENT = new InetSocketAddress("0.0.0.0", 68);
  static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final byte[] CIRCUIT = "eth0/1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] REMOTE = "olt-7".getBytes(StandardCharsets.US_ASCII);

  static DhcpRelay relay() {
    return DhcpRelay.builder(LINK).server(SERVER).circuitId(CIRCUIT).remoteId(REMOTE).build();
  }

  static DhcpMessage discover() {
    return DhcpMessage.builder()
        .xid(7)
        .chaddr(MAC)
        .broadcast(true)
        .messageType(DhcpMessageType.DISCOVER)
        .build();
  }

  static List<Transmit> drain(DhcpRelay r) {
    List<Transmit> out = new ArrayList<>();
    for (Transmit t; (t = r.pollTransmit()) != null; ) {
      out.add(t);
    }
    return out;
  }

  static DhcpMessage decode(Transmit t) throws MalformedDhcpMessageException {
    return DhcpCodec.decode(t.payload().duplicate());
  }

  static DhcpRelayEvent lastEvent(DhcpRelay r) {
    DhcpRelayEvent last = null;
    for (DhcpRelayEvent e; (e = r.pollEvent()) != null; ) {
      last = e;
    }
    return last;
  }

  @Test
  void broadcastRequestIsUnicastToTheServerWithGiaddrHopsAndOption82() throws Exception {
    DhcpRelay r = relay();
    r.handle(NOW, CLIENT, ByteBuffer.wrap(discover().encode()));
    List<Transmit> out = drain(r);
    assertEquals(1, out.size());
    assertEquals(SERVER, out.get(0).destination());
    DhcpMessage m = decode(out.get(0));
    assertEquals(LINK, m.giaddr());
    assertEquals(1, m.hops());
    assertEquals(7, m.xid());
    assertEquals(DhcpMessageType.DISCOVER, m.messageType().orElseThrow());
    RelayAgentInfo info = m.relayAgentInfo().orElseThrow();
    assertArrayEquals(CIRCUIT, info.circuitId().orElseThrow());
    assertArrayEquals(REMOTE, info.remoteId().orElseThrow());
    assertEquals(82, m.optionCodes().get(m.optionCodes().size() - 1), "82 goes last");
    assertInstanceOf(DhcpRelayEvent.ToServers.class, lastEvent(r));
  }

  @Test
  void everyConfiguredServerGetsACopy() throws Exception {
    DhcpRelay r = DhcpRelay.builder(LINK).server(SERVER).server(SERVER2).build();
    r.handle(NOW, CLIENT, ByteBuffer.wrap(discover().encode()));
    List<Transmit> out = drain(r);
    assertEquals(List.of(SERVER, SERVER2), out.stream().map(Transmit::destination).toList());
    assertFalse(decode(out.get(1)).relayAgentInfo().isPresent(), "no ids configured: no 82");
  }

  @Test
  void tooManyHopsAreDropped() {
    DhcpRelay r = relay();
    r.handle(NOW, CLIENT, ByteBuffer.wrap(discover().toBuilder().hops(4).build().encode()));
    assertTrue(drain(r).isEmpty());
    assertTrue(((DhcpRelayEvent.Dropped) lastEvent(r)).reason().contains("hops"));
    r.handle(NOW, CLIENT, ByteBuffer.wrap(discover().toBuilder().hops(3).build().encode()));
    assertEquals(1, drain(r).size());
  }

  @Test
  void giaddrSetByAnotherRelayIsKeptAndItsOption82Too() throws Exception {
    DhcpRelay r = relay();
    Ipv4Address nearer = Ipv4Address.parse("10.99.5.1");
    RelayAgentInfo theirs = RelayAgentInfo.builder().circuitId(new byte[] {9}).build();
    r.handle(
        NOW,
        new InetSocketAddress("10.99.5.1", 67),
        ByteBuffer.wrap(
            discover().toBuilder().giaddr(nearer).hops(1).relayAgentInfo(theirs).build().encode()));
    DhcpMessage m = decode(drain(r).get(0));
    assertEquals(nearer, m.giaddr());
    assertEquals(2, m.hops());
    assertArrayEquals(new byte[] {9}, m.relayAgentInfo().orElseThrow().circuitId().orElseThrow());
  }

  @Test
  void option82FromAnUntrustedClientIsDroppedUnlessTrusted() throws Exception {
    byte[] spoofed =
        discover().toBuilder()
            .relayAgentInfo(RelayAgentInfo.builder().circuitId(new byte[] {1}).build())
            .build()
            .encode();
    DhcpRelay r = relay();
    r.handle(NOW, CLIENT, ByteBuffer.wrap(spoofed));
    assertTrue(drain(r).isEmpty());
    assertTrue(((DhcpRelayEvent.Dropped) lastEvent(r)).reason().contains("untrusted"));
    DhcpRelay trusting =
        DhcpRelay.builder(LINK).server(SERVER).circuitId(CIRCUIT).trustOption82(true).build();
    trusting.handle(NOW, CLIENT, ByteBuffer.wrap(spoofed));
    DhcpMessage m = decode(drain(trusting).get(0));
    assertEquals(LINK, m.giaddr());
    assertArrayEquals(new byte[] {1}, m.relayAgentInfo().orElseThrow().circuitId().orElseThrow());
  }

  private static DhcpMessage offerFor(DhcpMessage relayed) {
    return DhcpMessage.replyTo(relayed)
        .messageType(DhcpMessageType.OFFER)
        .yiaddr(Ipv4Address.parse("10.99.0.100"))
        .serverIdentifier(Ipv4Address.parse("10.99.1.2"))
        .leaseTime(600)
        .build();
  }

  @Test
  void replyGoesBackToTheClientWithOption82Stripped() throws Exception {
    DhcpRelay r = relay();
    r.handle(NOW, CLIENT, ByteBuffer.wrap(discover().encode()));
    DhcpMessage relayed = decode(drain(r).get(0));
    DhcpMessage offer = offerFor(relayed);
    assertTrue(offer.relayAgentInfo().isPresent(), "the server echoes 82");
    r.handle(NOW, SERVER, ByteBuffer.wrap(offer.encode()));
    List<Transmit> out = drain(r);
    assertEquals(new InetSocketAddress("255.255.255.255", 68), out.get(0).destination());
    DhcpMessage m = decode(out.get(0));
    assertFalse(m.relayAgentInfo().isPresent());
    assertEquals(Ipv4Address.parse("10.99.0.100"), m.yiaddr());
    assertEquals(LINK, m.giaddr());
    assertInstanceOf(DhcpRelayEvent.ToClient.class, lastEvent(r));
  }

  @Test
  void replyDestinationFollowsCiaddrFlagsAndNak() throws Exception {
    DhcpRelay r = DhcpRelay.builder(LINK).server(SERVER).unicastToNewAddress(true).build();
    DhcpMessage relayed =
        discover().toBuilder().broadcast(false).giaddr(LINK).op(DhcpMessage.BOOTREQUEST).build();
    r.handle(NOW, SERVER, ByteBuffer.wrap(offerFor(relayed).encode()));
    assertEquals(new InetSocketAddress("10.99.0.100", 68), drain(r).get(0).destination());
    DhcpMessage renewAck =
        offerFor(relayed).toBuilder()
            .ciaddr(Ipv4Address.parse("10.99.0.100"))
            .messageType(DhcpMessageType.ACK)
            .build();
    r.handle(NOW, SERVER, ByteBuffer.wrap(renewAck.encode()));
    assertEquals(new InetSocketAddress("10.99.0.100", 68), drain(r).get(0).destination());
    DhcpMessage nak =
        DhcpMessage.replyTo(relayed)
            .messageType(DhcpMessageType.NAK)
            .ciaddr(Ipv4Address.parse("10.99.0.100"))
            .build();
    r.handle(NOW, SERVER, ByteBuffer.wrap(nak.encode()));
    assertEquals(new InetSocketAddress("255.255.255.255", 68), drain(r).get(0).destination());
    r.handle(
        NOW,
        SERVER,
        ByteBuffer.wrap(offerFor(relayed.toBuilder().broadcast(true).build()).encode()));
    assertEquals(new InetSocketAddress("255.255.255.255", 68), drain(r).get(0).destination());
  }

  @Test
  void repliesFromStrangersOrForAnotherGiaddrAreDropped() throws Exception {
    DhcpRelay r = relay();
    DhcpMessage relayed = discover().toBuilder().giaddr(LINK).build();
    r.handle(
        NOW, new InetSocketAddress("10.99.0.66", 67), ByteBuffer.wrap(offerFor(relayed).encode()));
    assertTrue(drain(r).isEmpty());
    assertInstanceOf(DhcpRelayEvent.Dropped.class, lastEvent(r));
    DhcpMessage other = discover().toBuilder().giaddr(Ipv4Address.parse("10.99.9.1")).build();
    r.handle(NOW, SERVER, ByteBuffer.wrap(offerFor(other).encode()));
    assertTrue(drain(r).isEmpty());
    assertTrue(((DhcpRelayEvent.Dropped) lastEvent(r)).reason().contains("giaddr"));
    r.handle(NOW, null, ByteBuffer.wrap(offerFor(relayed).encode()));
    assertTrue(drain(r).isEmpty());
    r.handle(NOW, CLIENT, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    assertTrue(((DhcpRelayEvent.Dropped) lastEvent(r)).reason().startsWith("malformed"));
    assertNull(r.pollTimeout());
  }

  @Test
  void builderRejectsNonsense() {
    assertThrows(IllegalStateException.class, () -> DhcpRelay.builder(LINK).build());
    assertThrows(IllegalArgumentException.class, () -> DhcpRelay.builder(Ipv4Address.ANY));
    assertThrows(IllegalArgumentException.class, () -> DhcpRelay.builder(LINK).maxHops(17));
    assertThrows(
        IllegalArgumentException.class, () -> DhcpRelay.builder(LINK).circuitId(new byte[0]));
  }

  /** Our client, our relay and our server engines: the client binds through the relay. */
  @Test
  void clientBindsThroughTheRelayToOurServer() throws Exception {
    DhcpServer server =
        DhcpServer.builder(Ipv4Address.parse("10.99.1.2"))
            .subnet(
                Subnet.builder(IpPrefix.parse("10.99.1.0/24"))
                    .pool(Ipv4Address.parse("10.99.1.100"), Ipv4Address.parse("10.99.1.110"))
                    .build())
            .subnet(
                Subnet.builder(IpPrefix.parse("10.99.0.0/24"))
                    .pool(Ipv4Address.parse("10.99.0.100"), Ipv4Address.parse("10.99.0.110"))
                    .options(OptionSet.builder().routers(List.of(LINK)).build())
                    .build())
            .build();
    DhcpRelay relay = relay();
    DhcpClient client = DhcpClient.builder(MAC).random(new SplittableRandom(1)).build();
    client.start(NOW);
    List<String> hops = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (Transmit t; (t = client.pollTransmit()) != null; ) {
        hops.add(
            "client>relay "
                + DhcpCodec.decode(t.payload().duplicate()).messageType().orElseThrow());
        relay.handle(NOW, CLIENT, t.payload());
      }
      for (Transmit t; (t = relay.pollTransmit()) != null; ) {
        if (t.destination().equals(SERVER)) {
          server.handle(NOW, new InetSocketAddress("10.99.0.1", 67), t.payload());
        } else {
          client.handle(NOW, SERVER, t.payload());
        }
      }
      for (Transmit t; (t = server.pollTransmit()) != null; ) {
        assertEquals(
            new InetSocketAddress("10.99.0.1", 67), t.destination(), "server replies to giaddr");
        relay.handle(NOW, SERVER, t.payload());
      }
      for (Transmit t; (t = relay.pollTransmit()) != null; ) {
        client.handle(NOW, SERVER, t.payload());
      }
    }
    assertEquals(List.of("client>relay DISCOVER", "client>relay REQUEST"), hops);
    assertEquals(DhcpClientState.BOUND, client.state());
    DhcpClientEvent.Bound bound = (DhcpClientEvent.Bound) client.pollEvent();
    assertEquals(Ipv4Address.parse("10.99.0.100"), bound.lease().address(), "subnet by giaddr");
    assertEquals(List.of(LINK), bound.lease().routers());
    assertFalse(bound.lease().ack().relayAgentInfo().isPresent());
  }
}
