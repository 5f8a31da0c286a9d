package dev.headend.dns.server;

import dev.headend.core.net.IpAddress;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.IpPrefixMap;
import dev.headend.dns.wire.DnsQuery;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server's answering logic, shared by any number of engines: one {@link
 * AuthoritativeDatagramEngine} per UDP socket and one {@link AuthoritativeStreamEngine} per TCP
 * connection. Thread-safe; the zones can be replaced while it serves.
 *
 * <p>Responses are precomputed per name and type when zones are loaded, in wire form; a query costs
 * a header parse, a few hash lookups on the query name's bytes, and a copy with the ID, flags and
 * question patched in. No dnsjava {@code Message} is built on that path.
 *
 * <pre>{@code
 * AuthoritativeServer server = AuthoritativeServer.builder()
 *     .zones(ZoneSet.of(Zone.parse(Path.of("example.test.zone"), Name.fromString("example.test."))))
 *     .allowTransfer(IpPrefix.parse("127.0.0.0/8"))
 *     .build();
 * try (DnsServer udpAndTcp = DnsServer.builder(server).bind(address).start()) { ... }
 * }</pre>
 *
 * <p>What it answers: QUERY opcode only (others NOTIMP); exactly one question (else FORMERR); EDNS
 * version 0 (else BADVERS, RFC 6891 §6.1.3); class IN or ANY (else REFUSED); names outside its
 * zones REFUSED; AXFR and IXFR (answered with the full zone, RFC 1995 §4) over TCP to allowed
 * clients only. Queries with QR set are dropped, never answered, so two servers cannot ping-pong.
 */
public final class AuthoritativeServer {
  /**
   * UDP payload size advertised by default: fits unfragmented on almost any path (DNS Flag Day
   * 2020).
   */
  public static final int DEFAULT_UDP_PAYLOAD = 1232;

  private record Catalog(ZoneSet zones, NameTable<PreparedZone> byOrigin, int maxOriginLabels) {}

  enum Outcome {
    ANSWERED,
    DROPPED,
    TRANSFER
  }

  private volatile Catalog catalog;
  private final IpPrefixMap<Boolean> transferClients;
  private final int udpPayloadSize;
  private final LongAdder queries = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder[] rcodes = new LongAdder[24];

  private AuthoritativeServer(Builder b) {
    this.transferClients = b.transfer.build();
    this.udpPayloadSize = b.udpPayloadSize;
    for (int i = 0; i < rcodes.length; i++) {
      rcodes[i] = new LongAdder();
    }
    replaceZones(b.zones);
  }

  /** A builder: no zones, no transfer clients, 1232-byte UDP payload. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prepares {@code zones} (precomputing their responses) and then makes them current in one step:
   * a query is answered wholly from the old set or wholly from the new.
   */
  public void replaceZones(ZoneSet zones) {
    List<Name> origins = new ArrayList<>();
    List<PreparedZone> prepared = new ArrayList<>();
    int maxLabels = 0;
    for (Zone z : zones.zones()) {
      origins.add(z.origin());
      prepared.add(new PreparedZone(z));
      maxLabels = Math.max(maxLabels, z.origin().labels());
    }
    catalog =
        new Catalog(
            zones,
            new NameTable<>(origins.toArray(new Name[0]), prepared.toArray(new PreparedZone[0])),
            maxLabels);
  }

  /** The zones being served. */
  public ZoneSet zones() {
    return catalog.zones;
  }

  /** The UDP payload size this server advertises in OPT and caps UDP responses to. */
  public int udpPayloadSize() {
    return udpPayloadSize;
  }

  /** A new engine for one UDP socket. */
  public AuthoritativeDatagramEngine newDatagramEngine() {
    return new AuthoritativeDatagramEngine(this);
  }

  /** A new engine for one TCP connection from {@code peer}. */
  public AuthoritativeStreamEngine newStreamEngine(InetSocketAddress peer) {
    return new AuthoritativeStreamEngine(this, peer);
  }

  /**
   * Counters since the server was built.
   *
   * @param queries messages received
   * @param dropped messages not answered (responses, unreadable headers, full queues)
   * @param truncated UDP responses sent with TC
   * @param responsesByRcode responses sent, by RCODE mnemonic
   */
  public record Statistics(
      long queries, long dropped, long truncated, Map<String, Long> responsesByRcode) {}

  /** A snapshot of the counters. */
  public Statistics statistics() {
    Map<String, Long> byRcode = new LinkedHashMap<>();
    for (int i = 0; i < rcodes.length; i++) {
      long n = rcodes[i].sum();
      if (n > 0) {
        byRcode.put(Rcode.string(i), n);
      }
    }
    return new Statistics(queries.sum(), dropped.sum(), truncated.sum(), byRcode);
  }

  // ---- answering (engines call these on their own threads) ------------------------------------

  /**
   * Answers one query into {@code out}, at most {@code maxSize} bytes.
   *
   * @param malformed whether {@code q.read} failed (then only the header is valid)
   * @param scratch at least 255 bytes the caller owns
   */
  Outcome answer(
      DnsQuery q, boolean malformed, byte[] scratch, ByteBuffer out, int maxSize, boolean tcp) {
    queries.increment();
    if (!q.headerRead() || q.isResponse()) {
      dropped.increment();
      return Outcome.DROPPED;
    }
    if (malformed) {
      return error(q, Rcode.FORMERR, false, out);
    }
    if (q.opcode() != 0) {
      return error(q, Rcode.NOTIMP, true, out);
    }
    if (q.questionCount() != 1) {
      return error(q, Rcode.FORMERR, false, out);
    }
    if (q.hasEdns() && q.ednsVersion() > 0) {
      return error(q, ResponseWriter.RCODE_BADVERS, true, out);
    }
    int qtype = q.qtype();
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      return tcp ? Outcome.TRANSFER : error(q, Rcode.REFUSED, true, out);
    }
    if (qtype == Type.OPT || qtype == Type.TSIG || qtype == Type.TKEY) {
      return error(q, Rcode.FORMERR, true, out);
    }
    if (qtype == Type.MAILA || qtype == Type.MAILB) {
      return error(q, Rcode.NOTIMP, true, out);
    }
    if (q.qclass() != DClass.IN && q.qclass() != DClass.ANY) {
      return error(q, Rcode.REFUSED, true, out);
    }
    int length = q.qname(scratch, 0);
    PreparedZone zone = zoneFor(scratch, length);
    if (zone == null) {
      return error(q, Rcode.REFUSED, true, out);
    }
    Body body = zone.lookup(scratch, length, qtype);
    if (ResponseWriter.write(q, body, out, maxSize, udpPayloadSize)) {
      truncated.increment();
    }
    rcodes[body.rcode].increment();
    return Outcome.ANSWERED;
  }

  /** The zone whose origin is the longest suffix of the name, or null. */
  PreparedZone zoneFor(byte[] name, int length) {
    Catalog c = catalog;
    int offset = 0;
    int labels = 1;
    for (int i = 0; i < length - 1; i += 1 + (name[i] & 0xff)) {
      labels++;
    }
    while (true) {
      if (labels <= c.maxOriginLabels) {
        PreparedZone z = c.byOrigin.get(name, offset, length - offset);
        if (z != null) {
          return z;
        }
      }
      if (offset >= length - 1) {
        return null;
      }
      offset += 1 + (name[offset] & 0xff);
      labels--;
    }
  }

  /** The zone with exactly this origin, for a transfer, or null. */
  PreparedZone zoneAt(Name origin) {
    return catalog.byOrigin.get(origin);
  }

  boolean transferAllowed(InetSocketAddress peer) {
    return transferClients.matches(IpAddress.of(peer.getAddress()));
  }

  void countError(int rcode) {
    rcodes[rcode].increment();
  }

  void countDropped() {
    dropped.increment();
  }

  private Outcome error(DnsQuery q, int rcode, boolean echoQuestion, ByteBuffer out) {
    ResponseWriter.writeError(q, rcode, echoQuestion, out, udpPayloadSize);
    rcodes[rcode].increment();
    return Outcome.ANSWERED;
  }

  /** Configures an {@link AuthoritativeServer}. */
  public static final class Builder {
    private ZoneSet zones = ZoneSet.of();
    private final IpPrefixMap.Builder<Boolean> transfer = IpPrefixMap.builder();
    private int udpPayloadSize = DEFAULT_UDP_PAYLOAD;

    private Builder() {}

    /** The zones to serve. Default: none (every query REFUSED). */
    public Builder zones(ZoneSet zones) {
      this.zones = Objects.requireNonNull(zones, "zones");
      return this;
    }

    /** Lets clients in {@code prefix} transfer zones (AXFR/IXFR over TCP). Default: nobody. */
    public Builder allowTransfer(IpPrefix prefix) {
      transfer.put(prefix, Boolean.TRUE);
      return this;
    }

    /** The UDP payload size to advertise and cap responses to, 512-4096. Default: 1232. */
    public Builder udpPayloadSize(int bytes) {
      if (bytes < 512 || bytes > 4096) {
        throw new IllegalArgumentException("udpPayloadSize must be 512..4096: " + bytes);
      }
      this.udpPayloadSize = bytes;
      return this;
    }

    /** Prepares the zones and returns the server. */
    public AuthoritativeServer build() {
      return new AuthoritativeServer(this);
    }
  }
}
