package dev.headend.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpPrefixTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.0.0.0/8",
    "10.0.0.0/255.0.0.0, 10.0.0.0/8",
    "192.0.2.128/255.255.255.192, 192.0.2.128/26",
    "0.0.0.0/0, 0.0.0.0/0",
    "192.0.2.1, 192.0.2.1/32",
    "2001:DB8::/32, 2001:db8::/32",
    "::/0, ::/0",
    "2001:db8::1, 2001:db8::1/128",
    "::ffff:10.0.0.0/104, ::ffff:10.0.0.0/104",
  })
  void parsesSlashForms(String text, String canonical) {
    IpPrefix p = IpPrefix.parse(text);
    assertEquals(canonical, p.toString());
    assertEquals(p, IpPrefix.parse(canonical));
  }

  @Test
  void parsesNetmaskAndWildcardForms() {
    IpPrefix ten = IpPrefix.parse("10.0.0.0/8");
    assertEquals(ten, IpPrefix.parseWithNetmask("10.0.0.0 255.0.0.0"));
    assertEquals(ten, IpPrefix.parseWithWildcardMask("10.0.0.0 0.255.255.255"));
    assertEquals(ten, IpPrefix.parseWithWildcardMask("10.0.0.0 \t 0.255.255.255"));
    // the ambiguous masks mean opposite things in the two forms
    assertEquals(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parseWithNetmask("0.0.0.0 0.0.0.0"));
    assertEquals(
        IpPrefix.parse("192.0.2.7/32"), IpPrefix.parseWithWildcardMask("192.0.2.7 0.0.0.0"));
    assertEquals(
        IpPrefix.parse("0.0.0.0/0"), IpPrefix.parseWithWildcardMask("0.0.0.0 255.255.255.255"));
    assertEquals(
        IpPrefix.parse("192.0.2.7/32"), IpPrefix.parseWithNetmask("192.0.2.7 255.255.255.255"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.1/8                  | 0  | host bits set in 10.0.0.1/8; the network is 10.0.0.0/8",
        "10.0.0.0/33                 | 9  | prefix length exceeds 32",
        "2001:db8::/129              | 11 | prefix length exceeds 128",
        "10.0.0.0/                   | 9  | missing prefix length",
        "10.0.0.0/08                 | 9  | leading zero",
        "10.0.0.0/8x                 | 10 | expected a decimal prefix length but found 'x'",
        "10.0.0.0/255.0.255.0        | 9  | netmask 255.0.255.0 is not contiguous",
        "2001:db8::1/64              | 0  | host bits set",
        "10.0.0.0/-1                 | 9  | expected a decimal prefix length but found '-'",
      })
  void refusesBadPrefixes(String text, int index, String reason) {
    AddressFormatException e =
        assertThrows(AddressFormatException.class, () -> IpPrefix.parse(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertEquals(index, e.index(), e.getMessage());
  }

  @Test
  void refusesMasksOfTheWrongKind() {
    AddressFormatException netmask =
        assertThrows(
            AddressFormatException.class,
            () -> IpPrefix.parseWithNetmask("10.0.0.0 0.255.255.255"));
    assertTrue(netmask.getMessage().contains("looks like a wildcard mask"), netmask.getMessage());
    assertEquals(9, netmask.index());
    AddressFormatException wildcard =
        assertThrows(
            AddressFormatException.class,
            () -> IpPrefix.parseWithWildcardMask("10.0.0.0 255.0.0.0"));
    assertTrue(wildcard.getMessage().contains("looks like a netmask"), wildcard.getMessage());
    AddressFormatException sparse =
        assertThrows(
            AddressFormatException.class,
            () -> IpPrefix.parseWithWildcardMask("10.0.0.0 0.0.255.0"));
    assertTrue(sparse.getMessage().contains("does not describe a prefix"), sparse.getMessage());
    assertThrows(AddressFormatException.class, () -> IpPrefix.parseWithNetmask("10.0.0.0"));
    assertThrows(
        AddressFormatException.class, () -> IpPrefix.parseWithNetmask("10.0.0.1 255.0.0.0"));
  }

  @Test
  void recordConstructorRefusesHostBitsAndBadLengths() {
    IpAddress a = IpAddress.parse("10.0.0.1");
    assertThrows(IllegalArgumentException.class, () -> new IpPrefix(a, 8));
    assertThrows(IllegalArgumentException.class, () -> new IpPrefix(a, 33));
    assertThrows(IllegalArgumentException.class, () -> new IpPrefix(a, -1));
    assertEquals(IpPrefix.parse("10.0.0.0/8"), IpPrefix.containing(a, 8));
  }

  @Test
  void reportsBoundsAndMasks() {
    IpPrefix p = IpPrefix.parse("192.0.2.64/26");
    assertEquals(IpAddress.parse("192.0.2.64"), p.first());
    assertEquals(IpAddress.parse("192.0.2.127"), p.last());
    assertEquals(IpAddress.parse("255.255.255.192"), p.netmask());
    assertEquals(IpAddress.parse("0.0.0.63"), p.wildcardMask());
    IpPrefix v6 = IpPrefix.parse("2001:db8:8000::/33");
    assertEquals(IpAddress.parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), v6.last());
    assertEquals(IpAddress.parse("ffff:ffff:8000::"), v6.netmask());
    assertEquals(IpAddress.parse("::7fff:ffff:ffff:ffff:ffff:ffff"), v6.wildcardMask());
  }

  @Test
  void containmentNeverCrossesFamilies() {
    assertFalse(IpPrefix.parse("::/0").contains(IpAddress.parse("10.0.0.1")));
    assertFalse(IpPrefix.parse("0.0.0.0/0").contains(IpAddress.parse("::ffff:10.0.0.1")));
    assertFalse(IpPrefix.parse("0.0.0.0/0").overlaps(IpPrefix.parse("::/0")));
  }

  // ---- properties -----------------------------------------------------------------------------

  @Property
  void containsMeansSameNetworkBits(
      @ForAll("prefixes") IpPrefix p, @ForAll("addressesNear") IpAddress a) {
    boolean sameFamily = p.address().bitLength() == a.bitLength();
    assertEquals(sameFamily && a.mask(p.length()).equals(p.address()), p.contains(a));
  }

  @Property
  void aPrefixContainsItsBoundsAndEveryAddressItWasMadeFrom(
      @ForAll("addresses") IpAddress a, @ForAll @IntRange(min = 0, max = 128) int length) {
    int len = Math.min(length, a.bitLength());
    IpPrefix p = IpPrefix.containing(a, len);
    assertTrue(p.contains(a));
    assertTrue(p.contains(p.first()));
    assertTrue(p.contains(p.last()));
    assertTrue(p.contains(p));
    assertEquals(a.mask(len), p.first());
    assertEquals(p.first(), p.last().mask(len));
  }

  @Property
  void containmentIsTransitiveAndNested(
      @ForAll("addresses") IpAddress a,
      @ForAll @IntRange(min = 0, max = 128) int l1,
      @ForAll @IntRange(min = 0, max = 128) int l2) {
    int shorter = Math.min(Math.min(l1, l2), a.bitLength());
    int longer = Math.min(Math.max(l1, l2), a.bitLength());
    IpPrefix outer = IpPrefix.containing(a, shorter);
    IpPrefix inner = IpPrefix.containing(a, longer);
    assertTrue(outer.contains(inner));
    assertTrue(outer.overlaps(inner) && inner.overlaps(outer));
    assertEquals(shorter == longer, inner.contains(outer));
    assertTrue(outer.contains(inner.first()) && outer.contains(inner.last()));
  }

  @Property
  void disjointPrefixesShareNoBound(
      @ForAll("prefixes") IpPrefix p, @ForAll("prefixes") IpPrefix q) {
    if (!p.overlaps(q)) {
      assertFalse(p.contains(q.first()) || p.contains(q.last()));
      assertFalse(q.contains(p.first()) || q.contains(p.last()));
    }
  }

  @Property
  void everyTextFormRoundTrips(@ForAll("prefixes") IpPrefix p) {
    assertEquals(p, IpPrefix.parse(p.toString()));
    if (p.isIpv4()) {
      assertEquals(p, IpPrefix.parse(p.address() + "/" + p.netmask()));
      assertEquals(p, IpPrefix.parseWithNetmask(p.address() + " " + p.netmask()));
      assertEquals(p, IpPrefix.parseWithWildcardMask(p.address() + " " + p.wildcardMask()));
    }
  }

  @Provide
  Arbitrary<IpAddress> addresses() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(Ipv4Address::new),
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Ipv6Address::new));
  }

  /** Addresses drawn from a small pool so that they often fall inside the generated prefixes. */
  @Provide
  Arbitrary<IpAddress> addressesNear() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 3).map(i -> (IpAddress) new Ipv4Address(0x0a000000 + i)),
        Arbitraries.integers().map(i -> (IpAddress) new Ipv4Address(0x0a000000 | (i & 0xffff))),
        addresses());
  }

  @Provide
  Arbitrary<IpPrefix> prefixes() {
    return Combinators.combine(addressesNear(), Arbitraries.integers().between(0, 128))
        .as((a, l) -> IpPrefix.containing(a, Math.min(l, a.bitLength())));
  }
}
