package dev.headend.mail.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.Zone;
import dev.headend.dns.server.ZoneSet;
import dev.headend.dns.transport.DnsServer;
import dev.headend.dns.transport.StubResolver;
import dev.headend.testkit.FreePorts;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** MxLookup.dns through the dns module's stub resolver, asking our own DNS server on loopback. */
class DnsMxLookupTest {
  private static final String ZONE =
      """
      $ORIGIN mail.test.
      $TTL 300
      @ SOA ns1 hostmaster 1 1800 900 604800 60
      @ NS ns1
      ns1 A 127.0.0.1
      @ MX 20 backup
      @ MX 10 mx1
      mx1 A 127.0.0.11
      mx1 AAAA ::1
      backup A 127.0.0.12
      nomx A 127.0.0.13
      nullmx MX 0 .
      """;

  @Test
  void mxAddressesFallbackNullMxAndNxdomain() throws Exception {
    AuthoritativeServer auth =
        AuthoritativeServer.builder()
            .zones(ZoneSet.of(Zone.fromText(Name.fromString("mail.test."), ZONE)))
            .build();
    try (DnsServer dns = DnsServer.builder(auth).bind(FreePorts.loopback()).daemon(true).start();
        StubResolver stub = StubResolver.start(List.of(dns.udpAddress()))) {
      MxLookup lookup = MxLookup.dns(stub, Duration.ofSeconds(5));

      MxRoute route = MxRoute.plan("mail.test", lookup, new Random(1));
      assertEquals(List.of("mx1.mail.test", "backup.mail.test"), route.hosts());
      List<InetAddress> mx1 = lookup.addresses("mx1.mail.test");
      assertTrue(mx1.contains(InetAddress.getByName("127.0.0.11")), mx1.toString());
      assertTrue(mx1.contains(InetAddress.getByName("::1")), mx1.toString());

      assertEquals(
          List.of("nomx.mail.test"), MxRoute.plan("nomx.mail.test", lookup, new Random(1)).hosts());
      assertEquals(556, MxRoute.plan("nullmx.mail.test", lookup, new Random(1)).failure().code());

      MxLookup.LookupException nx =
          assertThrows(MxLookup.LookupException.class, () -> lookup.mx("gone.mail.test"));
      assertTrue(nx.permanent());
      assertEquals(550, MxRoute.plan("gone.mail.test", lookup, new Random(1)).failure().code());
      assertFalse(lookup.addresses("nomx.mail.test").isEmpty());
    }
  }
}
