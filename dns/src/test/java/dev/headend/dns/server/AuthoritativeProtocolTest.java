package dev.headend.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Header, EDNS, error and size rules, and garbage input, through the datagram engine. */
class AuthoritativeProtocolTest {

  @Test
  void otherOpcodesAreNotImplemented() throws Exception {
    Probe p = Probe.ofTestZones();
    Message q = Probe.query("example.test.", Type.SOA);
    q.getHeader().setOpcode(Opcode.UPDATE);
    Message r = p.ask(q);
    assertEquals(Rcode.NOTIMP, r.getRcode());
    assertEquals(Opcode.UPDATE, r.getHeader().getOpcode(), "the opcode is echoed");
  }

  @Test
  void twoQuestionsAreAFormatError() throws Exception {
    Probe p = Probe.ofTestZones();
    Message q = Probe.query("www.example.test.", Type.A);
    q.addRecord(
        Record.newRecord(Name.fromString("mail.example.test."), Type.A, DClass.IN),
        Section.QUESTION);
    Message r = p.ask(q);
    assertEquals(Rcode.FORMERR, r.getRcode());
    assertEquals(0x5eed, r.getHeader().getID());
  }

  @Test
  void aBodyThatDoesNotParseGetsFormerrAndAnUnreadableHeaderIsDropped() throws Exception {
    Probe p = Probe.ofTestZones();
    byte[] broken = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a'};
    Message r = new Message(p.askRaw(broken));
    assertEquals(Rcode.FORMERR, r.getRcode());
    assertEquals(0x1234, r.getHeader().getID());
    assertTrue(r.getHeader().getFlag(Flags.RD));
    assertNull(p.askRaw(new byte[] {1, 2, 3}), "no header, no answer");
  }

  @Test
  void ednsIsEchoedWithOurPayloadSizeAndTheDoBit() throws Exception {
    Probe p = Probe.ofTestZones();
    Message r = p.ask(Probe.withEdns(Probe.query("www.example.test.", Type.A), 4096, Flags.DO));
    OPTRecord opt = r.getOPT();
    assertNotNull(opt, "RFC 6891 §7: OPT in the response");
    assertEquals(AuthoritativeServer.DEFAULT_UDP_PAYLOAD, opt.getPayloadSize());
    assertEquals(Flags.DO, opt.getFlags() & Flags.DO, "RFC 3225 §3: DO is copied");
    assertNull(p.ask(Probe.query("www.example.test.", Type.A)).getOPT(), "no OPT without EDNS");
  }

  @Test
  void anUnknownEdnsVersionGetsBadvers() throws Exception {
    Probe p = Probe.ofTestZones();
    Message q = Probe.query("www.example.test.", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    Message r = p.ask(q);
    assertEquals(Rcode.BADVERS, r.getRcode(), "RFC 6891 §6.1.3");
    assertEquals(0, r.getOPT().getVersion(), "we answer with the version we speak");
    assertTrue(r.getSection(Section.ANSWER).isEmpty());
  }

  @Test
  void responsesTooBigForUdpAreTruncatedToHeaderAndQuestion() throws Exception {
    Probe p = Probe.ofTestZones();
    byte[] classic = p.askRaw(Probe.query("big.example.test.", Type.TXT).toWire());
    assertTrue(classic.length <= 512);
    Message r = new Message(classic);
    assertTrue(r.getHeader().getFlag(Flags.TC));
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertEquals(0, r.getSection(Section.ANSWER).size());
    assertEquals("big.example.test.", r.getQuestion().getName().toString());
    byte[] edns =
        p.askRaw(Probe.withEdns(Probe.query("big.example.test.", Type.TXT), 4096, 0).toWire());
    assertTrue(
        edns.length <= AuthoritativeServer.DEFAULT_UDP_PAYLOAD, "capped by our payload size");
    assertTrue(new Message(edns).getHeader().getFlag(Flags.TC));
    assertNotNull(new Message(edns).getOPT(), "OPT survives truncation");
  }

  @Test
  void optionalAdditionalDataIsDroppedWithoutTc() throws Exception {
    Probe p = Probe.ofTestZones();
    byte[] wire = p.askRaw(Probe.query("many.example.test.", Type.MX).toWire());
    assertTrue(wire.length <= 512);
    Message r = new Message(wire);
    assertFalse(r.getHeader().getFlag(Flags.TC), "RFC 2181 §9");
    assertEquals(1, r.getSection(Section.ANSWER).size());
    int extras = r.getSection(Section.ADDITIONAL).size();
    assertTrue(extras > 0 && extras < 40, "as many addresses as fit: " + extras);
    Message big = p.ask(Probe.withEdns(Probe.query("many.example.test.", Type.MX), 4096, 0));
    assertEquals(41, big.getSection(Section.ADDITIONAL).size(), "40 addresses and the OPT");
  }

  @Test
  void zoneTransfersOverUdpAndForeignClassesAreRefused() throws Exception {
    Probe p = Probe.ofTestZones();
    assertEquals(Rcode.REFUSED, p.ask("example.test.", Type.AXFR).getRcode());
    Message chaos =
        Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
    assertEquals(Rcode.REFUSED, p.ask(chaos).getRcode());
  }

  @Test
  void statisticsCountWhatHappened() throws Exception {
    Probe p = Probe.ofTestZones();
    p.ask("www.example.test.", Type.A);
    p.ask("nope.example.test.", Type.A);
    p.ask("big.example.test.", Type.TXT);
    p.askRaw(new byte[3]);
    AuthoritativeServer.Statistics s = p.server.statistics();
    assertEquals(4, s.queries());
    assertEquals(1, s.dropped());
    assertEquals(1, s.truncated());
    assertEquals(2L, s.responsesByRcode().get("NOERROR"));
    assertEquals(1L, s.responsesByRcode().get("NXDOMAIN"));
  }

  @Test
  void aFullQueueDropsRatherThanGrows() throws Exception {
    Probe p = Probe.ofTestZones();
    byte[] q = Probe.query("www.example.test.", Type.A).toWire();
    for (int i = 0; i < AuthoritativeDatagramEngine.QUEUE + 10; i++) {
      p.engine.handle(Instant.EPOCH, Probe.CLIENT, ByteBuffer.wrap(q));
    }
    int answered = 0;
    while (p.engine.pollTransmit() != null) {
      answered++;
    }
    assertEquals(AuthoritativeDatagramEngine.QUEUE, answered);
    assertEquals(10, p.server.statistics().dropped());
  }

  @Test
  void replacingZonesIsAtomicForConcurrentQueries() throws Exception {
    AuthoritativeServer server = AuthoritativeServer.builder().zones(Probe.testZones()).build();
    Zone next =
        Zone.of(
            Name.fromString("example.test."),
            java.util.List.of(
                Record.fromString(
                    Name.fromString("example.test."),
                    Type.SOA,
                    DClass.IN,
                    60,
                    "ns1 h 99 1 1 1 1",
                    Name.root),
                Record.fromString(
                    Name.fromString("example.test."),
                    Type.NS,
                    DClass.IN,
                    60,
                    "ns1.example.test.",
                    Name.root)));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> inconsistency = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              AuthoritativeDatagramEngine engine = server.newDatagramEngine();
              byte[] q;
              try {
                q = Probe.query("nope.example.test.", Type.A).toWire();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              while (!stop.get()) {
                engine.handle(Instant.EPOCH, Probe.CLIENT, ByteBuffer.wrap(q));
                Transmit t = engine.pollTransmit();
                try {
                  long serial =
                      ((org.xbill.DNS.SOARecord)
                              new Message(t.payload()).getSection(Section.AUTHORITY).get(0))
                          .getSerial();
                  if (serial != 2026112501L && serial != 99L) {
                    inconsistency.set("serial " + serial);
                  }
                } catch (Exception e) {
                  inconsistency.set(e.toString());
                }
              }
            });
    reader.start();
    for (int i = 0; i < 50; i++) {
      server.replaceZones(i % 2 == 0 ? ZoneSet.of(next) : Probe.testZones());
    }
    stop.set(true);
    reader.join(10_000);
    assertNull(inconsistency.get());
  }

  /** Any bytes at all: no exception escapes, and whatever is sent back parses and fits. */
  @Property(tries = 2000)
  void garbageNeverBreaksTheEngine(@ForAll("datagrams") byte[] datagram) throws Exception {
    AuthoritativeDatagramEngine engine = sharedServer().newDatagramEngine();
    engine.handle(Instant.EPOCH, new InetSocketAddress("192.0.2.1", 53), ByteBuffer.wrap(datagram));
    Transmit t = engine.pollTransmit();
    if (t != null) {
      assertTrue(t.payload().remaining() <= AuthoritativeServer.DEFAULT_UDP_PAYLOAD);
      Message r = new Message(t.payload());
      assertTrue(r.getHeader().getFlag(Flags.QR));
      assertEquals((datagram[0] & 0xff) << 8 | datagram[1] & 0xff, r.getHeader().getID());
    }
  }

  /** Well-formed queries for random names and types always get a well-formed, fitting answer. */
  @Property(tries = 1000)
  void everyWellFormedQueryGetsAFittingResponse(@ForAll("queries") Message query) throws Exception {
    Probe p = new Probe(sharedServer());
    byte[] wire = p.askRaw(query.toWire());
    assertNotNull(wire);
    Message r = new Message(wire);
    int limit =
        query.getOPT() == null
            ? 512
            : Math.min(Math.max(512, query.getOPT().getPayloadSize()), 1232);
    assertTrue(wire.length <= limit, wire.length + " > " + limit);
    assertEquals(query.getHeader().getID(), r.getHeader().getID());
    assertEquals(
        query.getQuestion().getName().toString(false), r.getQuestion().getName().toString(false));
    assertEquals(query.getQuestion().getType(), r.getQuestion().getType());
  }

  private static AuthoritativeServer shared;

  private static synchronized AuthoritativeServer sharedServer() throws Exception {
    if (shared == null) {
      shared = AuthoritativeServer.builder().zones(Probe.testZones()).build();
    }
    return shared;
  }

  @Provide
  Arbitrary<byte[]> datagrams() {
    Arbitrary<byte[]> header =
        Combinators.combine(
                Arbitraries.integers().between(0, 65535),
                Arbitraries.integers().between(0, 0x7fff),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2))
            .as(
                (id, flags, qd, ar) ->
                    new byte[] {
                      (byte) (id >> 8),
                      (byte) (int) id,
                      (byte) (flags >> 8),
                      (byte) (int) flags,
                      0,
                      (byte) (int) qd,
                      0,
                      0,
                      0,
                      0,
                      0,
                      (byte) (int) ar
                    });
    return Combinators.combine(header, Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
        .as(
            (h, body) -> {
              byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
              System.arraycopy(body, 0, all, h.length, body.length);
              return all;
            });
  }

  @Provide
  Arbitrary<Message> queries() {
    Arbitrary<String> label =
        Arbitraries.of(
            "www",
            "WWW",
            "mail",
            "alias",
            "chain",
            "x",
            "wild",
            "sub",
            "ns",
            "big",
            "many",
            "ent",
            "b",
            "a",
            "child",
            "host",
            "loop1",
            "dangling",
            "zz");
    Arbitrary<String> name =
        label
            .list()
            .ofMaxSize(4)
            .map(l -> String.join(".", l))
            .flatMap(
                prefix ->
                    Arbitraries.of(
                            "example.test.", "child.example.test.", "test.", "example.org.", ".")
                        .map(
                            suffix ->
                                prefix.isEmpty()
                                    ? suffix
                                    : suffix.equals(".") ? prefix + "." : prefix + "." + suffix));
    return Combinators.combine(
            name,
            Arbitraries.of(
                Type.A,
                Type.AAAA,
                Type.MX,
                Type.TXT,
                Type.ANY,
                Type.CNAME,
                Type.NS,
                Type.SOA,
                Type.DS,
                Type.SRV,
                4242),
            Arbitraries.integers().between(0, 65535),
            Arbitraries.of(0, 512, 1232, 4096, 100))
        .as(
            (n, type, id, payload) -> {
              try {
                Message m = Message.newQuery(Record.newRecord(Name.fromString(n), type, DClass.IN));
                m.getHeader().setID(id);
                if (payload > 0) {
                  m.addRecord(new OPTRecord(payload, 0, 0), Section.ADDITIONAL);
                }
                return m;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }
}
