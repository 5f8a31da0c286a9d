package dev.headend.dns.server;

import dev.headend.core.Transmit;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Drives an authoritative server through its datagram engine, as a UDP client would. */
final class Probe {
  static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.200", 40000);

  final AuthoritativeServer server;
  final AuthoritativeDatagramEngine engine;

  Probe(AuthoritativeServer server) {
    this.server = server;
    this.engine = server.newDatagramEngine();
  }

  static Zone zone(String resource, String origin) throws Exception {
    try (InputStream in = Probe.class.getResourceAsStream("/zones/" + resource)) {
      return Zone.parse(in, Name.fromString(origin), resource);
    }
  }

  /** The example.test and child.example.test test zones. */
  static ZoneSet testZones() throws Exception {
    return ZoneSet.of(
        zone("example.test.zone", "example.test."),
        zone("child.example.test.zone", "child.example.test."));
  }

  static Probe ofTestZones() throws Exception {
    return new Probe(AuthoritativeServer.builder().zones(testZones()).build());
  }

  static Message query(String name, int type) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    q.getHeader().setID(0x5eed);
    return q;
  }

  static Message withEdns(Message q, int payload, int flags) {
    q.addRecord(new OPTRecord(payload, 0, 0, flags), Section.ADDITIONAL);
    return q;
  }

  Message ask(String name, int type) throws Exception {
    return ask(query(name, type));
  }

  Message ask(Message query) throws Exception {
    byte[] wire = askRaw(query.toWire());
    return wire == null ? null : new Message(wire);
  }

  /** The response bytes to {@code query}, or null if the engine dropped it. */
  byte[] askRaw(byte[] query) {
    engine.handle(Instant.EPOCH, CLIENT, ByteBuffer.wrap(query));
    Transmit t = engine.pollTransmit();
    if (t == null) {
      return null;
    }
    if (!t.destination().equals(CLIENT)) {
      throw new AssertionError("response sent to " + t.destination());
    }
    byte[] b = new byte[t.payload().remaining()];
    t.payload().get(b);
    return b;
  }
}
