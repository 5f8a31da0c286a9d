package dev.headend.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Laying out new messages: RFC 2131 §2 fields, RFC 951 / RFC 1542 §2.1 minimum size. */
class DhcpMessageBuilderTest {

  @Test
  void newMessagesArePaddedToTheBootpMinimumOf300Bytes() throws Exception {
    DhcpMessage m = DhcpMessage.builder().messageType(DhcpMessageType.DISCOVER).build();
    assertEquals(300, m.length());
    byte[] w = m.encode();
    assertArrayEquals(new byte[] {0x63, (byte) 0x82, 0x53, 0x63}, Arrays.copyOfRange(w, 236, 240));
    assertArrayEquals(new byte[] {53, 1, 1, (byte) 255}, Arrays.copyOfRange(w, 240, 244));
    for (int i = 244; i < 300; i++) {
      assertEquals(0, w[i], "zero padding after END");
    }
  }

  @Test
  void decodedMessagesAreNeverPaddedOnReEncoding() throws Exception {
    byte[] w = Wire.dhcp(53, 1, 1, 255); // 244 bytes, below the BOOTP minimum
    assertEquals(244, DhcpCodec.decode(w).encode().length);
  }

  @Test
  void messagesLongerThanTheMinimumAreNotPadded() {
    DhcpMessage m = DhcpMessage.builder().option(224, new byte[100]).build();
    assertEquals(240 + 102 + 1, m.length());
  }

  @Test
  void writesEveryHeaderField() throws Exception {
    DhcpMessage m =
        DhcpMessage.builder()
            .op(DhcpMessage.BOOTREPLY)
            .hops(2)
            .xid(0xcafebabe)
            .secs(65535)
            .broadcast(true)
            .ciaddr(Ipv4Address.parse("10.0.0.1"))
            .yiaddr(Ipv4Address.parse("10.0.0.2"))
            .siaddr(Ipv4Address.parse("10.0.0.3"))
            .giaddr(Ipv4Address.parse("10.0.0.4"))
            .chaddr(MacAddress.parse("00:11:22:33:44:55"))
            .sname("boot-server")
            .file("/tftpboot/pxelinux.0")
            .build();
    DhcpMessage back = DhcpCodec.decode(m.encode());
    assertEquals(DhcpMessage.BOOTREPLY, back.op());
    assertEquals(1, back.htype());
    assertEquals(6, back.hlen());
    assertEquals(2, back.hops());
    assertEquals(0xcafebabe, back.xid());
    assertEquals(65535, back.secs());
    assertEquals(DhcpMessage.FLAG_BROADCAST, back.flags());
    assertEquals(Ipv4Address.parse("10.0.0.1"), back.ciaddr());
    assertEquals(Ipv4Address.parse("10.0.0.2"), back.yiaddr());
    assertEquals(Ipv4Address.parse("10.0.0.3"), back.siaddr());
    assertEquals(Ipv4Address.parse("10.0.0.4"), back.giaddr());
    assertEquals(MacAddress.parse("00:11:22:33:44:55"), back.clientMac().orElseThrow());
    assertEquals("boot-server", back.sname());
    assertEquals("/tftpboot/pxelinux.0", back.file());
    assertTrue(back.optionCodes().isEmpty());
    assertTrue(back.hasMagicCookie());
    assertFalse(
        DhcpMessage.builder().flags(0xffff).broadcast(false).build().broadcast(),
        "clearing broadcast keeps the other bits");
    assertEquals(0x7fff, DhcpMessage.builder().flags(0xffff).broadcast(false).build().flags());
  }

  @Test
  void otherHardwareTypesSetTheirLength() {
    DhcpMessage m = DhcpMessage.builder().htype(32).chaddr(new byte[16]).hlen(20).build();
    assertEquals(32, m.htype());
    assertEquals(20, m.hlen());
    assertEquals(16, m.chaddr().length);
    assertEquals(3, DhcpMessage.builder().chaddr(new byte[] {1, 2, 3}).build().hlen());
  }

  @Test
  void theMessageTypeComesFirstWhateverTheOrderOfCalls() {
    DhcpMessage m =
        DhcpMessage.builder()
            .hostName("pc")
            .requestedAddress(Ipv4Address.parse("10.0.0.7"))
            .messageType(DhcpMessageType.REQUEST)
            .parameterRequestList(List.of(1, 3, 6))
            .build();
    assertEquals(List.of(53, 12, 50, 55), m.optionCodes());
  }

  @Test
  void settingAnOptionAgainReplacesItInPlace() throws Exception {
    DhcpMessage m =
        DhcpMessage.builder()
            .hostName("a")
            .domainName("lan")
            .hostName("b")
            .remove(99)
            .option(224, new byte[] {1})
            .remove(224)
            .build();
    assertEquals(List.of(12, 15), m.optionCodes());
    assertEquals("b", m.hostName().orElseThrow());
  }

  @Test
  void convenienceSettersMatchTheirOptions() throws Exception {
    DhcpMessage m =
        DhcpMessage.builder()
            .messageType(DhcpMessageType.ACK)
            .serverIdentifier(Ipv4Address.parse("192.0.2.1"))
            .leaseTime(86400)
            .renewalTime(43200)
            .rebindingTime(75600)
            .subnetMask(Ipv4Address.parse("255.255.255.0"))
            .routers(List.of(Ipv4Address.parse("192.0.2.254")))
            .domainNameServers(List.of(Ipv4Address.parse("192.0.2.53")))
            .domainName("example")
            .set(DhcpOption.MAX_DHCP_MESSAGE_SIZE, 1500)
            .set(DhcpOption.VENDOR_CLASS_IDENTIFIER, "MSFT 5.0")
            .build();
    DhcpMessage back = DhcpCodec.decode(m.encode());
    assertEquals(DhcpMessageType.ACK, back.messageType().orElseThrow());
    assertEquals(Ipv4Address.parse("192.0.2.1"), back.serverIdentifier().orElseThrow());
    assertEquals(86400L, back.leaseTime().orElseThrow());
    assertEquals(43200L, back.renewalTime().orElseThrow());
    assertEquals(75600L, back.rebindingTime().orElseThrow());
    assertEquals(Ipv4Address.parse("255.255.255.0"), back.subnetMask().orElseThrow());
    assertEquals(List.of(Ipv4Address.parse("192.0.2.254")), back.routers().orElseThrow());
    assertEquals(List.of(Ipv4Address.parse("192.0.2.53")), back.domainNameServers().orElseThrow());
    assertEquals("example", back.domainName().orElseThrow());
    assertEquals(1500, back.maxMessageSize().orElseThrow());
    assertEquals("MSFT 5.0", back.vendorClassIdentifier().orElseThrow());
  }

  @Test
  void plainBootpMessagesCarryTheirVendorAreaWithoutCookie() throws Exception {
    byte[] vend = new byte[64];
    vend[0] = 1;
    DhcpMessage m = DhcpMessage.builder().bootpVendorArea(vend).build();
    assertEquals(300, m.length());
    assertFalse(m.hasMagicCookie());
    assertArrayEquals(vend, m.vendorArea());
    DhcpMessage copy = DhcpCodec.decode(m.encode()).toBuilder().build();
    assertEquals(m, copy);
    assertThrows(
        IllegalStateException.class,
        () -> DhcpMessage.builder().bootpVendorArea(vend).hostName("x").build());
  }

  @Test
  void toBuilderKeepsFieldsAndOptions() throws Exception {
    DhcpMessage m =
        DhcpMessage.builder()
            .op(DhcpMessage.BOOTREPLY)
            .xid(7)
            .hops(1)
            .secs(3)
            .flags(0x8000)
            .ciaddr(Ipv4Address.parse("10.0.0.1"))
            .yiaddr(Ipv4Address.parse("10.0.0.2"))
            .siaddr(Ipv4Address.parse("10.0.0.3"))
            .giaddr(Ipv4Address.parse("10.0.0.4"))
            .chaddr(MacAddress.parse("02:00:00:00:00:05"))
            .sname("s")
            .file("f")
            .messageType(DhcpMessageType.ACK)
            .option(224, new byte[] {1, 2})
            .build();
    assertEquals(m, m.toBuilder().build());
    DhcpMessage relayed = m.toBuilder().hops(2).build();
    assertEquals(2, relayed.hops());
    assertEquals(m.optionCodes(), relayed.optionCodes());
  }

  @Test
  void refusesFieldValuesThatDoNotFit() {
    DhcpMessage.Builder b = DhcpMessage.builder();
    assertThrows(IllegalArgumentException.class, () -> b.op(256));
    assertThrows(IllegalArgumentException.class, () -> b.htype(-1));
    assertThrows(IllegalArgumentException.class, () -> b.hlen(256));
    assertThrows(IllegalArgumentException.class, () -> b.hops(256));
    assertThrows(IllegalArgumentException.class, () -> b.secs(65536));
    assertThrows(IllegalArgumentException.class, () -> b.flags(-1));
    assertThrows(IllegalArgumentException.class, () -> b.chaddr(new byte[17]));
    assertThrows(IllegalArgumentException.class, () -> b.sname("x".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> b.file("x".repeat(128)));
    assertThrows(IllegalArgumentException.class, () -> b.maxLength(299));
    assertThrows(IllegalArgumentException.class, () -> b.maxLength(DhcpCodec.MAX_LENGTH + 1));
    assertThrows(NullPointerException.class, () -> b.ciaddr(null));
    assertThrows(NullPointerException.class, () -> b.hostName(null));
    b.sname("x".repeat(63)).file("y".repeat(127));
  }

  @Test
  void refusesMessagesLargerThanADatagram() {
    DhcpMessage.Builder b = DhcpMessage.builder().option(224, new byte[DhcpCodec.MAX_LENGTH]);
    assertThrows(IllegalStateException.class, b::build);
    DhcpMessage.Builder bootp =
        DhcpMessage.builder().bootpVendorArea(new byte[DhcpCodec.MAX_LENGTH]);
    assertThrows(IllegalStateException.class, bootp::build);
  }
}
