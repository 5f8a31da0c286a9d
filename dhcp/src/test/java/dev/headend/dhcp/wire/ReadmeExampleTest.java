package dev.headend.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example in README.md, run as it is written there. */
class ReadmeExampleTest {

  @Test
  void decodeADiscoverReadItsOptionsAndBuildAnOffer() throws Exception {
    byte[] datagram = // what a client broadcasts; any DHCP client's DISCOVER will do
        DhcpMessage.builder()
            .xid(0x3903f326)
            .chaddr(MacAddress.parse("00:0c:29:1f:74:06"))
            .broadcast(true)
            .messageType(DhcpMessageType.DISCOVER)
            .parameterRequestList(List.of(1, 3, 6, 15, 121))
            .hostName("laptop")
            .build()
            .encode();

    // --- README example starts
    DhcpMessage discover = DhcpCodec.decode(ByteBuffer.wrap(datagram)); // or MalformedDhcp...
    DhcpMessageType type = discover.messageType().orElseThrow(); // DISCOVER
    List<Integer> wanted = discover.parameterRequestList().orElse(List.of()); // [1, 3, 6, 15, 121]
    String host = discover.hostName().orElse("-"); // "laptop"
    int room = discover.maxMessageSize().orElse(576) - 28; // less the IP and UDP headers

    DhcpMessage offer =
        DhcpMessage.replyTo(discover) // BOOTREPLY, xid, chaddr, flags, giaddr; 61 and 82 echoed
            .messageType(DhcpMessageType.OFFER)
            .yiaddr(Ipv4Address.parse("192.0.2.50"))
            .serverIdentifier(Ipv4Address.parse("192.0.2.1"))
            .leaseTime(3600)
            .subnetMask(Ipv4Address.parse("255.255.255.0"))
            .routers(List.of(Ipv4Address.parse("192.0.2.1")))
            .classlessRoutes(List.of(ClasslessRoute.of("10.0.0.0/8", "192.0.2.254")))
            .maxLength(room) // overloads file and sname if the options need it
            .build();
    ByteBuffer out = ByteBuffer.allocate(1500);
    DhcpCodec.encode(offer, out); // or offer.encode() for a byte[]
    // --- README example ends

    assertEquals(DhcpMessageType.DISCOVER, type);
    assertEquals(List.of(1, 3, 6, 15, 121), wanted);
    assertEquals("laptop", host);
    assertEquals(548, room);
    assertEquals(300, out.position());
    DhcpMessage back = DhcpCodec.decode(out.flip());
    assertEquals(DhcpMessageType.OFFER, back.messageType().orElseThrow());
    assertEquals(0x3903f326, back.xid());
    assertEquals(true, back.broadcast());
    assertEquals(3600L, back.leaseTime().orElseThrow());
  }
}
