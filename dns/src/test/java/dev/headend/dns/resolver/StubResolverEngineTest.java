package dev.headend.dns.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.ZoneSet;
import dev.headend.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class StubResolverEngineTest {
  private static final InetSocketAddress FIRST = new InetSocketAddress("192.0.2.1", 53);
  private static final InetSocketAddress SECOND = new InetSocketAddress("192.0.2.2", 53);

  private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  private final StubResolverEngine engine =
      StubResolverEngine.builder(List.of(FIRST, SECOND)).random(new Random(7)).attempts(3).build();
  private final AuthoritativeServer answers;

  StubResolverEngineTest() throws Exception {
    answers =
        AuthoritativeServer.builder()
            .zones(
                ZoneSet.of(SimulatedInternet.zone(SimulatedInternet.EXAMPLE_ZONE, "example.test.")))
            .build();
  }

  /** What the server at {@code at} would answer to the engine's next datagram. */
  private byte[] serve(Transmit t) {
    var auth = answers.newDatagramEngine();
    auth.handle(clock.instant(), new InetSocketAddress("198.51.100.1", 4000), t.payload());
    Transmit r = auth.pollTransmit();
    byte[] b = new byte[r.payload().remaining()];
    r.payload().get(b);
    return b;
  }

  @Test
  void sendsARecursiveQueryAndHandsBackTheResponse() throws Exception {
    long id = engine.query(clock.instant(), Name.fromString("www.example.test."), Type.A);
    Transmit t = engine.pollTransmit();
    assertEquals(FIRST, t.destination());
    assertTrue(new Message(t.payload().duplicate()).getHeader().getFlag(Flags.RD));
    engine.handle(clock.instant(), FIRST, ByteBuffer.wrap(serve(t)));
    StubResolverEngine.Event.Answered a = (StubResolverEngine.Event.Answered) engine.pollEvent();
    assertEquals(id, a.requestId());
    assertEquals("192.0.2.80", a.response().getSection(Section.ANSWER).get(0).rdataToString());
    assertNull(engine.pollTimeout(), "nothing left in flight");
  }

  @Test
  void aSilentServerIsFollowedByTheNextUntilTheTriesRunOut() throws Exception {
    long id = engine.query(clock.instant(), Name.fromString("www.example.test."), Type.A);
    assertEquals(FIRST, engine.pollTransmit().destination());
    clock.set(engine.pollTimeout());
    engine.handleTimeout(clock.instant());
    assertEquals(SECOND, engine.pollTransmit().destination());
    clock.set(engine.pollTimeout());
    engine.handleTimeout(clock.instant());
    assertEquals(FIRST, engine.pollTransmit().destination(), "round robin");
    clock.set(engine.pollTimeout());
    engine.handleTimeout(clock.instant());
    StubResolverEngine.Event.Failed f = (StubResolverEngine.Event.Failed) engine.pollEvent();
    assertEquals(id, f.requestId());
    assertTrue(f.reason().contains("after 3 tries"), f.reason());
    assertEquals(
        Duration.ofSeconds(6),
        Duration.between(ManualClock.at("2026-01-01T00:00:00Z").instant(), clock.instant()));
  }

  @Test
  void refusedMovesToTheNextServerAndMismatchesAreIgnored() throws Exception {
    engine.query(clock.instant(), Name.fromString("www.example.test."), Type.A);
    Transmit t = engine.pollTransmit();
    Message query = new Message(t.payload().duplicate());
    // a response with another ID, and one for another question: both ignored
    Message wrongId = new Message(query.getHeader().getID() ^ 1);
    wrongId.getHeader().setFlag(Flags.QR);
    engine.handle(clock.instant(), FIRST, ByteBuffer.wrap(wrongId.toWire()));
    Message refused = new Message(query.getHeader().getID());
    refused.getHeader().setFlag(Flags.QR);
    refused.getHeader().setRcode(Rcode.REFUSED);
    refused.addRecord(query.getQuestion(), Section.QUESTION);
    engine.handle(clock.instant(), SECOND, ByteBuffer.wrap(refused.toWire())); // wrong server
    assertNull(engine.pollEvent());
    assertNull(engine.pollTransmit());
    engine.handle(clock.instant(), FIRST, ByteBuffer.wrap(refused.toWire()));
    Transmit retry = engine.pollTransmit();
    assertEquals(SECOND, retry.destination(), "REFUSED: ask the next one");
    engine.handle(clock.instant(), SECOND, ByteBuffer.wrap(serve(retry)));
    assertInstanceOf(StubResolverEngine.Event.Answered.class, engine.pollEvent());
  }

  @Test
  void aTruncatedAnswerIsAskedAgainOverTcp() throws Exception {
    long id = engine.query(clock.instant(), Name.fromString("big.example.test."), Type.TXT);
    Transmit t = engine.pollTransmit();
    Message big = new Message(serve(t));
    assertTrue(big.getHeader().getFlag(Flags.TC));
    engine.handle(clock.instant(), FIRST, ByteBuffer.wrap(big.toWire()));
    StubResolverEngine.Event.TcpQuery tcp = (StubResolverEngine.Event.TcpQuery) engine.pollEvent();
    assertEquals(FIRST, tcp.server());
    var stream = answers.newStreamEngine(new InetSocketAddress("198.51.100.1", 4000));
    stream.receive(clock.instant(), dev.headend.dns.wire.DnsTcpFramer.framed(tcp.query()));
    ByteBuffer framed = stream.pollOutput();
    ByteBuffer response = new dev.headend.dns.wire.DnsTcpFramer().next(framed);
    engine.handle(clock.instant(), FIRST, response);
    StubResolverEngine.Event.Answered a = (StubResolverEngine.Event.Answered) engine.pollEvent();
    assertEquals(id, a.requestId());
    assertEquals(1, a.response().getSection(Section.ANSWER).size());
  }
}
