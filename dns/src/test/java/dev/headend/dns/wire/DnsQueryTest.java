package dev.headend.dns.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.dns.KeaWire;
import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsQueryTest {

  private static byte[] query(String name, int type, OPTRecord opt) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    if (opt != null) {
      m.addRecord(opt, Section.ADDITIONAL);
    }
    return m.toWire();
  }

  @Test
  void readsHeaderQuestionAndEdnsLikeDnsjava() throws Exception {
    byte[] wire = query("WwW.Example.TEST.", Type.AAAA, new OPTRecord(1232, 0, 0, Flags.DO));
    DnsQuery q = DnsQuery.parse(ByteBuffer.wrap(wire));
    Message m = new Message(wire);
    assertEquals(m.getHeader().getID(), q.id());
    assertTrue(q.recursionDesired());
    assertFalse(q.isResponse());
    assertEquals(0, q.opcode());
    assertEquals(1, q.questionCount());
    assertEquals(Type.AAAA, q.qtype());
    assertEquals(DClass.IN, q.qclass());
    assertEquals("WwW.Example.TEST.", q.name().toString(), "case is kept");
    assertTrue(q.hasEdns());
    assertEquals(1232, q.udpPayloadSize());
    assertTrue(q.dnssecOk());
    assertEquals(0, q.ednsVersion());
    ByteBuffer question = ByteBuffer.allocate(q.questionLength());
    q.writeQuestion(question);
    assertArrayEquals(Arrays.copyOfRange(wire, 12, 12 + q.questionLength()), question.array());
  }

  @Test
  void sizesResponsesPerRfc6891() throws Exception {
    DnsQuery plain = DnsQuery.parse(ByteBuffer.wrap(query("a.test.", Type.A, null)));
    assertEquals(512, plain.maxUdpResponse(1232));
    DnsQuery big =
        DnsQuery.parse(ByteBuffer.wrap(query("a.test.", Type.A, new OPTRecord(4096, 0, 0))));
    assertEquals(1232, big.maxUdpResponse(1232), "capped by the server");
    DnsQuery tiny =
        DnsQuery.parse(ByteBuffer.wrap(query("a.test.", Type.A, new OPTRecord(100, 0, 0))));
    assertEquals(512, tiny.maxUdpResponse(1232), "below 512 counts as 512");
  }

  @Test
  void neverMovesTheCallersBuffer() throws Exception {
    byte[] wire = query("a.test.", Type.A, null);
    ByteBuffer b = ByteBuffer.allocate(wire.length + 5);
    b.position(3);
    b.put(wire);
    b.position(3).limit(3 + wire.length);
    DnsQuery q = DnsQuery.parse(b);
    assertEquals(3, b.position());
    assertEquals(3 + wire.length, b.limit());
    assertEquals("a.test.", q.name().toString());
  }

  @Test
  void keaEdnsBadversVectorReads() throws Exception {
    DnsQuery q = DnsQuery.parse(ByteBuffer.wrap(KeaWire.bytes("message_fromWire10.wire")));
    assertTrue(q.hasEdns());
    assertEquals(1, q.ednsExtendedRcode(), "extended RCODE 16 = BADVERS is 1 in the OPT TTL");
    assertEquals(4096, q.udpPayloadSize());
    assertTrue(q.dnssecOk());
    assertTrue(q.isResponse());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "message_fromWire4 | OPT record outside the additional section | 34",
        "message_fromWire5 | second OPT record                         | 45",
      })
  void keaRejectVectorsAreRejected(String vector, String reason, int offset) {
    MalformedDnsMessageException e =
        assertThrows(
            MalformedDnsMessageException.class,
            () -> DnsQuery.parse(ByteBuffer.wrap(KeaWire.bytes(vector))));
    assertEquals(reason, e.reason());
    assertEquals(offset, e.offset());
  }

  @Test
  void keaQuestionVectorsReadWhereValidAndFailWhereNot() throws Exception {
    byte[] questions = KeaWire.bytes("question_fromWire");
    // question 1 at offset 0 is valid; wrap it as a query
    DnsQuery q = DnsQuery.parse(ByteBuffer.wrap(withHeader(1, questions, 0, 21)));
    assertEquals("foo.example.com.", q.name().toString());
    assertEquals(Type.NS, q.qtype());
    // offset 31 starts with 0xff (Kea: "invalid label type"; its top bits make it a pointer,
    // impossible in a first question); offset 36 is a root name whose class is missing
    MalformedDnsMessageException badLabel =
        assertThrows(
            MalformedDnsMessageException.class,
            () -> DnsQuery.parse(ByteBuffer.wrap(withHeader(1, questions, 31, questions.length))));
    assertEquals("compression pointer in the first question name", badLabel.reason());
    assertEquals(12, badLabel.offset());
    MalformedDnsMessageException shortClass =
        assertThrows(
            MalformedDnsMessageException.class,
            () -> DnsQuery.parse(ByteBuffer.wrap(withHeader(1, questions, 36, questions.length))));
    assertEquals("truncated question type and class: needs 4 bytes, 2 left", shortClass.reason());
  }

  @Test
  void keaLongestNameIsAcceptedAndOneMoreOctetIsNot() throws Exception {
    byte[] name = KeaWire.bytes("name_fromWire9");
    assertEquals(255, name.length);
    byte[] ok = withHeader(1, concat(name, new byte[] {0, 1, 0, 1}), 0, name.length + 4);
    assertEquals(255, DnsQuery.parse(ByteBuffer.wrap(ok)).qnameLength());
    byte[] longer = concat(new byte[] {1, 'x'}, name); // 257 octets
    MalformedDnsMessageException e =
        assertThrows(
            MalformedDnsMessageException.class,
            () ->
                DnsQuery.parse(
                    ByteBuffer.wrap(
                        withHeader(1, concat(longer, new byte[4]), 0, longer.length + 4))));
    assertEquals("question name exceeds 255 octets", e.reason());
    assertEquals(12, e.offset());
  }

  @Test
  void refusesPointersInTheQuestionAndTruncatedHeaders() {
    byte[] pointer = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 0, 0, 1, 0, 1};
    MalformedDnsMessageException e =
        assertThrows(
            MalformedDnsMessageException.class, () -> DnsQuery.parse(ByteBuffer.wrap(pointer)));
    assertEquals("compression pointer in the first question name", e.reason());
    DnsQuery q = new DnsQuery();
    MalformedDnsMessageException shortHeader =
        assertThrows(
            MalformedDnsMessageException.class, () -> q.read(ByteBuffer.wrap(new byte[11])));
    assertEquals(0, shortHeader.offset());
    assertFalse(q.headerRead());
  }

  @Test
  void aBrokenBodyStillLeavesTheHeaderForFormerr() {
    byte[] broken = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a'};
    DnsQuery q = new DnsQuery();
    assertThrows(MalformedDnsMessageException.class, () -> q.read(ByteBuffer.wrap(broken)));
    assertTrue(q.headerRead());
    assertEquals(0x1234, q.id());
    assertTrue(q.recursionDesired());
  }

  @Test
  void rejectsOptOwnedByAnotherNameAndRdataPastTheEnd() throws Exception {
    byte[] wire = query("a.test.", Type.A, new OPTRecord(1232, 0, 0));
    byte[] rdlength = wire.clone();
    rdlength[rdlength.length - 1] = 5; // RDLENGTH 5 with no RDATA
    MalformedDnsMessageException e =
        assertThrows(
            MalformedDnsMessageException.class, () -> DnsQuery.parse(ByteBuffer.wrap(rdlength)));
    assertEquals("truncated RDATA of 5 bytes: needs 5 bytes, 0 left", e.reason());
    Message m = Message.newQuery(Record.newRecord(Name.fromString("a.test."), Type.A, DClass.IN));
    m.addRecord(
        Record.newRecord(Name.fromString("x.test."), Type.OPT, 1232, 0, new byte[0]),
        Section.ADDITIONAL);
    MalformedDnsMessageException owner =
        assertThrows(
            MalformedDnsMessageException.class, () -> DnsQuery.parse(ByteBuffer.wrap(m.toWire())));
    assertEquals("OPT record owner is not the root name", owner.reason());
  }

  @Property
  void garbageOnlyEverRaisesTheDecodeError(@ForAll("garbage") byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    DnsQuery q = new DnsQuery();
    try {
      q.read(b);
      assertTrue(data.length >= 12);
    } catch (MalformedDnsMessageException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= data.length, e.getMessage());
      assertEquals(data.length >= 12, q.headerRead());
    }
    assertEquals(0, b.position());
    assertEquals(data.length, b.limit());
  }

  @Property
  void agreesWithDnsjavaOnRandomQueries(@ForAll("queries") byte[] wire) throws Exception {
    Message m = new Message(wire);
    DnsQuery q = DnsQuery.parse(ByteBuffer.wrap(wire));
    assertEquals(m.getHeader().getID(), q.id());
    assertEquals(m.getHeader().getOpcode(), q.opcode());
    assertEquals(m.getHeader().getFlag(Flags.RD), q.recursionDesired());
    assertEquals(m.getHeader().getFlag(Flags.CD), q.checkingDisabled());
    Record question = m.getQuestion();
    assertEquals(question.getName(), q.name());
    assertEquals(question.getName().toString(), q.name().toString());
    assertEquals(question.getType(), q.qtype());
    assertEquals(question.getDClass(), q.qclass());
    OPTRecord opt = m.getOPT();
    assertEquals(opt != null, q.hasEdns());
    if (opt != null) {
      assertEquals(opt.getPayloadSize(), q.udpPayloadSize());
      assertEquals(opt.getVersion(), q.ednsVersion());
      assertEquals((opt.getFlags() & Flags.DO) != 0, q.dnssecOk());
    }
  }

  /** Random bytes, often with a plausible header so the body parser is reached. */
  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    Arbitrary<byte[]> headed =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
            .as(
                (qd, an, ar, body) -> {
                  byte[] h = {
                    0, 1, 0, 0, 0, (byte) (int) qd, 0, (byte) (int) an, 0, 0, 0, (byte) (int) ar
                  };
                  return concat(h, body);
                });
    return Arbitraries.oneOf(raw, headed);
  }

  @Provide
  Arbitrary<byte[]> queries() {
    Arbitrary<String> label =
        Arbitraries.strings().withChars("abcXYZ09-_*").ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> name =
        label.list().ofMinSize(0).ofMaxSize(5).map(l -> String.join(".", l) + ".");
    return Combinators.combine(
            name,
            Arbitraries.of(Type.A, Type.AAAA, Type.MX, Type.TXT, Type.ANY, Type.AXFR, 999),
            Arbitraries.of(DClass.IN, DClass.CH, DClass.ANY),
            Arbitraries.integers().between(0, 65535),
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 65535),
            Arbitraries.of(0, 1))
        .as(
            (n, type, dclass, id, edns, payload, version) -> {
              try {
                Message m = Message.newQuery(Record.newRecord(Name.fromString(n), type, dclass));
                m.getHeader().setID(id);
                if (id % 3 == 0) {
                  m.getHeader().setFlag(Flags.CD);
                }
                if (edns) {
                  m.addRecord(
                      new OPTRecord(payload, 0, version, id % 2 == 0 ? Flags.DO : 0),
                      Section.ADDITIONAL);
                }
                return m.toWire();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }

  private static byte[] withHeader(int qdcount, byte[] body, int from, int to) {
    byte[] h = {0x10, 0x35, 0, 0, 0, (byte) qdcount, 0, 0, 0, 0, 0, 0};
    return concat(h, Arrays.copyOfRange(body, from, to));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
