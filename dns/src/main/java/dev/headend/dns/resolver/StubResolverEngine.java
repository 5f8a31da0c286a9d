package dev.headend.dns.resolver;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A stub resolver as a sans-I/O engine: it asks a recursive resolver (unbound, a {@code
 * RecursiveDnsServer}, the ISP's) and hands back the response — what an application such as a mail
 * server needs for its MX lookups.
 *
 * <p>Each query gets a random ID and RD set, and goes to the servers in turn: a timeout, SERVFAIL
 * or REFUSED moves to the next, up to {@code attempts} tries in all; a truncated answer is asked
 * again over TCP ({@link Event.TcpQuery}, carried by the adapter). Responses must match the server,
 * port, ID and question, or they are ignored.
 */
public final class StubResolverEngine implements DatagramEngine<StubResolverEngine.Event> {

  /** What the engine tells its application. */
  public sealed interface Event {
    /**
     * The response to a query (any RCODE: NXDOMAIN is an answer too).
     *
     * @param requestId the id {@link #query} returned
     * @param response the response
     */
    record Answered(long requestId, Message response) implements Event {}

    /**
     * No usable response came.
     *
     * @param requestId the id {@link #query} returned
     * @param reason what happened, for logs
     */
    record Failed(long requestId, String reason) implements Event {}

    /**
     * Send this query over TCP to {@code server} and hand the response back through {@link #handle}
     * as coming from {@code server}; if that fails, do nothing (the deadline moves on).
     *
     * @param server where to connect
     * @param query the query, unframed
     */
    record TcpQuery(InetSocketAddress server, byte[] query) implements Event {}
  }

  private static final class Pending {
    final long requestId;
    final Name name;
    final int type;
    int attempt;
    int id;
    InetSocketAddress server;
    boolean tcp;
    int sends; // which send a deadline belongs to
    boolean done;
    String lastProblem = "no response";

    Pending(long requestId, Name name, int type) {
      this.requestId = requestId;
      this.name = name;
      this.type = type;
    }
  }

  private record Key(InetSocketAddress server, int id) {}

  private record Deadline(Pending pending, long at, int send) {
    boolean stale() {
      return pending.done || send != pending.sends;
    }
  }

  private final List<InetSocketAddress> servers;
  private final long timeoutMillis;
  private final int attempts;
  private final int payloadSize;
  private final RandomGenerator random;
  private final Map<Key, Pending> inFlight = new HashMap<>();
  private final PriorityQueue<Deadline> deadlines =
      new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
  private final ArrayDeque<Transmit> out = new ArrayDeque<>();
  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private long nextId;

  private StubResolverEngine(Builder b) {
    this.servers = List.copyOf(b.servers);
    this.timeoutMillis = b.timeout.toMillis();
    this.attempts = b.attempts;
    this.payloadSize = b.payloadSize;
    this.random = b.random != null ? b.random : new SecureRandom();
  }

  /** A builder asking {@code servers}, in this order. */
  public static Builder builder(List<InetSocketAddress> servers) {
    return new Builder(servers);
  }

  /** Sends a recursive query for {@code name}/{@code type}; the outcome arrives as an event. */
  public long query(Instant now, Name name, int type) {
    Pending p = new Pending(++nextId, Objects.requireNonNull(name, "name"), type);
    send(now, p, false);
    return p.requestId;
  }

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    if (datagram.remaining() < 12) {
      return;
    }
    int id =
        (datagram.get(datagram.position()) & 0xff) << 8
            | datagram.get(datagram.position() + 1) & 0xff;
    Pending p = inFlight.get(new Key(from, id));
    if (p == null) {
      return;
    }
    Message m;
    try {
      byte[] bytes = new byte[datagram.remaining()];
      datagram.duplicate().get(bytes);
      m = new Message(bytes);
    } catch (IOException e) {
      return; // mangled: wait for a good one or the deadline
    }
    Record q = m.getQuestion();
    if (!m.getHeader().getFlag(Flags.QR)
        || q == null
        || q.getType() != p.type
        || !q.getName().equals(p.name)) {
      return;
    }
    inFlight.remove(new Key(from, id));
    if (m.getHeader().getFlag(Flags.TC) && !p.tcp) {
      send(now, p, true); // same server, over TCP
      return;
    }
    int rcode = m.getRcode();
    if ((rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED) && p.attempt < attempts) {
      p.lastProblem = Rcode.string(rcode) + " from " + from;
      send(now, p, false);
      return;
    }
    p.done = true;
    events.add(new Event.Answered(p.requestId, m));
  }

  private void send(Instant now, Pending p, boolean tcp) {
    if (!tcp) {
      p.server = servers.get(p.attempt % servers.size());
      p.attempt++;
    }
    p.tcp = tcp;
    do {
      p.id = random.nextInt(0x10000);
    } while (inFlight.containsKey(new Key(p.server, p.id)));
    Message m = new Message(p.id);
    m.getHeader().setFlag(Flags.RD);
    m.addRecord(Record.newRecord(p.name, p.type, DClass.IN), Section.QUESTION);
    m.addRecord(new OPTRecord(payloadSize, 0, 0), Section.ADDITIONAL);
    byte[] wire = m.toWire();
    inFlight.put(new Key(p.server, p.id), p);
    deadlines.add(new Deadline(p, now.toEpochMilli() + timeoutMillis * (tcp ? 2 : 1), ++p.sends));
    if (tcp) {
      events.add(new Event.TcpQuery(p.server, wire));
    } else {
      out.add(new Transmit(p.server, ByteBuffer.wrap(wire)));
    }
  }

  @Override
  public Transmit pollTransmit() {
    return out.poll();
  }

  @Override
  public Instant pollTimeout() {
    Deadline head;
    while ((head = deadlines.peek()) != null && head.stale()) {
      deadlines.poll();
    }
    return head == null ? null : Instant.ofEpochMilli(head.at);
  }

  @Override
  public void handleTimeout(Instant now) {
    long t = now.toEpochMilli();
    Deadline d;
    while ((d = deadlines.peek()) != null && d.at <= t) {
      deadlines.poll();
      if (d.stale()) {
        continue; // answered, or sent again since
      }
      Pending p = d.pending;
      inFlight.remove(new Key(p.server, p.id));
      p.lastProblem = "no response from " + p.server + (p.tcp ? " over TCP" : "");
      if (p.attempt < attempts) {
        send(now, p, false);
      } else {
        p.done = true;
        events.add(new Event.Failed(p.requestId, p.lastProblem + " after " + p.attempt + " tries"));
      }
    }
  }

  @Override
  public Event pollEvent() {
    return events.poll();
  }

  /** Configures a {@link StubResolverEngine}. */
  public static final class Builder {
    private final List<InetSocketAddress> servers;
    private Duration timeout = Duration.ofSeconds(2);
    private int attempts = 4;
    private int payloadSize = 1232;
    private RandomGenerator random;

    private Builder(List<InetSocketAddress> servers) {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("a stub resolver needs at least one server");
      }
      this.servers = servers;
    }

    /** How long to wait for each answer. Default: 2 s (TCP: twice that). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Tries in all, across the servers in turn. Default: 4. */
    public Builder attempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("attempts must be >= 1: " + n);
      }
      this.attempts = n;
      return this;
    }

    /** EDNS payload size offered. Default: 1232. */
    public Builder payloadSize(int bytes) {
      this.payloadSize = bytes;
      return this;
    }

    /** Where query IDs come from. Default: a {@link SecureRandom}. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** The engine. */
    public StubResolverEngine build() {
      return new StubResolverEngine(this);
    }
  }
}
