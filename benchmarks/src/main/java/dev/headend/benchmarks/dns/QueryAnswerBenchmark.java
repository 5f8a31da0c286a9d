package dev.headend.benchmarks.dns;

import dev.headend.dns.server.AuthoritativeDatagramEngine;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.Zone;
import dev.headend.dns.server.ZoneSet;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Type;

/**
 * An authoritative answer from query bytes to response bytes, one query at a time, no sockets:
 *
 * <ul>
 *   <li>headend: {@link AuthoritativeDatagramEngine#handle} then {@code pollTransmit(buffer)};
 *   <li>dnsjava: {@code new Message(bytes)}, lookup in dnsjava's own {@code Zone}, a response
 *       {@code Message} built from the result, {@code toWire(maxSize)} — what a dnsjava-based
 *       server does (jnamed's approach).
 * </ul>
 *
 * Both answer the same query from the same zone; setup checks that the responses carry the same
 * records. Queries carry EDNS, as most do today.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueryAnswerBenchmark {
  private static final String ZONE =
      String.join(
          "\n",
          "$ORIGIN example.test.",
          "$TTL 300",
          "@ SOA ns1 hostmaster 1 1800 900 604800 60",
          "@ NS ns1",
          "ns1 A 192.0.2.1",
          "@ MX 10 mail",
          "mail A 192.0.2.12",
          "www A 192.0.2.11",
          "www AAAA 2001:db8::11",
          "");
  private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.200", 40000);

  /** The query: a positive A answer, an MX with additional data, or a name that does not exist. */
  @Param({"www.example.test. A", "example.test. MX", "nope.example.test. A"})
  public String query;

  private AuthoritativeDatagramEngine engine;
  private org.xbill.DNS.Zone dnsjavaZone;
  private byte[] wire;
  private final ByteBuffer out = ByteBuffer.allocateDirect(65_535);

  /** Loads the zone into both implementations and checks that they agree on the answer. */
  @Setup
  public void setUp() throws Exception {
    Name origin = Name.fromString("example.test.");
    Zone zone = Zone.fromText(origin, ZONE);
    engine = AuthoritativeServer.builder().zones(ZoneSet.of(zone)).build().newDatagramEngine();
    dnsjavaZone = new org.xbill.DNS.Zone(origin, zone.records().toArray(new Record[0]));
    String[] q = query.split(" ");
    Message m =
        Message.newQuery(Record.newRecord(Name.fromString(q[0]), Type.value(q[1]), DClass.IN));
    m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    wire = m.toWire();
    Message ours = new Message(Arrays.copyOf(headendBytes(), out.position()));
    Message theirs = new Message(dnsjava());
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      if (!ours.getSection(section).equals(theirs.getSection(section))) {
        throw new IllegalStateException(
            "the implementations disagree on " + query + ":\n" + ours + "\n" + theirs);
      }
    }
  }

  private byte[] headendBytes() {
    headend();
    byte[] b = new byte[out.position()];
    out.flip();
    out.get(b);
    out.position(b.length);
    return b;
  }

  /** headend: read the query, answer from precomputed wire data into a buffer. */
  @Benchmark
  public ByteBuffer headend() {
    engine.handle(Instant.EPOCH, CLIENT, ByteBuffer.wrap(wire));
    out.clear();
    engine.pollTransmit(out);
    return out;
  }

  /** dnsjava: parse, look up in its Zone, build a response Message, encode. */
  @Benchmark
  public byte[] dnsjava() throws Exception {
    Message q = new Message(wire);
    Record question = q.getQuestion();
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.AA);
    r.addRecord(question, Section.QUESTION);
    SetResponse sr = dnsjavaZone.findRecords(question.getName(), question.getType());
    if (sr.isSuccessful()) {
      sr.answers().forEach(set -> set.rrs(false).forEach(rec -> r.addRecord(rec, Section.ANSWER)));
    } else {
      if (sr.isNXDOMAIN()) {
        r.getHeader().setRcode(org.xbill.DNS.Rcode.NXDOMAIN);
      }
      r.addRecord(dnsjavaZone.getSOA(), Section.AUTHORITY);
    }
    r.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    return r.toWire(q.getOPT() == null ? 512 : 1232);
  }
}
