package dev.headend.dns.resolver;

import static dev.headend.dns.resolver.SimulatedInternet.CLIENT;
import static dev.headend.dns.resolver.SimulatedInternet.EXAMPLE1;
import static dev.headend.dns.resolver.SimulatedInternet.EXAMPLE2;
import static dev.headend.dns.resolver.SimulatedInternet.ROOT;
import static dev.headend.dns.resolver.SimulatedInternet.TLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class IterativeResolverTest {

  private static Name n(String s) {
    return Name.fromConstantString(s);
  }

  /** Resolves through the API and returns the outcome. */
  private static Resolution resolve(SimulatedInternet net, String name, int type) {
    long id = net.resolver.resolve(net.now(), n(name), type);
    net.run();
    ResolverEvent e;
    while ((e = net.events.poll()) != null) {
      if (e instanceof ResolverEvent.Resolved r && r.requestId() == id) {
        return r.resolution();
      }
    }
    throw new AssertionError("no outcome for " + name);
  }

  private static List<String> answer(Resolution r) {
    return r.answer().stream()
        .map(x -> x.getName() + " " + Type.string(x.getType()) + " " + x.rdataToString())
        .collect(Collectors.toList());
  }

  @Test
  void walksFromTheRootToTheAuthoritativeServer() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, r.rcode());
    assertEquals(List.of("www.example.test. A 192.0.2.80"), answer(r));
    assertEquals(3, r.queries(), "root, test., example.test.");
    assertEquals(ROOT, net.queriesSent.get(0));
    assertEquals(TLD, net.queriesSent.get(1));
    assertTrue(List.of(EXAMPLE1, EXAMPLE2).contains(net.queriesSent.get(2)));
  }

  @Test
  void theRootIsPrimedOnceBeforeTheFirstWalk() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults().primeRoot(true));
    assertEquals(Rcode.NOERROR, resolve(net, "www.example.test.", Type.A).rcode());
    assertEquals(
        List.of(ROOT, ROOT, TLD), net.queriesSent.subList(0, 3), "'. NS' first (RFC 8109)");
    DnsCache.Entry roots = net.resolver.cache().peekFresh(net.now(), Name.root, Type.NS);
    assertEquals("a.root-servers.test.", roots.records(net.now()).get(0).rdataToString());
    assertNotNull(
        net.resolver.cache().peekFresh(net.now(), n("a.root-servers.test."), Type.A),
        "with its address");
    net.queriesSent.clear();
    resolve(net, "www.other.test.", Type.A);
    assertFalse(net.queriesSent.isEmpty());
    assertEquals(
        0,
        net.queriesSent.stream().filter(ROOT::equals).count() - countOtherRootQueries(net),
        "no second priming");
  }

  private static long countOtherRootQueries(SimulatedInternet net) {
    return net.queriesSent.stream().filter(ROOT::equals).count();
  }

  @Test
  void whenPrimingFailsTheWalkStartsFromTheHints() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults().primeRoot(true));
    net.drop =
        new java.util.function.Predicate<>() {
          private boolean first = true;

          @Override
          public boolean test(InetSocketAddress a) {
            boolean drop = first; // the priming query is lost
            first = false;
            return drop;
          }
        };
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, r.rcode());
    assertNull(net.resolver.cache().peekFresh(net.now(), Name.root, Type.NS));
  }

  @Test
  void theSecondLookupComesFromTheCacheAndTheThirdStartsAtTheZoneCut() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    resolve(net, "www.example.test.", Type.A);
    Resolution again = resolve(net, "www.example.test.", Type.A);
    assertEquals(0, again.queries());
    assertEquals(300, again.answer().get(0).getTTL());
    net.clock.advance(Duration.ofSeconds(100));
    assertEquals(
        200, resolve(net, "www.example.test.", Type.A).answer().get(0).getTTL(), "TTL counts down");
    net.queriesSent.clear();
    Resolution aaaa = resolve(net, "www.example.test.", Type.AAAA);
    assertEquals(1, aaaa.queries(), "the example.test. servers are known");
    assertFalse(net.queriesSent.contains(ROOT));
  }

  @Test
  void followsCnamesInsideAZoneAndAcrossZonesResolvingNsNamesWithoutGlue() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    assertEquals(
        List.of("alias.example.test. CNAME www.example.test.", "www.example.test. A 192.0.2.80"),
        answer(resolve(net, "alias.example.test.", Type.A)));
    Resolution cross = resolve(net, "cross.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, cross.rcode());
    assertEquals(
        List.of("cross.example.test. CNAME www.other.test.", "www.other.test. A 192.0.2.90"),
        answer(cross));
    // other.test. is served by ns.elsewhere.org., which had to be looked up through org.
    assertTrue(cross.queries() >= 4, "queries: " + cross.queries());
  }

  @Test
  void negativeAnswersAreCachedWithTheirSoaAndCoverDescendants() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    Resolution nx = resolve(net, "nope.example.test.", Type.A);
    assertEquals(Rcode.NXDOMAIN, nx.rcode());
    assertEquals(n("example.test."), nx.soa().getName());
    assertEquals(0, resolve(net, "nope.example.test.", Type.MX).queries());
    Resolution below = resolve(net, "deep.nope.example.test.", Type.A);
    assertEquals(Rcode.NXDOMAIN, below.rcode());
    assertEquals(0, below.queries(), "RFC 8020: nothing exists below an NXDOMAIN");
    Resolution nodata = resolve(net, "www.example.test.", Type.MX);
    assertEquals(Rcode.NOERROR, nodata.rcode());
    assertTrue(nodata.answer().isEmpty());
    assertNotNull(nodata.soa());
  }

  @Test
  void aServerThatNeverAnswersIsLeftForTheOther() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    net.drop = EXAMPLE1::equals;
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, r.rcode());
    assertEquals("192.0.2.80", ((ARecord) r.answer().get(0)).getAddress().getHostAddress());
    assertTrue(net.queriesSent.contains(EXAMPLE2));
  }

  @Test
  void whenNoServerAnswersTheResultIsServfailAfterTheTimeouts() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    net.drop = a -> a.equals(EXAMPLE1) || a.equals(EXAMPLE2);
    java.time.Instant start = net.now();
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(Rcode.SERVFAIL, r.rcode());
    assertTrue(Duration.between(start, net.now()).toMillis() >= 1600, "two timeouts waited out");
    assertEquals(2, net.resolver.statistics().timeouts());
  }

  @Test
  void aTruncatedAnswerIsFetchedAgainOverTcp() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    Resolution r = resolve(net, "big.example.test.", Type.TXT);
    assertEquals(Rcode.NOERROR, r.rcode());
    assertEquals(1, r.answer().size());
    assertTrue(r.answer().get(0).rdataToString().length() > 1500);
  }

  @Test
  void responsesThatDoNotMatchAQueryAreIgnored() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    // a forged answer with a guessed ID arrives before anything was asked
    Message forged = new Message(1234);
    forged.getHeader().setFlag(Flags.QR);
    forged.addRecord(Record.newRecord(n("www.example.test."), Type.A, DClass.IN), Section.QUESTION);
    forged.addRecord(
        new ARecord(
            n("www.example.test."), DClass.IN, 300, java.net.InetAddress.getByName("203.0.113.66")),
        Section.ANSWER);
    net.resolver.handle(net.now(), ROOT, ByteBuffer.wrap(forged.toWire()));
    assertEquals(1, net.resolver.statistics().ignoredResponses());
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals("192.0.2.80", ((ARecord) r.answer().get(0)).getAddress().getHostAddress());
  }

  @Test
  void recordsOutsideTheServersBailiwickAreNotBelieved() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    // every answer from example.test.'s servers also carries an address for a name in org.
    net.tamper =
        bytes -> {
          try {
            Message m = new Message(bytes);
            if (m.getQuestion().getName().subdomain(n("example.test."))
                && m.getSection(Section.ANSWER).size() > 0) {
              m.addRecord(
                  new ARecord(
                      n("victim.elsewhere.org."),
                      DClass.IN,
                      86400,
                      java.net.InetAddress.getByName("203.0.113.66")),
                  Section.ADDITIONAL);
              m.addRecord(
                  new ARecord(
                      n("www.other.test."),
                      DClass.IN,
                      86400,
                      java.net.InetAddress.getByName("203.0.113.67")),
                  Section.ANSWER);
            }
            return m.toWire();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
    resolve(net, "www.example.test.", Type.A);
    net.tamper = b -> b;
    assertNull(net.resolver.cache().peekFresh(net.now(), n("victim.elsewhere.org."), Type.A));
    assertNull(net.resolver.cache().peekFresh(net.now(), n("www.other.test."), Type.A));
    assertEquals(
        "192.0.2.90",
        ((ARecord) resolve(net, "www.other.test.", Type.A).answer().get(0))
            .getAddress()
            .getHostAddress());
  }

  @Test
  void randomizedCaseIsEchoedByOurServersAndChecked() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults().randomizeCase(true));
    assertEquals(Rcode.NOERROR, resolve(net, "www.example.test.", Type.A).rcode());
    // a server that lowercases the question no longer matches
    SimulatedInternet lowering =
        new SimulatedInternet(SimulatedInternet.defaults().randomizeCase(true));
    lowering.tamper =
        bytes -> {
          try {
            Message m = new Message(bytes);
            Record q = m.getQuestion();
            Message copy = new Message(m.getHeader().getID());
            copy.getHeader().setFlag(Flags.QR);
            copy.addRecord(
                Record.newRecord(
                    n(q.getName().toString().toLowerCase()), q.getType(), q.getDClass()),
                Section.QUESTION);
            return copy.toWire();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
    assertEquals(Rcode.SERVFAIL, resolve(lowering, "WwW.example.test.", Type.A).rcode());
    assertTrue(lowering.resolver.statistics().ignoredResponses() > 0);
  }

  @Test
  void aQueryBudgetStopsRunawayResolutions() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults().maxQueries(2));
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(Rcode.SERVFAIL, r.rcode());
    assertTrue(net.queriesSent.size() <= 2);
  }

  @Test
  void expiredDataIsServedWhenUpstreamFails() throws Exception {
    DnsCache cache = DnsCache.builder().serveStale(Duration.ofDays(1)).build();
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults().cache(cache));
    resolve(net, "www.example.test.", Type.A);
    net.clock.advance(Duration.ofSeconds(301));
    net.drop = a -> true;
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(Rcode.NOERROR, r.rcode());
    assertTrue(r.stale());
    assertEquals(DnsCache.STALE_TTL, r.answer().get(0).getTTL());
    assertEquals(1, net.resolver.statistics().staleAnswers());
  }

  @Test
  void popularEntriesAreRefreshedBeforeTheyExpire() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    resolve(net, "www.example.test.", Type.A);
    resolve(net, "www.example.test.", Type.A);
    net.clock.advance(Duration.ofSeconds(280)); // in the last tenth of 300 s
    net.queriesSent.clear();
    Resolution r = resolve(net, "www.example.test.", Type.A);
    assertEquals(0, r.queries(), "answered from the cache at once");
    assertEquals(1, net.resolver.statistics().prefetches());
    assertEquals(1, net.queriesSent.size(), "and refreshed in the background");
    net.clock.advance(Duration.ofSeconds(100)); // past the old expiry
    assertEquals(
        0, resolve(net, "www.example.test.", Type.A).queries(), "the refreshed copy answers");
  }

  @Test
  void identicalQuestionsInFlightShareOneResolution() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    long a = net.resolver.resolve(net.now(), n("www.example.test."), Type.A);
    long b = net.resolver.resolve(net.now(), n("WWW.example.test."), Type.A);
    net.run();
    List<Long> answered = new ArrayList<>();
    ResolverEvent e;
    while ((e = net.events.poll()) != null) {
      answered.add(((ResolverEvent.Resolved) e).requestId());
    }
    assertEquals(List.of(a, b), answered);
    assertEquals(3, net.queriesSent.size(), "one walk for both");
  }

  // ---- as a server for clients ------------------------------------------------------------

  private static Message ask(SimulatedInternet net, InetSocketAddress from, Message query)
      throws Exception {
    net.clientResponses.clear();
    net.resolver.handle(net.now(), from, ByteBuffer.wrap(query.toWire()));
    net.run();
    if (net.clientResponses.isEmpty()) {
      return null;
    }
    return new Message(net.clientResponses.get(0));
  }

  private static Message query(String name, int type, boolean rd) throws Exception {
    Message q = Message.newQuery(Record.newRecord(n(name), type, DClass.IN));
    if (!rd) {
      q.getHeader().unsetFlag(Flags.RD);
    }
    q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    return q;
  }

  @Test
  void answersClientsWithRecursionAvailable() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    Message q = query("alias.example.test.", Type.A, true);
    Message r = ask(net, CLIENT, q);
    assertEquals(q.getHeader().getID(), r.getHeader().getID());
    assertTrue(r.getHeader().getFlag(Flags.RA));
    assertTrue(r.getHeader().getFlag(Flags.RD));
    assertFalse(r.getHeader().getFlag(Flags.AA));
    assertEquals(2, r.getSection(Section.ANSWER).size());
    assertNotNull(r.getOPT());
    Message nx = ask(net, CLIENT, query("nope.example.test.", Type.A, true));
    assertEquals(Rcode.NXDOMAIN, nx.getRcode());
    assertEquals(Type.SOA, nx.getSection(Section.AUTHORITY).get(0).getType());
  }

  @Test
  void refusesClientsOutsideTheAllowedPrefixes() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    Message r =
        ask(
            net,
            new InetSocketAddress("203.0.113.9", 5000),
            query("www.example.test.", Type.A, true));
    assertEquals(Rcode.REFUSED, r.getRcode());
    assertTrue(net.queriesSent.isEmpty(), "no upstream traffic for strangers");
  }

  @Test
  void withoutRecursionDesiredOnlyTheCacheAnswers() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    assertEquals(
        Rcode.REFUSED, ask(net, CLIENT, query("www.example.test.", Type.A, false)).getRcode());
    ask(net, CLIENT, query("www.example.test.", Type.A, true));
    Message cached = ask(net, CLIENT, query("www.example.test.", Type.A, false));
    assertEquals(Rcode.NOERROR, cached.getRcode());
    assertEquals(1, cached.getSection(Section.ANSWER).size());
  }

  @Test
  void glueIsNeverHandedToClientsAsAnAnswer() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    resolve(net, "www.example.test.", Type.A); // caches ns1.example.test. A as glue
    net.queriesSent.clear();
    Message r = ask(net, CLIENT, query("ns1.example.test.", Type.A, true));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals(1, net.queriesSent.size(), "asked the authority instead of trusting glue");
  }

  @Test
  void malformedClientQueriesGetFormerrAndResponsesAreNotAnswered() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    net.resolver.handle(
        net.now(),
        CLIENT,
        ByteBuffer.wrap(new byte[] {0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9}));
    net.run();
    assertEquals(Rcode.FORMERR, new Message(net.clientResponses.get(0)).getRcode());
    net.clientResponses.clear();
    net.resolver.handle(net.now(), CLIENT, ByteBuffer.wrap(new byte[] {1, 2}));
    net.run();
    assertTrue(net.clientResponses.isEmpty());
  }

  @Test
  void tcpClientsGetTheirResponseAsAnEvent() throws Exception {
    SimulatedInternet net = new SimulatedInternet(SimulatedInternet.defaults());
    long id =
        net.resolver.submit(
            net.now(),
            CLIENT,
            ByteBuffer.wrap(query("big.example.test.", Type.TXT, true).toWire()),
            65535);
    net.run();
    ResolverEvent e = net.events.poll();
    assertInstanceOf(ResolverEvent.ResponseReady.class, e);
    assertEquals(id, ((ResolverEvent.ResponseReady) e).requestId());
    Message r = new Message(((ResolverEvent.ResponseReady) e).response());
    assertFalse(r.getHeader().getFlag(Flags.TC));
    assertEquals(1, r.getSection(Section.ANSWER).size());
  }
}
