package dev.headend.dns.server;

import dev.headend.core.StreamEngine;
import dev.headend.dns.wire.DnsQuery;
import dev.headend.dns.wire.DnsTcpFramer;
import dev.headend.dns.wire.MalformedDnsMessageException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One TCP connection's worth of an {@link AuthoritativeServer} (RFC 7766): length-framed queries
 * in, framed responses out, in order, any number per connection; zone transfers (AXFR, and IXFR
 * answered in full) streamed one message at a time as the peer reads them, so a large zone never
 * sits in memory as a whole response.
 *
 * <p>While {@value #MAX_QUEUED} responses wait to be written, or a transfer is under way, it reads
 * no further queries: a peer that pipelines without reading is pushed back, not buffered. A stream
 * that cannot be framed, or a message whose header cannot be read, ends the connection. The
 * connection closes once the peer has finished sending and everything is written.
 */
public final class AuthoritativeStreamEngine implements StreamEngine<DnsServerEvent> {
  static final int MAX_QUEUED = 16;
  private static final int TCP_MAX = DnsTcpFramer.MAX_MESSAGE;

  private final AuthoritativeServer server;
  private final InetSocketAddress peer;
  private final DnsTcpFramer framer = new DnsTcpFramer();
  private final DnsQuery query = new DnsQuery();
  private final byte[] scratch = new byte[255];
  private final ByteBuffer work = ByteBuffer.allocate(2 + TCP_MAX);
  private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
  private final ArrayDeque<DnsServerEvent> events = new ArrayDeque<>();
  private ZoneTransfer transfer;
  private boolean inputEnded;
  private boolean closed;

  AuthoritativeStreamEngine(AuthoritativeServer server, InetSocketAddress peer) {
    this.server = server;
    this.peer = peer;
  }

  @Override
  public void receive(Instant now, ByteBuffer bytes) {
    while (!closed && transfer == null && output.size() < MAX_QUEUED) {
      ByteBuffer message;
      try {
        message = framer.next(bytes);
      } catch (MalformedDnsMessageException e) {
        fail(e.getMessage());
        return;
      }
      if (message == null) {
        return;
      }
      answer(message);
    }
  }

  private void answer(ByteBuffer message) {
    boolean malformed = false;
    try {
      query.read(message);
    } catch (MalformedDnsMessageException e) {
      malformed = true;
      if (!query.headerRead()) {
        fail(e.getMessage());
        return;
      }
    }
    work.clear().position(2);
    AuthoritativeServer.Outcome outcome =
        server.answer(query, malformed, scratch, work, TCP_MAX, true);
    switch (outcome) {
      case ANSWERED -> output.add(frame(work));
      case TRANSFER -> startTransfer();
      case DROPPED -> {}
    }
  }

  private void startTransfer() {
    PreparedZone zone = server.zoneAt(query.name());
    String refusal =
        zone == null
            ? "not authoritative for this zone"
            : server.transferAllowed(peer) ? null : "client not allowed to transfer";
    if (refusal != null) {
      events.add(new DnsServerEvent.TransferRefused(peer, query.name(), refusal));
      work.clear().position(2);
      ResponseWriter.writeError(
          query,
          zone == null ? org.xbill.DNS.Rcode.NOTAUTH : org.xbill.DNS.Rcode.REFUSED,
          true,
          work,
          server.udpPayloadSize());
      server.countError(zone == null ? org.xbill.DNS.Rcode.NOTAUTH : org.xbill.DNS.Rcode.REFUSED);
      output.add(frame(work));
      return;
    }
    transfer = new ZoneTransfer(zone.zone, query);
  }

  /** The response in {@code work} (from offset 2) with its length prefix, in an exact-size copy. */
  private static ByteBuffer frame(ByteBuffer work) {
    int length = work.position() - 2;
    work.putShort(0, (short) length);
    return ByteBuffer.wrap(Arrays.copyOf(work.array(), length + 2));
  }

  private void fail(String reason) {
    events.add(new DnsServerEvent.StreamClosed(peer, reason));
    closed = true;
  }

  @Override
  public void endOfInput() {
    inputEnded = true;
  }

  @Override
  public DnsServerEvent nextEvent() {
    return events.poll();
  }

  @Override
  public ByteBuffer pollOutput() {
    ByteBuffer next = output.poll();
    if (next != null) {
      return next;
    }
    if (transfer != null) {
      byte[] message = transfer.next();
      if (message != null) {
        return DnsTcpFramer.framed(message);
      }
      events.add(
          new DnsServerEvent.TransferSent(
              peer,
              transfer.zone().origin(),
              transfer.zone().serial(),
              transfer.records(),
              transfer.messages()));
      transfer = null;
    }
    return null;
  }

  @Override
  public Instant pollTimeout() {
    return null;
  }

  @Override
  public void handleTimeout(Instant now) {}

  @Override
  public boolean isClosed() {
    return closed || (inputEnded && output.isEmpty() && transfer == null);
  }
}
