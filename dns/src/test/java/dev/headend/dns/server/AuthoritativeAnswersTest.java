package dev.headend.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** RFC 1034 §4.3.2 answering, one rule per test, through the datagram engine. */
class AuthoritativeAnswersTest {
  private static Probe probe;

  @BeforeAll
  static void load() throws Exception {
    probe = Probe.ofTestZones();
  }

  private static List<Record> section(Message m, int section) {
    return m.getSection(section);
  }

  private static List<Integer> types(Message m, int section) {
    return section(m, section).stream().map(Record::getType).collect(Collectors.toList());
  }

  private static List<String> owners(Message m, int section) {
    return section(m, section).stream()
        .map(r -> r.getName().toString())
        .distinct()
        .collect(Collectors.toList());
  }

  @Test
  void exactMatchIsAnsweredAuthoritativelyWithIdRdAndQuestionEchoed() throws Exception {
    Message r = probe.ask("www.example.test.", Type.A);
    assertEquals(0x5eed, r.getHeader().getID());
    assertTrue(r.getHeader().getFlag(Flags.QR));
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertTrue(r.getHeader().getFlag(Flags.RD), "RD is copied");
    assertFalse(r.getHeader().getFlag(Flags.RA), "no recursion here");
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals("www.example.test.", r.getQuestion().getName().toString());
    assertEquals(List.of(Type.A), types(r, Section.ANSWER));
    assertEquals("192.0.2.11", r.getSection(Section.ANSWER).get(0).rdataToString());
    assertEquals(300, r.getSection(Section.ANSWER).get(0).getTTL());
  }

  @Test
  void questionIsEchoedInTheCaseItWasAsked() throws Exception {
    Message r = probe.ask("wWw.ExAmPlE.tEsT.", Type.AAAA);
    assertEquals("wWw.ExAmPlE.tEsT.", r.getQuestion().getName().toString(false));
    assertEquals(
        InetAddress.getByName("2001:db8::11"),
        ((AAAARecord) r.getSection(Section.ANSWER).get(0)).getAddress());
  }

  @Test
  void nxdomainCarriesTheSoaWithTheNegativeTtl() throws Exception {
    Message r = probe.ask("nope.example.test.", Type.A);
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertTrue(section(r, Section.ANSWER).isEmpty());
    SOARecord soa = (SOARecord) section(r, Section.AUTHORITY).get(0);
    assertEquals(Name.fromString("example.test."), soa.getName());
    assertEquals(60, soa.getTTL(), "RFC 2308 §3: min(SOA TTL, SOA MINIMUM)");
    assertEquals(2026112501L, soa.getSerial());
  }

  @Test
  void anExistingNameWithoutTheTypeIsNodata() throws Exception {
    Message r = probe.ask("www.example.test.", Type.MX);
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertTrue(section(r, Section.ANSWER).isEmpty());
    assertEquals(List.of(Type.SOA), types(r, Section.AUTHORITY));
  }

  @Test
  void anEmptyNonTerminalIsNodataNotNxdomain() throws Exception {
    Message r = probe.ask("b.ent.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, r.getRcode(), "RFC 8020: names with descendants exist");
    assertEquals(List.of(Type.SOA), types(r, Section.AUTHORITY));
    assertEquals(Rcode.NOERROR, probe.ask("ent.example.test.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, probe.ask("x.ent.example.test.", Type.A).getRcode());
  }

  @Test
  void aDelegatedNameGetsAReferralWithRequiredGlue() throws Exception {
    for (String name :
        List.of(
            "sub.example.test.",
            "deep.sub.example.test.",
            "ns.sub.example.test.",
            "hidden.sub.example.test.")) {
      Message r = probe.ask(name, Type.A);
      assertEquals(Rcode.NOERROR, r.getRcode(), name);
      assertFalse(r.getHeader().getFlag(Flags.AA), "a referral is not authoritative: " + name);
      assertTrue(section(r, Section.ANSWER).isEmpty(), "occluded data is never answered: " + name);
      assertEquals(List.of(Type.NS, Type.NS), types(r, Section.AUTHORITY), name);
      assertEquals(List.of("sub.example.test."), owners(r, Section.AUTHORITY));
      List<String> glue =
          section(r, Section.ADDITIONAL).stream()
              .map(Record::toString)
              .collect(Collectors.toList());
      assertTrue(
          glue.stream()
              .anyMatch(s -> s.contains("ns.sub.example.test.") && s.contains("192.0.2.53")),
          glue.toString());
      assertTrue(
          glue.stream().anyMatch(s -> s.contains("ns1.example.test.") && s.contains("192.0.2.1")),
          "sibling glue: " + glue);
    }
  }

  @Test
  void aDsQueryAtTheCutIsAnsweredByTheParent() throws Exception {
    Message r = probe.ask("sub.example.test.", Type.DS);
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals(List.of(Type.SOA), types(r, Section.AUTHORITY), "NODATA from the parent side");
  }

  @Test
  void aWildcardSynthesizesRecordsOwnedByTheQueryName() throws Exception {
    for (String name :
        List.of(
            "anything.wild.example.test.", "a.b.c.wild.example.test.", "CaSe.wild.example.test.")) {
      Message r = probe.ask(name, Type.A);
      assertEquals(Rcode.NOERROR, r.getRcode());
      assertTrue(r.getHeader().getFlag(Flags.AA));
      Record a = section(r, Section.ANSWER).get(0);
      assertEquals(name, a.getName().toString(false), "RFC 4592 §2.1.2: owner is the query name");
      assertEquals("192.0.2.99", a.rdataToString());
    }
    Message nodata = probe.ask("x.wild.example.test.", Type.MX);
    assertEquals(Rcode.NOERROR, nodata.getRcode());
    assertEquals(List.of(Type.SOA), types(nodata, Section.AUTHORITY));
    Message parent = probe.ask("wild.example.test.", Type.A);
    assertEquals(
        Rcode.NOERROR, parent.getRcode(), "the wildcard's parent exists (RFC 4592 §2.2.2)");
    assertTrue(section(parent, Section.ANSWER).isEmpty(), "and a wildcard never answers for it");
  }

  @Test
  void aCnameIsFollowedInsideTheZone() throws Exception {
    Message r = probe.ask("chain.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertEquals(List.of(Type.CNAME, Type.CNAME, Type.A), types(r, Section.ANSWER));
    assertEquals(
        List.of("chain.example.test.", "alias.example.test.", "www.example.test."),
        owners(r, Section.ANSWER));
  }

  @Test
  void aCnameIntoAWildcardIsSynthesizedForTheTarget() throws Exception {
    Message r = probe.ask("wildalias.example.test.", Type.TXT);
    assertEquals(List.of(Type.CNAME, Type.TXT), types(r, Section.ANSWER));
    assertEquals("x.wild.example.test.", section(r, Section.ANSWER).get(1).getName().toString());
  }

  @Test
  void aCnameToAMissingNameEndsInNxdomainPerRfc6604() throws Exception {
    Message r = probe.ask("dangling.example.test.", Type.A);
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    assertEquals(List.of(Type.CNAME), types(r, Section.ANSWER));
    assertEquals(List.of(Type.SOA), types(r, Section.AUTHORITY));
  }

  @Test
  void aCnameLoopStopsAndAnOutOfZoneTargetIsLeftToTheResolver() throws Exception {
    Message loop = probe.ask("loop1.example.test.", Type.A);
    assertEquals(List.of(Type.CNAME, Type.CNAME), types(loop, Section.ANSWER));
    Message outside = probe.ask("outside.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, outside.getRcode());
    assertEquals(List.of(Type.CNAME), types(outside, Section.ANSWER));
    assertEquals(
        Name.fromString("www.other.test."),
        ((CNAMERecord) section(outside, Section.ANSWER).get(0)).getTarget());
  }

  @Test
  void askingForTheCnameItselfReturnsOnlyTheCname() throws Exception {
    Message r = probe.ask("alias.example.test.", Type.CNAME);
    assertEquals(List.of(Type.CNAME), types(r, Section.ANSWER));
  }

  @Test
  void mxAndSrvTargetsGetTheirAddressesAsAdditionalData() throws Exception {
    Message mx = probe.ask("example.test.", Type.MX);
    assertEquals(List.of(Type.MX), types(mx, Section.ANSWER));
    assertEquals(List.of("mail.example.test."), owners(mx, Section.ADDITIONAL));
    assertEquals(2, section(mx, Section.ADDITIONAL).size());
    Message srv = probe.ask("_imap._tcp.example.test.", Type.SRV);
    assertEquals(List.of("mail.example.test."), owners(srv, Section.ADDITIONAL));
  }

  @Test
  void anyReturnsEveryRrsetAtTheName() throws Exception {
    Message r = probe.ask("example.test.", Type.ANY);
    assertTrue(
        types(r, Section.ANSWER)
            .containsAll(List.of(Type.SOA, Type.NS, Type.A, Type.MX, Type.TXT)));
  }

  @Test
  void namesOutsideEveryZoneAreRefused() throws Exception {
    Message r = probe.ask("www.example.org.", Type.A);
    assertEquals(Rcode.REFUSED, r.getRcode());
    assertFalse(r.getHeader().getFlag(Flags.AA));
    assertEquals("www.example.org.", r.getQuestion().getName().toString());
  }

  @Test
  void theLongestMatchingZoneAnswers() throws Exception {
    Message r = probe.ask("host.child.example.test.", Type.A);
    assertEquals("192.0.2.71", section(r, Section.ANSWER).get(0).rdataToString());
    Message nx = probe.ask("none.child.example.test.", Type.A);
    assertEquals(
        Name.fromString("child.example.test."), section(nx, Section.AUTHORITY).get(0).getName());
  }

  @Test
  void answersAgreeWithDnsjavasOwnZoneLookup() throws Exception {
    // an independent implementation of the same lookup: dnsjava's Zone.findRecords
    org.xbill.DNS.Zone reference =
        new org.xbill.DNS.Zone(
            Name.fromString("example.test."),
            probe
                .server
                .zones()
                .get(Name.fromString("example.test."))
                .records()
                .toArray(new Record[0]));
    for (String name :
        List.of(
            "www",
            "alias",
            "mail",
            "nope",
            "anything.wild",
            "sub",
            "ns.sub",
            "ns1",
            "example.test.")) {
      Name qname =
          name.endsWith(".") ? Name.fromString(name) : Name.fromString(name + ".example.test.");
      for (int type : new int[] {Type.A, Type.AAAA, Type.MX, Type.TXT}) {
        org.xbill.DNS.SetResponse expected = reference.findRecords(qname, type);
        Message got = probe.ask(qname.toString(), type);
        String what = qname + " " + Type.string(type);
        if (expected.isNXDOMAIN()) {
          assertEquals(Rcode.NXDOMAIN, got.getRcode(), what);
        } else if (expected.isNXRRSET()) {
          assertEquals(Rcode.NOERROR, got.getRcode(), what);
          assertTrue(section(got, Section.ANSWER).isEmpty(), what);
        } else if (expected.isDelegation()) {
          assertFalse(got.getHeader().getFlag(Flags.AA), what);
          assertEquals(
              expected.getNS().getName(), section(got, Section.AUTHORITY).get(0).getName(), what);
        } else if (expected.isSuccessful()) {
          assertEquals(expected.answers().get(0).size(), section(got, Section.ANSWER).size(), what);
        } else if (expected.isCNAME()) {
          assertEquals(Type.CNAME, section(got, Section.ANSWER).get(0).getType(), what);
        }
      }
    }
  }

  @Test
  void droppedWhenTheMessageIsAResponse() throws Exception {
    Message q = Probe.query("www.example.test.", Type.A);
    q.getHeader().setFlag(Flags.QR);
    assertNull(probe.ask(q), "never answer a response: no ping-pong between servers");
  }
}
