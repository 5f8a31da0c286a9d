package dev.headend.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Round trips, and agreement with the JDK's literal parser: whatever text we write, and whatever
 * valid spelling we accept, {@link InetAddress} reads as the same bytes. Only literals are given to
 * {@code InetAddress.getByName}, so it never looks a name up.
 */
class IpAddressPropertiesTest {

  @Property
  void ipv4FormatParseRoundTrip(@ForAll int bits) {
    Ipv4Address a = new Ipv4Address(bits);
    assertEquals(a, Ipv4Address.parse(a.toString()));
    assertEquals(a, IpAddress.parse(a.toString()));
    assertEquals(a, IpAddress.ofBytes(a.toBytes()));
  }

  @Property
  void ipv6FormatParseRoundTrip(@ForAll("ipv6") Ipv6Address a) {
    assertEquals(a, Ipv6Address.parse(a.toString()));
    assertEquals(a, IpAddress.parse(a.toString()));
    assertEquals(a, IpAddress.ofBytes(a.toBytes()));
    assertEquals(a, IpAddress.of(a.toInetAddress()));
  }

  @Property
  void jdkReadsOurIpv4TextAsTheSameAddress(@ForAll int bits) throws Exception {
    Ipv4Address a = new Ipv4Address(bits);
    assertArrayEquals(a.toBytes(), InetAddress.getByName(a.toString()).getAddress());
  }

  @Property
  void jdkReadsOurIpv6TextAsTheSameAddress(@ForAll("ipv6") Ipv6Address a) throws Exception {
    InetAddress jdk = InetAddress.getByName(a.toString());
    if (a.isIpv4Mapped()) {
      // the JDK turns a mapped literal into an Inet4Address
      assertTrue(jdk instanceof Inet4Address);
      assertArrayEquals(a.toIpv4().toBytes(), jdk.getAddress());
    } else {
      assertArrayEquals(a.toBytes(), jdk.getAddress());
    }
  }

  @Property
  void weAndTheJdkReadAnySpellingAlike(@ForAll("ipv6Spellings") String[] spelling)
      throws Exception {
    String text = spelling[0];
    Ipv6Address ours = Ipv6Address.parse(text);
    assertEquals(Ipv6Address.parse(spelling[1]), ours, "spelling of the same address");
    byte[] jdk = InetAddress.getByName(text).getAddress();
    byte[] expected = jdk.length == 4 ? ours.toIpv4().toBytes() : ours.toBytes();
    assertArrayEquals(expected, jdk, text);
  }

  @Property
  void canonicalTextIsShortestLowercaseForm(@ForAll("ipv6") Ipv6Address a) {
    String s = a.toString();
    assertEquals(s.toLowerCase(), s);
    assertTrue(s.indexOf("::") == s.lastIndexOf("::"), "at most one '::': " + s);
    for (String group : s.split(":")) {
      assertTrue(group.length() <= 4 || group.contains("."), s);
      assertTrue(group.length() <= 1 || group.charAt(0) != '0' || group.contains("."), s);
    }
  }

  @Provide
  Arbitrary<Ipv6Address> ipv6() {
    return groups().map(IpAddressPropertiesTest::fromGroups);
  }

  /** A random address, its random spelling and its canonical form. */
  @Provide
  Arbitrary<String[]> ipv6Spellings() {
    return Combinators.combine(
            groups(),
            Arbitraries.integers().between(0, 8),
            Arbitraries.integers().between(0, 8),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false))
        .as(
            (g, from, len, padded, upper, v4tail) -> {
              Ipv6Address a = fromGroups(g);
              return new String[] {spell(g, from, len, padded, upper, v4tail), a.toString()};
            });
  }

  /** Eight 16-bit groups, zero often, so that runs of zeros are common. */
  private static Arbitrary<int[]> groups() {
    Arbitrary<Integer> group =
        Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.just(0)),
            Tuple.of(1, Arbitraries.just(0xffff)),
            Tuple.of(4, Arbitraries.integers().between(0, 0xffff)));
    return group
        .array(Integer[].class)
        .ofSize(8)
        .map(a -> Arrays.stream(a).mapToInt(i -> i).toArray());
  }

  private static Ipv6Address fromGroups(int[] g) {
    long hi = 0;
    long lo = 0;
    for (int k = 0; k < 4; k++) {
      hi = hi << 16 | g[k];
      lo = lo << 16 | g[k + 4];
    }
    return new Ipv6Address(hi, lo);
  }

  /**
   * Writes the groups with an optional '::' replacing groups [from, from+len) when they are all
   * zero, optional zero padding, optional uppercase and an optional dotted IPv4 tail.
   */
  private static String spell(
      int[] g, int from, int len, boolean padded, boolean upper, boolean v4tail) {
    int end = Math.min(8, from + len);
    boolean compress = len > 0 && end > from;
    for (int k = from; k < end; k++) {
      compress &= g[k] == 0;
    }
    boolean tail = v4tail && (!compress || end <= 6);
    int groups = tail ? 6 : 8;
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < groups; k++) {
      if (compress && k == from) {
        b.append("::");
        k = end - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      String h = Integer.toHexString(g[k]);
      if (padded) {
        h = "0".repeat(4 - h.length()) + h;
      }
      b.append(upper ? h.toUpperCase() : h);
    }
    if (tail) {
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(g[6] >>> 8).append('.').append(g[6] & 0xff).append('.');
      b.append(g[7] >>> 8).append('.').append(g[7] & 0xff);
    }
    return b.toString();
  }
}
