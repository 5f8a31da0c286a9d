package dev.headend.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressTest {

  @ParameterizedTest
  @CsvSource({
    "0.0.0.0, 0x00000000",
    "10.0.0.1, 0x0a000001",
    "192.168.255.254, 0xc0a8fffe",
    "255.255.255.255, 0xffffffff"
  })
  void parsesDottedQuads(String text, String hex) {
    Ipv4Address a = Ipv4Address.parse(text);
    assertEquals((int) Long.parseLong(hex.substring(2), 16), a.value());
    assertEquals(text, a.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                | 0 | empty IPv4 address",
        "1.2.3             | 5 | only 3 octets",
        "1.2.3.4.5         | 7 | after the fourth IPv4 octet",
        "1.2.3.256         | 6 | octet 256 exceeds 255",
        "01.2.3.4          | 0 | leading zero",
        "1.2.3.0004        | 6 | more than 3 digits",
        "1..2.3            | 2 | expected a decimal octet but found '.'",
        "1.2.3.4           | -1 | ",
        "a.b.c.d           | 0 | expected a decimal octet but found 'a'",
        "1.2.3.-4          | 6 | expected a decimal octet but found '-'",
        "' 1.2.3.4'        | 0 | expected a decimal octet but found ' '",
        "1.2.3.4/8         | 7 | after the fourth IPv4 octet",
      })
  void refusesBadIpv4WithIndex(String text, int index, String reason) {
    if (index < 0) {
      Ipv4Address.parse(text); // the control case parses
      return;
    }
    AddressFormatException e =
        assertThrows(AddressFormatException.class, () -> Ipv4Address.parse(text));
    assertEquals(index, e.index(), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertEquals(text, e.input());
  }

  @ParameterizedTest
  @CsvSource({
    // RFC 5952 section 4 examples: leading zeros dropped, longest run, first of equal runs
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:0db8:0:0:0:0:2:1, 2001:db8::2:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // a single zero group is not compressed
    "2001:db8:0:0:1:0:0:0, 2001:db8:0:0:1::", // the longer run wins
    "2001:DB8::AAAA, 2001:db8::aaaa", // lowercase
    "::, ::",
    "::1, ::1",
    "1::, 1::",
    "0:0:0:0:0:0:0:1, ::1",
    "1:0:0:0:0:0:0:0, 1::",
    "fe80::1:2:3:4, fe80::1:2:3:4",
    "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0", // '::' may stand for one group when read
    "::ffff:1.2.3.4, ::ffff:1.2.3.4", // RFC 5952 section 5: mapped in mixed notation
    "::ffff:0102:0304, ::ffff:1.2.3.4",
    "::1.2.3.4, ::102:304", // deprecated IPv4-compatible: plain hex
    "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
    "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
  })
  void parsesAndFormatsIpv6PerRfc5952(String text, String canonical) {
    Ipv6Address a = Ipv6Address.parse(text);
    assertEquals(canonical, a.toString());
    assertEquals(a, Ipv6Address.parse(canonical));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                      | 0  | empty IPv6 address",
        ":1::2                   | 0  | starts with a single ':'",
        "1::2::3                 | 4  | second '::'",
        "1:2:3:4:5:6:7:8:9       | 16 | more than 8 groups",
        "1:2:3:4:5:6:7           | 13 | has 7 groups",
        "1:2:3:4:5:6:7:8::       | 17 | '::' must stand for at least one group",
        "12345::                 | 0  | more than 4 hex digits",
        "1:                      | 1  | ends with a single ':'",
        "fe80::1%eth0            | 7  | zone index",
        "[::1]                   | 0  | expected a hex group but found '['",
        "1:::2                   | 3  | expected a hex group but found ':'",
        "::g                     | 2  | expected a hex group but found 'g'",
        "1:2:3:4:5:6:7:1.2.3.4   | 14 | no room for an embedded IPv4",
        "::1.2.3.4:5             | 9  | after the fourth IPv4 octet",
        "::ffff:1.2.3            | 12 | only 3 octets",
      })
  void refusesBadIpv6WithIndex(String text, int index, String reason) {
    AddressFormatException e =
        assertThrows(AddressFormatException.class, () -> Ipv6Address.parse(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertEquals(index, e.index(), e.getMessage());
  }

  @Test
  void parseDispatchesOnColon() {
    assertInstanceOf(Ipv4Address.class, IpAddress.parse("10.1.2.3"));
    assertInstanceOf(Ipv6Address.class, IpAddress.parse("::10.1.2.3"));
    assertThrows(AddressFormatException.class, () -> IpAddress.parse("localhost"));
  }

  @Test
  void errorMessagesQuoteHostileInputSafely() {
    String hostile = "1.2.3.4\n" + "x".repeat(500);
    AddressFormatException e =
        assertThrows(AddressFormatException.class, () -> IpAddress.parse(hostile));
    assertFalse(e.getMessage().contains("\n"), "control characters are escaped");
    assertTrue(e.getMessage().length() < 200, "long input is shortened: " + e.getMessage());
    assertTrue(e.getMessage().contains("(508 chars)"), e.getMessage());
    for (char forger : new char[] {'\u0085', '\u2028', '\u202e', '\u00a0'}) {
      AddressFormatException f =
          assertThrows(AddressFormatException.class, () -> IpAddress.parse("1.2.3.4" + forger));
      assertFalse(f.getMessage().indexOf(forger) >= 0, "escaped: U+" + Integer.toHexString(forger));
    }
  }

  @Test
  void convertsToAndFromJdkAddressesWithoutLookup() throws Exception {
    Ipv6Address mapped = Ipv6Address.parse("::ffff:192.0.2.1");
    InetAddress jdk = mapped.toInetAddress();
    assertInstanceOf(Inet6Address.class, jdk, "a mapped address stays IPv6");
    assertEquals(mapped, IpAddress.of(jdk));
    assertEquals(Ipv4Address.parse("192.0.2.1"), mapped.toIpv4());
    assertEquals(mapped, Ipv6Address.mapped(Ipv4Address.parse("192.0.2.1")));
    assertEquals(
        Ipv4Address.parse("198.51.100.7"),
        IpAddress.of(InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 7})));
    assertThrows(IllegalStateException.class, () -> Ipv6Address.LOOPBACK.toIpv4());
    assertThrows(IllegalArgumentException.class, () -> IpAddress.ofBytes(new byte[5]));
  }

  @Test
  void classifiesSpecialAddresses() {
    assertTrue(IpAddress.parse("127.1.2.3").isLoopback());
    assertTrue(IpAddress.parse("::1").isLoopback());
    assertFalse(IpAddress.parse("::2").isLoopback());
    assertTrue(IpAddress.parse("224.0.0.251").isMulticast());
    assertTrue(IpAddress.parse("239.255.255.255").isMulticast());
    assertFalse(IpAddress.parse("240.0.0.1").isMulticast());
    assertTrue(IpAddress.parse("ff02::fb").isMulticast());
    assertTrue(IpAddress.parse("169.254.10.1").isLinkLocal());
    assertTrue(IpAddress.parse("fe80::1").isLinkLocal());
    assertTrue(IpAddress.parse("febf::1").isLinkLocal());
    assertFalse(IpAddress.parse("fec0::1").isLinkLocal());
    assertTrue(IpAddress.parse("0.0.0.0").isUnspecified());
    assertTrue(IpAddress.parse("::").isUnspecified());
    assertTrue(Ipv4Address.parse("255.255.255.255").isBroadcast());
  }

  @Test
  void ordersByFamilyThenNumerically() {
    IpAddress a = IpAddress.parse("9.255.255.255");
    IpAddress b = IpAddress.parse("10.0.0.0");
    IpAddress c = IpAddress.parse("200.0.0.0");
    IpAddress d = IpAddress.parse("::");
    IpAddress e = IpAddress.parse("8000::");
    assertTrue(a.compareTo(b) < 0);
    assertTrue(b.compareTo(c) < 0, "unsigned: 200.x sorts after 10.x");
    assertTrue(c.compareTo(d) < 0, "IPv4 before IPv6");
    assertTrue(d.compareTo(e) < 0);
    assertTrue(e.compareTo(a) > 0);
  }

  @Test
  void masksAndTestsBits() {
    IpAddress a = IpAddress.parse("10.255.1.2");
    assertEquals(IpAddress.parse("10.255.0.0"), a.mask(16));
    assertEquals(IpAddress.parse("0.0.0.0"), a.mask(0));
    assertEquals(a, a.mask(32));
    assertTrue(a.testBit(4));
    assertFalse(a.testBit(0));
    IpAddress v6 = IpAddress.parse("2001:db8:ffff:ffff:ffff::1");
    assertEquals(IpAddress.parse("2001:db8:ffff:ff80::"), v6.mask(57));
    assertEquals(IpAddress.parse("2001:db8:ffff:ffff:ffff::"), v6.mask(80));
    assertTrue(v6.testBit(127));
    assertFalse(v6.testBit(126));
    assertEquals(Ipv4Address.parse("255.255.254.0"), Ipv4Address.netmask(23));
  }
}
