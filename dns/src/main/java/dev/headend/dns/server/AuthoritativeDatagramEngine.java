package dev.headend.dns.server;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.dns.wire.DnsQuery;
import dev.headend.dns.wire.MalformedDnsMessageException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One UDP socket's worth of an {@link AuthoritativeServer}: datagrams in, responses out.
 * Single-threaded, like every engine; run one per socket (several sockets may share a port with
 * SO_REUSEPORT and one server).
 *
 * <p>{@link #handle} only reads the query into a reusable slot; {@link #pollTransmit(ByteBuffer)}
 * answers it straight into the caller's buffer, so a query costs no allocation beyond the adapter's
 * source address. Up to {@value #QUEUE} queries wait between the two; more are dropped (and
 * counted), as a router drops packets, which a client's retry covers.
 *
 * <p>A datagram with an unreadable header, or with QR set, is dropped; one whose header reads but
 * whose body does not gets FORMERR. No events are raised ({@link #pollEvent()} is always null).
 */
public final class AuthoritativeDatagramEngine implements DatagramEngine<DnsServerEvent> {
  static final int QUEUE = 256;

  private static final class Slot {
    final DnsQuery query = new DnsQuery();
    InetSocketAddress from;
    boolean malformed;
  }

  private final AuthoritativeServer server;
  private final Slot[] ring = new Slot[QUEUE];
  private final byte[] scratch = new byte[255];
  private int head;
  private int size;

  AuthoritativeDatagramEngine(AuthoritativeServer server) {
    this.server = server;
    for (int i = 0; i < QUEUE; i++) {
      ring[i] = new Slot();
    }
  }

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    if (size == QUEUE) {
      server.countDropped();
      return;
    }
    Slot s = ring[(head + size) % QUEUE];
    try {
      s.query.read(datagram);
      s.malformed = false;
    } catch (MalformedDnsMessageException e) {
      s.malformed = true;
    }
    s.from = from;
    size++;
  }

  @Override
  public InetSocketAddress pollTransmit(ByteBuffer out) {
    while (size > 0) {
      Slot s = ring[head];
      head = (head + 1) % QUEUE;
      size--;
      int start = out.position();
      int max = s.query.headerRead() ? s.query.maxUdpResponse(server.udpPayloadSize()) : 0;
      AuthoritativeServer.Outcome outcome =
          server.answer(s.query, s.malformed, scratch, out, max, false);
      InetSocketAddress to = s.from;
      s.from = null;
      if (outcome == AuthoritativeServer.Outcome.ANSWERED) {
        return to;
      }
      out.position(start);
    }
    return null;
  }

  @Override
  public Transmit pollTransmit() {
    ByteBuffer out = ByteBuffer.allocate(65_535);
    InetSocketAddress to = pollTransmit(out);
    return to == null ? null : new Transmit(to, out.flip());
  }

  @Override
  public Instant pollTimeout() {
    return null;
  }

  @Override
  public void handleTimeout(Instant now) {}

  @Override
  public DnsServerEvent pollEvent() {
    return null;
  }
}
