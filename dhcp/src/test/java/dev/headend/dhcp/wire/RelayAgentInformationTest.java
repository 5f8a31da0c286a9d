package dev.headend.dhcp.wire;

import static dev.headend.dhcp.wire.Wire.ascii;
import static dev.headend.dhcp.wire.Wire.dhcp;
import static dev.headend.dhcp.wire.Wire.join;
import static dev.headend.dhcp.wire.Wire.option;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Option 82, RFC 3046, and the sub-options of RFC 3527, 3993 and 5107. */
class RelayAgentInformationTest {

  private static DhcpMessage message(int... value) throws MalformedDhcpMessageException {
    return DhcpCodec.decode(dhcp(join(option(53, 1), option(82, value), new int[] {255})));
  }

  @Test
  void readsCircuitIdAndRemoteIdSubOptions() throws Exception {
    RelayAgentInfo info =
        message(join(option(1, ascii("eth0/1:100")), option(2, 0, 0x11, 0x22, 0x33, 0x44, 0x55)))
            .relayAgentInfo()
            .orElseThrow();
    assertEquals(List.of(1, 2), info.codes());
    assertEquals(
        "eth0/1:100", new String(info.circuitId().orElseThrow(), StandardCharsets.US_ASCII));
    assertArrayEquals(
        MacAddress.parse("00:11:22:33:44:55").toBytes(), info.remoteId().orElseThrow());
    assertTrue(info.linkSelection().isEmpty());
  }

  @Test
  void keepsUnknownAndRepeatedSubOptionsInWireOrder() throws Exception {
    RelayAgentInfo info =
        message(join(option(9, 1, 2, 3), option(1, 'a'), option(151), option(1, 'b')))
            .relayAgentInfo()
            .orElseThrow();
    assertEquals(List.of(9, 1, 151, 1), info.codes());
    assertEquals(2, info.subOptions(1).size());
    assertArrayEquals(new byte[] {'a'}, info.circuitId().orElseThrow());
    assertArrayEquals(new byte[0], info.subOption(151).orElseThrow());
    assertTrue(info.toString().startsWith("RelayAgentInfo[9=010203, 1=61"), info.toString());
  }

  @Test
  void readsLinkSelectionSubscriberIdAndServerOverride() throws Exception {
    RelayAgentInfo info =
        message(join(option(5, 10, 1, 2, 0), option(6, ascii("sub-42")), option(11, 192, 0, 2, 1)))
            .relayAgentInfo()
            .orElseThrow();
    assertEquals(Ipv4Address.parse("10.1.2.0"), info.linkSelection().orElseThrow());
    assertEquals("sub-42", info.subscriberId().orElseThrow());
    assertEquals(Ipv4Address.parse("192.0.2.1"), info.serverIdOverride().orElseThrow());
  }

  @Test
  void rejectsASubOptionRunningPastTheOption() throws Exception {
    DhcpMessage m = message(1, 2, 'a', 'b', 2, 9, 'c');
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, m::relayAgentInfo);
    assertEquals(243 + 2 + 4, e.offset(), "the remote id sub-option, counted in the message");
    assertThrows(MalformedDhcpMessageException.class, () -> message(1).relayAgentInfo());
  }

  @Test
  void rejectsAddressSubOptionsThatAreNotFourBytes() throws Exception {
    assertThrows(
        MalformedDhcpMessageException.class, () -> message(5, 3, 10, 0, 0).relayAgentInfo());
    assertThrows(MalformedDhcpMessageException.class, () -> message(11, 0).relayAgentInfo());
  }

  @Test
  void subOptionsSpanningTwoInstancesAreConcatenatedFirst() throws Exception {
    // RFC 3396 applies to option 82 too: the circuit id is cut across two instances
    byte[] w = dhcp(join(option(82, 1, 4, 'a', 'b'), option(82, 'c', 'd'), new int[] {255}));
    RelayAgentInfo info = DhcpCodec.decode(w).relayAgentInfo().orElseThrow();
    assertArrayEquals("abcd".getBytes(StandardCharsets.US_ASCII), info.circuitId().orElseThrow());
  }

  @Test
  void anEmptyOptionHasNoSubOptions() throws Exception {
    assertTrue(message().relayAgentInfo().orElseThrow().codes().isEmpty());
  }

  @Test
  void builtMessagesPutTheOptionLastPerRfc3046Section2_1() throws Exception {
    RelayAgentInfo info =
        RelayAgentInfo.builder()
            .circuitId(new byte[] {0, 4, 0, 1, 0, 6})
            .remoteId(MacAddress.parse("00:11:22:33:44:55").toBytes())
            .linkSelection(Ipv4Address.parse("10.0.0.0"))
            .subscriberId("cust-7")
            .serverIdOverride(Ipv4Address.parse("10.0.0.1"))
            .add(151, new byte[] {1})
            .build();
    DhcpMessage m =
        DhcpMessage.builder()
            .relayAgentInfo(info)
            .hostName("pc")
            .messageType(DhcpMessageType.DISCOVER)
            .build();
    assertEquals(List.of(53, 12, 82), m.optionCodes());
    assertEquals(info, DhcpCodec.decode(m.encode()).relayAgentInfo().orElseThrow());
    assertEquals(List.of(1, 2, 5, 6, 11, 151), info.codes());
  }

  @Test
  void aReplyEchoesTheRelayInformationAndClientIdentifier() throws Exception {
    RelayAgentInfo info = RelayAgentInfo.builder().circuitId(new byte[] {7}).build();
    ClientId id = ClientId.ofMac(MacAddress.parse("02:00:00:00:00:09"));
    DhcpMessage request =
        DhcpMessage.builder()
            .messageType(DhcpMessageType.DISCOVER)
            .chaddr(MacAddress.parse("02:00:00:00:00:09"))
            .xid(0x1234)
            .broadcast(true)
            .hops(1)
            .giaddr(Ipv4Address.parse("10.9.0.1"))
            .clientId(id)
            .relayAgentInfo(info)
            .build();
    DhcpMessage offer =
        DhcpMessage.replyTo(request)
            .messageType(DhcpMessageType.OFFER)
            .yiaddr(Ipv4Address.parse("10.9.0.50"))
            .build();
    assertEquals(DhcpMessage.BOOTREPLY, offer.op());
    assertEquals(0x1234, offer.xid());
    assertTrue(offer.broadcast());
    assertEquals(0, offer.hops());
    assertEquals(Ipv4Address.parse("10.9.0.1"), offer.giaddr());
    assertEquals(request.clientMac(), offer.clientMac());
    assertEquals(info, offer.relayAgentInfo().orElseThrow());
    assertEquals(id, offer.clientId().orElseThrow());
    assertEquals(List.of(53, 61, 82), offer.optionCodes());
  }

  @Test
  void builderRefusesBadSubOptions() {
    RelayAgentInfo.Builder b = RelayAgentInfo.builder();
    assertThrows(IllegalArgumentException.class, () -> b.add(256, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> b.add(1, new byte[256]));
    assertThrows(IllegalArgumentException.class, () -> b.add(5, new byte[3]));
    assertThrows(IllegalArgumentException.class, () -> b.subscriberId("é"));
  }
}
