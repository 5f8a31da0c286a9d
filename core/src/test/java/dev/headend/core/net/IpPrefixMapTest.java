package dev.headend.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class IpPrefixMapTest {

  private static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  private static IpAddress a(String s) {
    return IpAddress.parse(s);
  }

  @Test
  void findsTheMostSpecificPrefix() {
    IpPrefixMap<String> m =
        IpPrefixMap.<String>builder()
            .put(p("10.0.0.0/8"), "ten")
            .put(p("10.20.0.0/16"), "lab")
            .put(p("10.20.30.0/24"), "rack")
            .put(p("10.20.30.40/32"), "host")
            .put(p("10.20.30.0/25"), "half")
            .put(p("0.0.0.0/0"), "default4")
            .put(p("2001:db8::/32"), "doc")
            .put(p("2001:db8:1::/48"), "site")
            .build();
    assertEquals("host", m.longestMatch(a("10.20.30.40")));
    assertEquals("half", m.longestMatch(a("10.20.30.41")));
    assertEquals("rack", m.longestMatch(a("10.20.30.200")));
    assertEquals("lab", m.longestMatch(a("10.20.31.1")));
    assertEquals("ten", m.longestMatch(a("10.21.0.0")));
    assertEquals("default4", m.longestMatch(a("192.0.2.1")));
    assertEquals("site", m.longestMatch(a("2001:db8:1::5")));
    assertEquals("doc", m.longestMatch(a("2001:db8:2::5")));
    assertNull(m.longestMatch(a("2001:db9::1")), "no IPv6 default: IPv4's does not apply");
    assertEquals(
        new IpPrefixMap.Match<>(p("10.20.0.0/16"), "lab"), m.longestMatchEntry(a("10.20.99.1")));
    assertEquals("rack", m.longestMatchIpv4(Ipv4Address.parse("10.20.30.129").value()));
    assertEquals("lab", m.get(p("10.20.0.0/16")));
    assertNull(m.get(p("10.20.0.0/17")));
    assertEquals(8, m.size());
  }

  @Test
  void laterPutReplacesAndRemoveDrops() {
    IpPrefixMap<Integer> m =
        IpPrefixMap.<Integer>builder()
            .put(p("192.0.2.0/24"), 1)
            .put(p("192.0.2.0/24"), 2)
            .put(p("198.51.100.0/24"), 3)
            .remove(p("198.51.100.0/24"))
            .build();
    assertEquals(1, m.size());
    assertEquals(2, m.longestMatch(a("192.0.2.9")));
    assertFalse(m.matches(a("198.51.100.1")));
    IpPrefixMap<Integer> grown = m.toBuilder().put(p("198.51.100.0/24"), 4).build();
    assertEquals(4, grown.longestMatch(a("198.51.100.1")));
    assertEquals(1, m.size(), "the original is unchanged");
    assertEquals(grown, IpPrefixMap.of(grown.asMap()));
  }

  @Test
  void emptyMapMatchesNothing() {
    IpPrefixMap<String> m = IpPrefixMap.empty();
    assertTrue(m.isEmpty());
    assertNull(m.longestMatch(a("10.0.0.1")));
    assertNull(m.longestMatch(a("::1")));
    assertNull(m.longestMatchEntry(a("::1")));
  }

  @Test
  void refusesNulls() {
    IpPrefixMap.Builder<String> b = IpPrefixMap.builder();
    assertThrows(NullPointerException.class, () -> b.put(p("10.0.0.0/8"), null));
    assertThrows(NullPointerException.class, () -> b.put(null, "x"));
  }

  @Test
  void agreesWithLinearScanOnALargeRandomTable() {
    Random rnd = new Random(20261125);
    Map<IpPrefix, Integer> entries = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      int len = 8 + rnd.nextInt(25);
      entries.put(IpPrefix.containing(new Ipv4Address(rnd.nextInt()), len), i);
    }
    for (int i = 0; i < 2_000; i++) {
      long hi = 0x2001_0db8_0000_0000L | (rnd.nextLong() >>> 32);
      entries.put(
          IpPrefix.containing(new Ipv6Address(hi, rnd.nextLong()), 32 + rnd.nextInt(97)), i);
    }
    IpPrefixMap<Integer> m = IpPrefixMap.of(entries);
    assertTrue(
        m.nodeCount() < 2 * entries.size(),
        "path compression keeps nodes below twice the prefixes: " + m.nodeCount());
    List<IpPrefix> all = List.copyOf(entries.keySet());
    for (int i = 0; i < 5_000; i++) {
      IpAddress probe;
      if (i % 2 == 0) {
        IpPrefix near = all.get(rnd.nextInt(all.size()));
        probe =
            near.isIpv4()
                ? new Ipv4Address(((Ipv4Address) near.address()).value() ^ rnd.nextInt(256))
                : new Ipv6Address(((Ipv6Address) near.address()).high(), rnd.nextLong());
      } else {
        probe = new Ipv4Address(rnd.nextInt());
      }
      assertEquals(bruteForce(entries, probe), m.longestMatch(probe), "probe " + probe);
    }
  }

  @Property
  void agreesWithLinearScan(
      @ForAll("tables") Map<IpPrefix, Integer> table, @ForAll("probes") List<IpAddress> probes) {
    IpPrefixMap<Integer> m = IpPrefixMap.of(table);
    assertTrue(m.nodeCount() <= Math.max(2, 2 * table.size()), "nodes: " + m.nodeCount());
    for (IpAddress probe : probes) {
      Integer expected = bruteForce(table, probe);
      assertEquals(expected, m.longestMatch(probe), () -> "probe " + probe + " in " + table);
      assertEquals(expected != null, m.matches(probe));
      if (probe instanceof Ipv4Address v4) {
        assertEquals(expected, m.longestMatchIpv4(v4.value()));
      }
    }
  }

  private static Integer bruteForce(Map<IpPrefix, Integer> table, IpAddress probe) {
    IpPrefix best = null;
    for (IpPrefix p : table.keySet()) {
      if (p.contains(probe) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best == null ? null : table.get(best);
  }

  /** Prefixes that nest and collide: a few base addresses cut at many lengths. */
  @Provide
  Arbitrary<Map<IpPrefix, Integer>> tables() {
    Arbitrary<IpAddress> base =
        Arbitraries.of(
            a("10.0.0.0"),
            a("10.128.7.1"),
            a("10.255.255.255"),
            a("192.0.2.77"),
            a("0.0.0.0"),
            a("2001:db8::1"),
            a("2001:db8:8000::ff"),
            a("::"),
            a("ff02::1"));
    Arbitrary<IpPrefix> prefix =
        Combinators.combine(base, Arbitraries.integers().between(0, 128))
            .as((b, l) -> IpPrefix.containing(b, Math.min(l, b.bitLength())));
    return Arbitraries.maps(prefix, Arbitraries.integers().between(0, 1000)).ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<IpAddress>> probes() {
    Arbitrary<IpAddress> v4 =
        Arbitraries.oneOf(
            Arbitraries.integers().map(Ipv4Address::new),
            Arbitraries.integers().between(0, 0x1ffffff).map(i -> new Ipv4Address(0x0a000000 ^ i)),
            Arbitraries.integers().between(-300, 300).map(i -> new Ipv4Address(0x0a800701 + i)));
    Arbitrary<IpAddress> v6 =
        Combinators.combine(
                Arbitraries.of(0x2001_0db8_0000_0000L, 0x2001_0db8_8000_0000L, 0L, 0xff02L << 48),
                Arbitraries.longs(),
                Arbitraries.longs().between(0, 0xffff))
            .as((hi, lo, tweak) -> new Ipv6Address(hi ^ (tweak << 20), lo));
    return Arbitraries.oneOf(v4, v6).list().ofMaxSize(30);
  }
}
