package dev.headend.dhcp.wire;

import static dev.headend.dhcp.wire.Wire.dhcp;
import static dev.headend.dhcp.wire.Wire.join;
import static dev.headend.dhcp.wire.Wire.option;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The message structure: RFC 951 / RFC 2131 §2 header, RFC 2131 §3 cookie, RFC 2132 §2 options. */
class DhcpCodecTest {

  private static DhcpMessage roundTrip(byte[] wire) throws MalformedDhcpMessageException {
    DhcpMessage m = DhcpCodec.decode(wire);
    assertArrayEquals(wire, m.encode(), "decode then encode gives the same bytes");
    assertArrayEquals(wire, DhcpCodec.encode(m));
    assertEquals(wire.length, m.length());
    return m;
  }

  @Test
  void readsFixedFieldsAtTheirRfc2131Offsets() throws Exception {
    byte[] w = Wire.header();
    w = Wire.put(w, 0, 2, 1, 6, 3, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x80, 0x00);
    w = Wire.put(w, 12, 10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 10, 0, 0, 4);
    w = Wire.put(w, 28, 0, 0x11, 0x22, 0x33, 0x44, 0x55);
    w = Wire.put(w, 44, 's', 'r', 'v');
    w = Wire.put(w, 108, 'b', 'o', 'o', 't');
    DhcpMessage m = roundTrip(w);
    assertEquals(DhcpMessage.BOOTREPLY, m.op());
    assertEquals(1, m.htype());
    assertEquals(6, m.hlen());
    assertEquals(3, m.hops());
    assertEquals(0xdeadbeef, m.xid());
    assertEquals(0x0102, m.secs());
    assertEquals(0x8000, m.flags());
    assertTrue(m.broadcast());
    assertEquals(Ipv4Address.parse("10.0.0.1"), m.ciaddr());
    assertEquals(Ipv4Address.parse("10.0.0.2"), m.yiaddr());
    assertEquals(Ipv4Address.parse("10.0.0.3"), m.siaddr());
    assertEquals(Ipv4Address.parse("10.0.0.4"), m.giaddr());
    assertEquals(MacAddress.parse("00:11:22:33:44:55"), m.clientMac().orElseThrow());
    assertArrayEquals(new byte[] {0, 0x11, 0x22, 0x33, 0x44, 0x55}, m.chaddr());
    assertEquals("srv", m.sname());
    assertEquals("boot", m.file());
    assertFalse(m.hasMagicCookie());
  }

  @Test
  void chaddrIsHlenBytesAndMacOnlyForEthernet() throws Exception {
    DhcpMessage ib = roundTrip(Wire.put(Wire.header(), 1, 32, 20)); // InfiniBand, 20 > 16
    assertEquals(16, ib.chaddr().length);
    assertTrue(ib.clientMac().isEmpty());
    DhcpMessage none = roundTrip(Wire.put(Wire.header(), 1, 0, 0)); // htype 0 as Zeek saw
    assertEquals(0, none.chaddr().length);
  }

  @Test
  void rejectsMessagesShorterThanTheBootpHeader() {
    for (int n : new int[] {0, 1, 100, 235}) {
      MalformedDhcpMessageException e =
          assertThrows(MalformedDhcpMessageException.class, () -> DhcpCodec.decode(new byte[n]));
      assertEquals(n, e.offset());
      assertTrue(e.getMessage().contains("shorter than the 236-byte BOOTP header"), e.getMessage());
    }
  }

  @Test
  void acceptsHeaderOnlyBootpWithoutVendorArea() throws Exception {
    DhcpMessage m = roundTrip(Wire.header());
    assertFalse(m.hasMagicCookie());
    assertEquals(0, m.vendorArea().length);
    assertTrue(m.optionCodes().isEmpty());
    assertTrue(m.messageType().isEmpty());
  }

  @Test
  void vendorAreaShorterThanTheCookieIsPlainBootp() throws Exception {
    for (int extra = 1; extra < 4; extra++) {
      byte[] w = Arrays.copyOf(dhcp(), 236 + extra);
      DhcpMessage m = roundTrip(w);
      assertFalse(m.hasMagicCookie());
      assertEquals(extra, m.vendorArea().length);
    }
  }

  @Test
  void bootpVendorAreaWithoutCookieIsKeptRawPerRfc1542() throws Exception {
    byte[] vend = new byte[64];
    Arrays.fill(vend, (byte) 0x35); // looks like options, but there is no cookie
    byte[] w = Arrays.copyOf(Wire.header(), 300);
    System.arraycopy(vend, 0, w, 236, 64);
    DhcpMessage m = roundTrip(w);
    assertFalse(m.hasMagicCookie());
    assertTrue(m.optionCodes().isEmpty());
    assertArrayEquals(vend, m.vendorArea());
  }

  @Test
  void badMagicCookieMeansNoOptionsAndTheVendorAreaIsKept() throws Exception {
    byte[] w = Wire.put(dhcp(53, 1, 1, 255), 236, 0x63, 0x82, 0x53, 0x64);
    DhcpMessage m = roundTrip(w);
    assertFalse(m.hasMagicCookie());
    assertFalse(m.hasOption(53));
    assertTrue(m.messageType().isEmpty());
  }

  @Test
  void badCookieAlsoIgnoresBrokenOptions() throws Exception {
    // option 53 claiming 200 bytes would be malformed after a cookie; without one it is just data
    byte[] w = Wire.put(dhcp(53, 200, 1), 236, 0, 0, 0, 0);
    assertFalse(roundTrip(w).hasMagicCookie());
  }

  @Test
  void padOptionsAreSkippedAndKeptInPlace() throws Exception {
    byte[] w = dhcp(0, 0, 53, 1, 3, 0, 0, 0, 50, 4, 10, 0, 0, 9, 0, 255);
    DhcpMessage m = roundTrip(w);
    assertEquals(List.of(53, 50), m.optionCodes());
    assertArrayEquals(new int[] {242, 248}, m.instanceOffsets());
    assertEquals(DhcpMessageType.REQUEST, m.messageType().orElseThrow());
    assertEquals(Ipv4Address.parse("10.0.0.9"), m.requestedAddress().orElseThrow());
  }

  @Test
  void endStopsOptionsAndBytesAfterItAreKept() throws Exception {
    byte[] w = dhcp(53, 1, 1, 255, 53, 1, 5, 0xde, 0xad, 61, 200);
    DhcpMessage m = roundTrip(w);
    assertEquals(List.of(53), m.optionCodes());
    assertEquals(DhcpMessageType.DISCOVER, m.messageType().orElseThrow());
  }

  @Test
  void optionsWithoutEndRunToTheEndOfTheMessage() throws Exception {
    DhcpMessage m = roundTrip(dhcp(53, 1, 1, 12, 2, 'h', 'i'));
    assertEquals("hi", m.hostName().orElseThrow());
    DhcpMessage empty = roundTrip(dhcp());
    assertTrue(empty.hasMagicCookie());
    assertTrue(empty.optionCodes().isEmpty());
  }

  @Test
  void rejectsAnOptionWithoutItsLengthByte() {
    MalformedDhcpMessageException e =
        assertThrows(
            MalformedDhcpMessageException.class, () -> DhcpCodec.decode(dhcp(53, 1, 1, 12)));
    assertEquals(243, e.offset());
    assertTrue(e.getMessage().contains("no length byte"), e.getMessage());
  }

  @Test
  void rejectsAnOptionRunningPastTheEnd() {
    MalformedDhcpMessageException e =
        assertThrows(
            MalformedDhcpMessageException.class, () -> DhcpCodec.decode(dhcp(0, 12, 5, 'a', 'b')));
    assertEquals(241, e.offset(), "the option's code byte");
    assertTrue(e.getMessage().contains("declares 5 bytes"), e.getMessage());
  }

  @Test
  void rejectsMoreThanADatagramCanCarry() {
    MalformedDhcpMessageException e =
        assertThrows(
            MalformedDhcpMessageException.class,
            () -> DhcpCodec.decode(new byte[DhcpCodec.MAX_LENGTH + 1]));
    assertEquals(DhcpCodec.MAX_LENGTH, e.offset());
  }

  @Test
  void unknownOptionsAreKeptByteForByte() throws Exception {
    byte[] w = dhcp(53, 1, 1, 224, 3, 0xff, 0, 0x7f, 254, 0, 255);
    DhcpMessage m = roundTrip(w);
    assertEquals(List.of(53, 224, 254), m.optionCodes());
    assertArrayEquals(new byte[] {(byte) 0xff, 0, 0x7f}, m.option(224).orElseThrow());
    assertArrayEquals(new byte[0], m.option(254).orElseThrow());
    assertTrue(m.option(100).isEmpty());
  }

  @Test
  void anOddOptionDecodesAndRoundTripsButFailsWhenReadTyped() throws Exception {
    byte[] w = dhcp(53, 1, 2, 1, 3, 255, 255, 255, 255); // subnet mask of 3 bytes
    DhcpMessage m = roundTrip(w);
    assertEquals(DhcpMessageType.OFFER, m.messageType().orElseThrow());
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, m::subnetMask);
    assertEquals(243, e.offset());
    assertTrue(e.getMessage().contains("option 1 (Subnet Mask)"), e.getMessage());
    assertArrayEquals(new byte[] {-1, -1, -1}, m.option(1).orElseThrow());
  }

  @Test
  void neverMovesTheCallersBuffer() throws Exception {
    byte[] w = dhcp(53, 1, 1, 255);
    ByteBuffer b = ByteBuffer.allocate(w.length + 10);
    b.position(7);
    b.put(w);
    b.position(7).limit(7 + w.length);
    DhcpMessage m = DhcpCodec.decode(b);
    assertEquals(7, b.position());
    assertEquals(7 + w.length, b.limit());
    assertArrayEquals(w, m.encode());
    MalformedDhcpMessageException e =
        assertThrows(
            MalformedDhcpMessageException.class, () -> DhcpCodec.decode(b.duplicate().limit(100)));
    assertEquals(93, e.offset(), "offsets count from the buffer's position");
    assertEquals(7, b.position());
  }

  @Test
  void decodingCopiesSoLaterChangesToTheInputDoNotShow() throws Exception {
    byte[] w = dhcp(53, 1, 1, 255);
    DhcpMessage m = DhcpCodec.decode(w);
    w[242] = 5;
    assertEquals(DhcpMessageType.DISCOVER, m.messageType().orElseThrow());
    m.encode()[242] = 5;
    assertEquals(DhcpMessageType.DISCOVER, m.messageType().orElseThrow());
  }

  @Test
  void encodesIntoTheCallersBufferAndAdvancesIt() throws Exception {
    DhcpMessage m = DhcpCodec.decode(dhcp(53, 1, 1, 255));
    ByteBuffer out = ByteBuffer.allocate(400);
    out.position(5);
    assertEquals(m.length(), DhcpCodec.encode(m, out));
    assertEquals(5 + m.length(), out.position());
    assertArrayEquals(m.encode(), Arrays.copyOfRange(out.array(), 5, 5 + m.length()));
  }

  @Test
  void refusesAShortBufferWithoutWriting() throws Exception {
    DhcpMessage m = DhcpCodec.decode(dhcp(53, 1, 1, 255));
    ByteBuffer out = ByteBuffer.allocate(m.length() - 1);
    assertThrows(BufferOverflowException.class, () -> DhcpCodec.encode(m, out));
    assertEquals(0, out.position());
    assertArrayEquals(new byte[m.length() - 1], out.array());
  }

  @Test
  void equalMessagesHaveEqualBytes() throws Exception {
    DhcpMessage a = DhcpCodec.decode(dhcp(53, 1, 1, 255));
    DhcpMessage b = DhcpCodec.decode(dhcp(53, 1, 1, 255));
    DhcpMessage c = DhcpCodec.decode(dhcp(53, 1, 1, 255, 0));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertFalse(a.equals(c), "a trailing pad is part of the message");
    assertTrue(a.toString().contains("xid=0x1020304"), a.toString());
    assertTrue(a.toString().contains("options=[53]"), a.toString());
  }

  @Test
  void errorsInAConcatenatedValuePointAtTheInstanceHoldingTheBadByte() throws Exception {
    // option 121 in two instances (RFC 3396): a good route, then a width of 33 in the second
    int[] first = option(121, 8, 10, 192, 0, 2, 1);
    int[] second = option(121, 33, 0, 0, 0, 0);
    DhcpMessage m = DhcpCodec.decode(dhcp(join(first, new int[] {0}, second, new int[] {255})));
    MalformedDhcpMessageException e =
        assertThrows(MalformedDhcpMessageException.class, m::classlessRoutes);
    assertEquals(240 + first.length + 1 + 2, e.offset(), "the width byte in the second instance");
  }

  @Test
  void typedAccessorsDecodeEveryCallAndShareNothing() throws Exception {
    DhcpMessage m = DhcpCodec.decode(dhcp(55, 2, 1, 3, 255));
    List<Integer> prl = m.parameterRequestList().orElseThrow();
    assertThrows(UnsupportedOperationException.class, () -> prl.add(4));
    m.option(55).orElseThrow()[0] = 9;
    assertEquals(List.of(1, 3), m.parameterRequestList().orElseThrow());
  }
}
