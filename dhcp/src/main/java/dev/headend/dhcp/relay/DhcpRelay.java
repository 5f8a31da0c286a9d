package dev.headend.dhcp.relay;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.dhcp.wire.RelayAgentInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A sans-I/O DHCP relay agent (RFC 1542 §4, RFC 2131 §4.1, RFC 3046) for one client link.
 *
 * <pre>{@code
 * DhcpRelay relay = DhcpRelay.builder(Ipv4Address.parse("10.99.0.1")) // our address on the link
 *     .server(new InetSocketAddress("10.99.1.2", 67))
 *     .circuitId("eth0".getBytes(StandardCharsets.US_ASCII))
 *     .build();
 * }</pre>
 *
 * <p><b>Requests</b> (BOOTREQUEST, from the client link): dropped when {@code hops} already exceeds
 * {@link Builder#maxHops}; otherwise {@code hops} is incremented, {@code giaddr} set to the link
 * address when zero (a non-zero one, from a relay nearer the client, is kept), option 82 with the
 * configured circuit and remote ids appended when absent, and the result unicast to every
 * configured server. A request that already carries option 82 with {@code giaddr} zero comes from
 * an untrusted client; it is dropped (RFC 3046 §2.1) unless {@link Builder#trustOption82} is on, in
 * which case it is forwarded with its option 82 untouched.
 *
 * <p><b>Replies</b> (BOOTREPLY, from a configured server, with {@code giaddr} ours): option 82 is
 * removed and the reply goes to the client: to {@code ciaddr} when set, else broadcast when the
 * broadcast flag is set or the reply is a NAK, else (like the server engine, since a plain socket
 * cannot add an ARP entry) broadcast too unless {@link Builder#unicastToNewAddress} is on.
 *
 * <p>Nothing a peer sends is thrown back at the caller: it becomes a {@link
 * DhcpRelayEvent.Dropped}. The relay keeps no per-client state; its queues are capped.
 */
public final class DhcpRelay implements DatagramEngine<DhcpRelayEvent> {
  private final Ipv4Address linkAddress;
  private final List<InetSocketAddress> servers;
  private final byte[] circuitId;
  private final byte[] remoteId;
  private final int maxHops;
  private final boolean trustOption82;
  private final boolean unicastToNewAddress;
  private final int clientPort;
  private final InetSocketAddress clientBroadcast;
  private final int maxQueued;

  private final ArrayDeque<Transmit> outbox = new ArrayDeque<>();
  private final ArrayDeque<DhcpRelayEvent> events = new ArrayDeque<>();
  private long lostEvents;

  private DhcpRelay(Builder b) {
    this.linkAddress = b.linkAddress;
    this.servers = List.copyOf(b.servers);
    this.circuitId = b.circuitId;
    this.remoteId = b.remoteId;
    this.maxHops = b.maxHops;
    this.trustOption82 = b.trustOption82;
    this.unicastToNewAddress = b.unicastToNewAddress;
    this.clientPort = b.clientPort;
    this.clientBroadcast =
        b.clientBroadcast != null
            ? b.clientBroadcast
            : new InetSocketAddress(Ipv4Address.BROADCAST.toInetAddress(), b.clientPort);
    this.maxQueued = b.maxQueued;
  }

  /**
   * A builder for a relay whose address on the client link is {@code linkAddress} (the {@code
   * giaddr} it sets, where servers send their replies).
   */
  public static Builder builder(Ipv4Address linkAddress) {
    return new Builder(linkAddress);
  }

  /** Events dropped because the application did not poll them (the queue is capped). */
  public long lostEvents() {
    return lostEvents;
  }

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    try {
      DhcpMessage m;
      try {
        m = DhcpCodec.decode(datagram);
      } catch (MalformedDhcpMessageException e) {
        drop(from, "malformed: " + e.getMessage());
        return;
      }
      if (outbox.size() + servers.size() > maxQueued) {
        drop(from, "backlog");
        return;
      }
      if (m.op() == DhcpMessage.BOOTREQUEST) {
        request(from, m);
      } else if (m.op() == DhcpMessage.BOOTREPLY) {
        reply(from, m);
      } else {
        drop(from, "op " + m.op());
      }
    } catch (MalformedDhcpMessageException e) {
      drop(from, "malformed option: " + e.getMessage());
    } catch (RuntimeException e) {
      drop(from, "internal error: " + e);
    }
  }

  private void request(InetSocketAddress from, DhcpMessage m) throws MalformedDhcpMessageException {
    if (m.hops() >= maxHops) {
      drop(from, "hops " + m.hops() + " reached the limit " + maxHops);
      return;
    }
    boolean has82 = m.hasOption(DhcpOption.RELAY_AGENT_INFORMATION.code());
    boolean giaddrZero = m.giaddr().value() == 0;
    if (has82 && giaddrZero && !trustOption82) {
      drop(from, "option 82 from an untrusted client (giaddr 0)");
      return;
    }
    DhcpMessage.Builder b = m.toBuilder().hops(m.hops() + 1);
    if (giaddrZero) {
      b.giaddr(linkAddress);
    }
    if (!has82 && (circuitId != null || remoteId != null)) {
      RelayAgentInfo.Builder info = RelayAgentInfo.builder();
      if (circuitId != null) {
        info.circuitId(circuitId);
      }
      if (remoteId != null) {
        info.remoteId(remoteId);
      }
      b.relayAgentInfo(info.build());
    }
    byte[] out = b.build().encode();
    for (InetSocketAddress s : servers) {
      outbox.add(new Transmit(s, ByteBuffer.wrap(out).asReadOnlyBuffer()));
    }
    event(new DhcpRelayEvent.ToServers(m.xid(), servers));
  }

  private void reply(InetSocketAddress from, DhcpMessage m) throws MalformedDhcpMessageException {
    if (!fromServer(from)) {
      drop(from, "reply from a source that is not a configured server");
      return;
    }
    if (!m.giaddr().equals(linkAddress)) {
      drop(from, "reply for giaddr " + m.giaddr() + ", not ours");
      return;
    }
    DhcpMessage out =
        m.hasOption(DhcpOption.RELAY_AGENT_INFORMATION.code())
            ? m.toBuilder().remove(DhcpOption.RELAY_AGENT_INFORMATION.code()).build()
            : m;
    boolean nak = m.messageType().map(t -> t == DhcpMessageType.NAK).orElse(false);
    InetSocketAddress to;
    if (m.ciaddr().value() != 0 && !nak) {
      to = new InetSocketAddress(m.ciaddr().toInetAddress(), clientPort);
    } else if (m.broadcast() || nak || !unicastToNewAddress || m.yiaddr().value() == 0) {
      to = clientBroadcast;
    } else {
      to = new InetSocketAddress(m.yiaddr().toInetAddress(), clientPort);
    }
    outbox.add(new Transmit(to, ByteBuffer.wrap(out.encode())));
    event(new DhcpRelayEvent.ToClient(m.xid(), to));
  }

  private boolean fromServer(InetSocketAddress from) {
    if (from == null) {
      return false;
    }
    for (InetSocketAddress s : servers) {
      if (s.getAddress().equals(from.getAddress())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Transmit pollTransmit() {
    return outbox.poll();
  }

  @Override
  public Instant pollTimeout() {
    return null;
  }

  @Override
  public void handleTimeout(Instant now) {
    // no timers: the relay keeps no state
  }

  @Override
  public DhcpRelayEvent pollEvent() {
    return events.poll();
  }

  private void drop(InetSocketAddress from, String reason) {
    event(new DhcpRelayEvent.Dropped(from, reason));
  }

  private void event(DhcpRelayEvent e) {
    if (events.size() >= maxQueued) {
      events.poll();
      lostEvents++;
    }
    events.add(e);
  }

  /** Configures a {@link DhcpRelay}. */
  public static final class Builder {
    private final Ipv4Address linkAddress;
    private final List<InetSocketAddress> servers = new ArrayList<>();
    private byte[] circuitId;
    private byte[] remoteId;
    private int maxHops = 4;
    private boolean trustOption82;
    private boolean unicastToNewAddress;
    private int clientPort = 68;
    private InetSocketAddress clientBroadcast;
    private int maxQueued = 4096;

    private Builder(Ipv4Address linkAddress) {
      this.linkAddress = Objects.requireNonNull(linkAddress, "linkAddress");
      if (linkAddress.value() == 0 || linkAddress.isBroadcast()) {
        throw new IllegalArgumentException("not a unicast address: " + linkAddress);
      }
    }

    /** A server to relay to (at least one). Requests go to each; replies are taken from each. */
    public Builder server(InetSocketAddress server) {
      Objects.requireNonNull(server, "server");
      if (server.getAddress() == null) {
        throw new IllegalArgumentException("unresolved: " + server);
      }
      servers.add(server);
      return this;
    }

    /** Circuit id (option 82 sub-option 1) to add. Default: none. */
    public Builder circuitId(byte[] id) {
      this.circuitId = checked(id);
      return this;
    }

    /** Remote id (option 82 sub-option 2) to add. Default: none. */
    public Builder remoteId(byte[] id) {
      this.remoteId = checked(id);
      return this;
    }

    private static byte[] checked(byte[] id) {
      if (id.length < 1 || id.length > 255) {
        throw new IllegalArgumentException("sub-option length out of 1-255: " + id.length);
      }
      return Arrays.copyOf(id, id.length);
    }

    /** Requests with at least this many hops are dropped (RFC 1542 §4.1.1). Default 4, max 16. */
    public Builder maxHops(int max) {
      if (max < 1 || max > 16) {
        throw new IllegalArgumentException("max hops out of 1-16: " + max);
      }
      this.maxHops = max;
      return this;
    }

    /**
     * Forward requests that arrive with option 82 and {@code giaddr} 0 (RFC 3046 §2.1: only from a
     * trusted circuit). Default false: they are dropped.
     */
    public Builder trustOption82(boolean on) {
      this.trustOption82 = on;
      return this;
    }

    /**
     * Unicast replies without the broadcast flag to {@code yiaddr} (needs an ARP-capable adapter).
     */
    public Builder unicastToNewAddress(boolean on) {
      this.unicastToNewAddress = on;
      return this;
    }

    /** The clients' port. Default 68. */
    public Builder clientPort(int port) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.clientPort = port;
      return this;
    }

    /** Where broadcast replies go. Default 255.255.255.255 at the client port; for tests. */
    public Builder clientBroadcast(InetSocketAddress address) {
      this.clientBroadcast = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Cap on queued datagrams and events. Default 4096. */
    public Builder maxQueued(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("must be positive: " + max);
      }
      this.maxQueued = max;
      return this;
    }

    /** The relay. */
    public DhcpRelay build() {
      if (servers.isEmpty()) {
        throw new IllegalStateException("no server configured");
      }
      return new DhcpRelay(this);
    }
  }
}
