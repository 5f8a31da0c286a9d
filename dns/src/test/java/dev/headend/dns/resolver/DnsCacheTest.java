package dev.headend.dns.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.dns.resolver.DnsCache.Credibility;
import dev.headend.dns.resolver.DnsCache.Kind;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

class DnsCacheTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Name n(String s) {
    return Name.fromConstantString(s);
  }

  private static RRset a(String name, long ttl, String... addresses) throws Exception {
    RRset set = new RRset();
    for (String addr : addresses) {
      set.addRR(new ARecord(n(name), DClass.IN, ttl, InetAddress.getByName(addr)));
    }
    return set;
  }

  private static SOARecord soa(String zone, long ttl, long minimum) {
    return new SOARecord(
        n(zone), DClass.IN, ttl, n("ns." + zone), n("h." + zone), 1, 3600, 600, 86400, minimum);
  }

  @Test
  void positiveEntriesCountDownAndExpire() throws Exception {
    DnsCache c = DnsCache.builder().build();
    c.put(T0, a("www.example.test.", 300, "192.0.2.1", "192.0.2.2"), Credibility.ANSWER);
    DnsCache.Entry e = c.get(T0.plusSeconds(100), n("WWW.example.TEST."), Type.A);
    assertEquals(Kind.POSITIVE, e.kind());
    assertEquals(2, e.records(T0.plusSeconds(100)).size());
    assertEquals(200, e.records(T0.plusSeconds(100)).get(0).getTTL());
    assertEquals("www.example.test.", e.records(T0).get(0).getName().toString(), "case kept");
    assertNull(c.get(T0.plusSeconds(300), n("www.example.test."), Type.A), "gone at its TTL");
    assertNull(c.get(T0, n("www.example.test."), Type.AAAA));
  }

  @Test
  void ttlsAreClampedBetweenMinAndMax() throws Exception {
    DnsCache c =
        DnsCache.builder().minTtl(Duration.ofSeconds(60)).maxTtl(Duration.ofHours(1)).build();
    c.put(T0, a("short.test.", 5, "192.0.2.1"), Credibility.ANSWER);
    c.put(T0, a("long.test.", 7 * 86400, "192.0.2.2"), Credibility.ANSWER);
    assertEquals(60, c.get(T0, n("short.test."), Type.A).ttl());
    assertEquals(3600, c.get(T0, n("long.test."), Type.A).ttl());
    assertNotNull(c.get(T0.plusSeconds(59), n("short.test."), Type.A));
  }

  @Test
  void negativeAnswersLiveForTheSoaMinimumAndNxdomainCoversDescendants() throws Exception {
    DnsCache c = DnsCache.builder().maxNegativeTtl(Duration.ofHours(3)).build();
    c.putNegative(T0, n("gone.example.test."), Type.A, true, soa("example.test.", 3600, 120));
    DnsCache.Entry e = c.get(T0.plusSeconds(10), n("gone.example.test."), Type.MX);
    assertEquals(Kind.NXDOMAIN, e.kind(), "NXDOMAIN is for every type");
    assertEquals(120, e.ttl(), "RFC 2308 §5: min(SOA TTL, MINIMUM)");
    assertEquals(110, e.soa(T0.plusSeconds(10)).getTTL());
    assertEquals(
        Kind.NXDOMAIN, c.get(T0, n("deep.below.gone.example.test."), Type.A).kind(), "RFC 8020");
    assertNull(c.get(T0.plusSeconds(120), n("gone.example.test."), Type.A));

    Instant t1 = T0.plusSeconds(200); // the cache's clock only moves forward
    c.putNegative(t1, n("www.example.test."), Type.AAAA, false, soa("example.test.", 60, 300));
    assertEquals(Kind.NODATA, c.get(t1, n("www.example.test."), Type.AAAA).kind());
    assertEquals(60, c.get(t1, n("www.example.test."), Type.AAAA).ttl());
    assertNull(c.get(t1, n("www.example.test."), Type.A), "NODATA is for that type only");

    c.putNegative(t1, n("nosoa.example.test."), Type.A, true, null);
    assertNull(c.get(t1, n("nosoa.example.test."), Type.A), "RFC 2308 §5: no SOA, no caching");
  }

  @Test
  void negativeTtlIsCappedToHours() {
    DnsCache c = DnsCache.builder().build();
    c.putNegative(T0, n("x.test."), Type.A, true, soa("test.", 86400, 86400));
    assertEquals(3600, c.get(T0, n("x.test."), Type.A).ttl());
  }

  @Test
  void glueNeverReplacesAFreshAuthoritativeAnswer() throws Exception {
    DnsCache c = DnsCache.builder().build();
    c.put(T0, a("ns1.example.test.", 300, "192.0.2.1"), Credibility.ANSWER);
    c.put(T0.plusSeconds(1), a("ns1.example.test.", 300, "198.51.100.66"), Credibility.ADDITIONAL);
    assertEquals(
        "192.0.2.1",
        c.get(T0.plusSeconds(2), n("ns1.example.test."), Type.A)
            .records(T0)
            .get(0)
            .rdataToString());
    c.put(
        T0.plusSeconds(400), a("ns1.example.test.", 300, "198.51.100.66"), Credibility.ADDITIONAL);
    assertEquals(
        Credibility.ADDITIONAL,
        c.get(T0.plusSeconds(400), n("ns1.example.test."), Type.A).credibility(),
        "stale data can be replaced");
    c.put(T0.plusSeconds(401), a("ns1.example.test.", 300, "192.0.2.9"), Credibility.ANSWER);
    assertEquals(
        Credibility.ANSWER,
        c.get(T0.plusSeconds(401), n("ns1.example.test."), Type.A).credibility(),
        "better data replaces glue");
  }

  @Test
  void serveStaleKeepsExpiredDataForItsWindowWithAThirtySecondTtl() throws Exception {
    DnsCache c = DnsCache.builder().serveStale(Duration.ofHours(1)).build();
    c.put(T0, a("www.example.test.", 60, "192.0.2.1"), Credibility.ANSWER);
    Instant later = T0.plusSeconds(600);
    assertNull(c.peekFresh(later, n("www.example.test."), Type.A));
    DnsCache.Entry stale = c.get(later, n("www.example.test."), Type.A);
    assertTrue(stale.isStale(later));
    assertEquals(DnsCache.STALE_TTL, stale.records(later).get(0).getTTL());
    assertNull(c.get(T0.plusSeconds(60 + 3600), n("www.example.test."), Type.A), "past the window");
  }

  @Test
  void popularEntriesAskForPrefetchInTheirLastTenth() throws Exception {
    DnsCache c = DnsCache.builder().build();
    c.put(T0, a("hot.test.", 100, "192.0.2.1"), Credibility.ANSWER);
    DnsCache.Entry e = c.get(T0.plusSeconds(1), n("hot.test."), Type.A);
    c.get(T0.plusSeconds(2), n("hot.test."), Type.A);
    assertEquals(2, e.hits());
    assertFalse(e.wantsPrefetch(T0.plusSeconds(50), 2));
    assertTrue(e.wantsPrefetch(T0.plusSeconds(95), 2));
    assertFalse(e.wantsPrefetch(T0.plusSeconds(95), 3), "not popular enough");
    assertFalse(e.wantsPrefetch(T0.plusSeconds(100), 2), "already expired");
  }

  @Test
  void theSizeBoundHolds() throws Exception {
    DnsCache c = DnsCache.builder().maximumEntries(100).build();
    for (int i = 0; i < 5_000; i++) {
      c.put(T0, a("h" + i + ".test.", 300, "192.0.2.1"), Credibility.ANSWER);
    }
    assertTrue(c.size() <= 100, "size " + c.size());
  }
}
