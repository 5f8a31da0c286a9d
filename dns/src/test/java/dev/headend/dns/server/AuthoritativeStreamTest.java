package dev.headend.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.dns.wire.DnsTcpFramer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** DNS over TCP (RFC 7766) and zone transfers (RFC 5936) through the stream engine. */
class AuthoritativeStreamTest {
  private static final InetSocketAddress ALLOWED = new InetSocketAddress("127.0.0.1", 50000);
  private static final InetSocketAddress STRANGER = new InetSocketAddress("198.51.100.7", 50000);

  private static AuthoritativeServer server() throws Exception {
    return AuthoritativeServer.builder()
        .zones(Probe.testZones())
        .allowTransfer(IpPrefix.parse("127.0.0.0/8"))
        .build();
  }

  /** Drains the engine's output and splits it into messages. */
  private static List<Message> drain(AuthoritativeStreamEngine e) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteBuffer b;
    while ((b = e.pollOutput()) != null) {
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      all.writeBytes(chunk);
    }
    DnsTcpFramer framer = new DnsTcpFramer();
    ByteBuffer in = ByteBuffer.wrap(all.toByteArray());
    List<Message> messages = new ArrayList<>();
    ByteBuffer m;
    while ((m = framer.next(in)) != null) {
      messages.add(new Message(m));
    }
    assertFalse(framer.hasPartialMessage());
    return messages;
  }

  @Test
  void pipelinedQueriesSplitAnywhereAreAnsweredInOrder() throws Exception {
    AuthoritativeStreamEngine e = server().newStreamEngine(STRANGER);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    String[] names = {"www", "mail", "nope", "big"};
    for (String n : names) {
      stream.writeBytes(
          DnsTcpFramer.framed(
                  Probe.query(n + ".example.test.", n.equals("big") ? Type.TXT : Type.A).toWire())
              .array());
    }
    byte[] bytes = stream.toByteArray();
    for (int i = 0; i < bytes.length; i += 5) { // five bytes at a time
      ByteBuffer chunk = ByteBuffer.wrap(bytes, i, Math.min(5, bytes.length - i));
      e.receive(Instant.EPOCH, chunk);
      assertFalse(chunk.hasRemaining());
    }
    List<Message> answers = drain(e);
    assertEquals(4, answers.size());
    for (int i = 0; i < names.length; i++) {
      assertEquals(names[i] + ".example.test.", answers.get(i).getQuestion().getName().toString());
    }
    Message big = answers.get(3);
    assertFalse(big.getHeader().getFlag(Flags.TC), "TCP carries the whole answer");
    assertEquals(10, big.getSection(Section.ANSWER).size());
    e.endOfInput();
    assertTrue(e.isClosed());
  }

  @Test
  void aPeerThatDoesNotReadIsPushedBack() throws Exception {
    AuthoritativeStreamEngine e = server().newStreamEngine(STRANGER);
    byte[] one = DnsTcpFramer.framed(Probe.query("www.example.test.", Type.A).toWire()).array();
    ByteBuffer many = ByteBuffer.allocate(one.length * 40);
    for (int i = 0; i < 40; i++) {
      many.put(one);
    }
    many.flip();
    e.receive(Instant.EPOCH, many);
    assertEquals(
        one.length * (40 - AuthoritativeStreamEngine.MAX_QUEUED),
        many.remaining(),
        "stops after 16 queued");
    assertEquals(AuthoritativeStreamEngine.MAX_QUEUED, drain(e).size());
    e.receive(Instant.EPOCH, many);
    assertEquals(one.length * (40 - 2 * AuthoritativeStreamEngine.MAX_QUEUED), many.remaining());
  }

  @Test
  void axfrStreamsTheWholeZoneBetweenTwoSoas() throws Exception {
    AuthoritativeServer server = server();
    AuthoritativeStreamEngine e = server.newStreamEngine(ALLOWED);
    e.receive(Instant.EPOCH, DnsTcpFramer.framed(Probe.query("example.test.", Type.AXFR).toWire()));
    List<Message> messages = drain(e);
    List<Record> records = new ArrayList<>();
    for (Message m : messages) {
      assertEquals(0x5eed, m.getHeader().getID());
      assertTrue(m.getHeader().getFlag(Flags.AA));
      assertEquals(Rcode.NOERROR, m.getRcode());
      records.addAll(m.getSection(Section.ANSWER));
    }
    assertEquals(Type.AXFR, messages.get(0).getQuestion().getType());
    assertEquals(Type.SOA, records.get(0).getType());
    assertEquals(Type.SOA, records.get(records.size() - 1).getType());
    Zone zone = server.zones().get(records.get(0).getName());
    assertEquals(zone.size() + 1, records.size(), "every record once, the SOA twice");
    DnsServerEvent event = e.nextEvent();
    assertInstanceOf(DnsServerEvent.TransferSent.class, event);
    assertEquals(records.size(), ((DnsServerEvent.TransferSent) event).records());
  }

  @Test
  void axfrIsRefusedToStrangersAndNotAuthForOtherNames() throws Exception {
    AuthoritativeServer server = server();
    AuthoritativeStreamEngine stranger = server.newStreamEngine(STRANGER);
    stranger.receive(
        Instant.EPOCH, DnsTcpFramer.framed(Probe.query("example.test.", Type.AXFR).toWire()));
    assertEquals(Rcode.REFUSED, drain(stranger).get(0).getRcode());
    assertInstanceOf(DnsServerEvent.TransferRefused.class, stranger.nextEvent());
    AuthoritativeStreamEngine friend = server.newStreamEngine(ALLOWED);
    friend.receive(
        Instant.EPOCH, DnsTcpFramer.framed(Probe.query("www.example.test.", Type.AXFR).toWire()));
    assertEquals(Rcode.NOTAUTH, drain(friend).get(0).getRcode());
  }

  @Test
  void anUnframeableStreamEndsTheConnection() throws Exception {
    AuthoritativeStreamEngine e = server().newStreamEngine(STRANGER);
    e.receive(Instant.EPOCH, ByteBuffer.wrap(new byte[] {0, 0, 1, 2}));
    assertTrue(e.isClosed());
    assertInstanceOf(DnsServerEvent.StreamClosed.class, e.nextEvent());
    assertNull(e.pollOutput());
  }
}
