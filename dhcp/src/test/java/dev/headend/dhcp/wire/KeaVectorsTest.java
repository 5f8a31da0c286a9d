package dev.headend.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.testkit.Captures;
import dev.headend.testkit.TestData;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ISC Kea's raw DHCPv4 packets (../shared/testdata/dhcp/kea): decoded, checked, re-encoded. */
class KeaVectorsTest {

  private static byte[] hex(String file) {
    return HexFormat.of().parseHex(TestData.text("dhcp", "kea", file).strip());
  }

  @Test
  void perfdhcpDiscoverTemplate() throws Exception {
    byte[] wire = hex("discover-example.hex");
    DhcpMessage m = DhcpCodec.decode(wire);
    assertArrayEquals(wire, m.encode());
    assertEquals(DhcpMessage.BOOTREQUEST, m.op());
    assertEquals(1, m.htype());
    assertEquals(6, m.hlen());
    assertEquals(1, m.hops());
    assertEquals(0x008b45d2, m.xid());
    assertEquals(Ipv4Address.parse("172.16.1.2"), m.giaddr());
    assertEquals(MacAddress.parse("00:0c:01:02:03:04"), m.clientMac().orElseThrow());
    assertEquals(DhcpMessageType.DISCOVER, m.messageType().orElseThrow());
    assertEquals(List.of(1, 28, 2, 3, 15, 6, 12), m.parameterRequestList().orElseThrow());
    assertEquals(List.of(53, 55), m.optionCodes());
    assertEquals(253, wire.length, "not padded: options end with END and nothing after");
    assertEquals(0xff, wire[wire.length - 1] & 0xff);
  }

  @Test
  void fuzzCorpusRelayedDiscoverInCookedCapture() throws Exception {
    byte[] frame = hex("full-dhcp-packet.pkt4");
    List<Captures.Datagram> out = new ArrayList<>();
    Captures.decodeFrame(1, 113, frame, out); // Linux cooked (SLL) header
    assertEquals(1, out.size());
    Captures.Datagram d = out.get(0);
    assertEquals(67, d.sourcePort());
    assertEquals(67, d.destinationPort());
    assertFalse(d.truncated());
    DhcpMessage m = DhcpCodec.decode(d.payload());
    assertArrayEquals(d.payload(), m.encode());
    assertEquals(DhcpMessage.BOOTREQUEST, m.op());
    assertEquals(1, m.hops());
    assertEquals(Ipv4Address.parse("10.1.0.1"), m.giaddr());
    assertEquals(Ipv4Address.parse(d.source()), m.giaddr(), "relayed from the giaddr");
    MacAddress mac = MacAddress.parse("00:0c:01:02:03:04");
    assertEquals(mac, m.clientMac().orElseThrow());
    assertEquals(DhcpMessageType.DISCOVER, m.messageType().orElseThrow());
    assertEquals(List.of(1, 28, 2, 3, 15, 6, 12), m.parameterRequestList().orElseThrow());
    assertEquals(ClientId.ofMac(mac), m.clientId().orElseThrow());
    assertEquals(mac, m.clientId().orElseThrow().macAddress().orElseThrow());
  }
}
