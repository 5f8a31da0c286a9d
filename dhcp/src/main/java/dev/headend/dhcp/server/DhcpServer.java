package dev.headend.dhcp.server;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.ClientId;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.dhcp.wire.RelayAgentInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/**
 * A sans-I/O DHCPv4 server (RFC 2131 §4.3): DISCOVER → OFFER; REQUEST in the SELECTING,
 * INIT-REBOOT, RENEWING and REBINDING states → ACK or NAK; DECLINE; RELEASE; INFORM. Drive it with
 * {@link dev.headend.core.transport.DatagramEndpoint} or {@code DhcpUdpServer}, or by hand.
 *
 * <pre>{@code
 * DhcpServer server = DhcpServer.builder(Ipv4Address.parse("10.99.0.1"))
 *     .subnet(Subnet.builder(IpPrefix.parse("10.99.0.0/24"))
 *         .pool(Ipv4Address.parse("10.99.0.100"), Ipv4Address.parse("10.99.0.199"))
 *         .options(OptionSet.builder().routers(List.of(Ipv4Address.parse("10.99.0.1"))).build())
 *         .build())
 *     .leaseStore(LeaseStore.journal(Path.of("/var/lib/headend/dhcp")))
 *     .build();
 * server.handle(now, from, datagram);
 * for (InetSocketAddress to; (to = server.pollTransmit(buffer)) != null; ) send(buffer, to);
 * }</pre>
 *
 * <p><b>Durability.</b> Every binding change goes to the {@link LeaseStore} as it happens; before
 * the first DHCPACK that depends on a change leaves {@code pollTransmit} (or a {@link
 * DhcpServerEvent.Leased} leaves {@code pollEvent}), the server calls {@link LeaseStore#sync()}.
 * Changes from a batch of datagrams handled between two polls are synced together. If the store
 * fails, those ACKs are withheld and reported as {@link DropReason#STORE_FAILED}. With {@link
 * #forceAsync} the wait for the disk moves off the server's thread: the batch's changes are written
 * ({@link LeaseStore#write()}) and its ACKs held back, while datagrams that arrive in the meantime
 * are served, until a {@link LeaseStore#force()} that began after the write has completed; the
 * changes of every batch written while one force runs share the next (group commit).
 *
 * <p><b>Where replies go</b> (RFC 2131 §4.1): to the relay ({@code giaddr}, server port) when
 * relayed; else to {@code ciaddr} when set; else broadcast (255.255.255.255) when the client set
 * the broadcast flag — and a DHCPNAK always. Otherwise RFC 2131 asks for a unicast to {@code
 * yiaddr} at {@code chaddr}, which needs an ARP entry that a sans-I/O engine cannot make: by
 * default such replies are broadcast too; {@link Builder#unicastToNewAddress(boolean)} turns on the
 * unicast for adapters that can deliver it.
 *
 * <p><b>Limits.</b> One outstanding offer per client (repeated DISCOVERs refresh it), at most
 * {@link Builder#maxOffers} in all and {@link Builder#maxOffersPerCircuit} through one relay
 * circuit (option 82 circuit id); queued replies and events are capped. Nothing a peer sends is
 * thrown back at the caller: it becomes a {@link DhcpServerEvent.Dropped} with a {@link
 * DropReason}.
 */
public final class DhcpServer implements DatagramEngine<DhcpServerEvent> {
  private static final int DEFAULT_MAX_MESSAGE = 576 - 28;
  private static final int MAX_REPLY = 1500 - 28;

  private final Ipv4Address serverId;
  private final List<Subnet> subnets;
  private final Subnet direct;
  private final LeaseStore store;
  private final long offerHoldMillis;
  private final long quarantineMillis;
  private final int maxOffers;
  private final int maxOffersPerCircuit;
  private final int maxQueued;
  private final int serverPort;
  private final int clientPort;
  private final boolean unicastToNewAddress;
  private final boolean replyToSource;
  private final boolean authoritative;

  private final Map<Integer, Lease> byAddress = new HashMap<>();
  private final Map<ClientKey, Integer> latest = new HashMap<>();
  private final Map<ClientKey, Offer> offers = new HashMap<>();
  private final Map<Integer, Offer> offered = new HashMap<>();
  private final Map<Circuit, Integer> offersPerCircuit = new HashMap<>();
  private final Map<Subnet, PoolState> pools = new HashMap<>();
  private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
  private final Map<Object, Long> scheduled = new HashMap<>();

  private final ArrayDeque<Outgoing> outbox = new ArrayDeque<>();
  private final ArrayDeque<DhcpServerEvent> events = new ArrayDeque<>();
  private final List<DhcpServerEvent> unsyncedEvents = new ArrayList<>();
  private boolean dirty;

  // forceAsync: replies and events waiting for a force, in the order they were written
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private Executor forceExecutor;
  private Runnable forceDone;
  private long written; // batches written that need a force
  private long forcing = -1; // the batch the running force covers; -1 when none runs
  private volatile long forced; // the last batch a completed force covers
  private volatile Throwable forceFailure;
  private long lostEvents;

  private DhcpServer(Builder b) throws IOException {
    this.serverId = b.serverId;
    this.subnets = List.copyOf(b.subnets);
    this.store = b.store;
    this.offerHoldMillis = b.offerHold.toMillis();
    this.quarantineMillis = b.quarantine.toMillis();
    this.maxOffers = b.maxOffers;
    this.maxOffersPerCircuit = b.maxOffersPerCircuit;
    this.maxQueued = b.maxQueued;
    this.serverPort = b.serverPort;
    this.clientPort = b.clientPort;
    this.unicastToNewAddress = b.unicastToNewAddress;
    this.replyToSource = b.replyToSource;
    this.authoritative = b.authoritative;
    Subnet d = null;
    if (b.directPrefix != null) {
      for (Subnet s : subnets) {
        if (s.prefix().equals(b.directPrefix)) {
          d = s;
        }
      }
      if (d == null) {
        throw new IllegalArgumentException("no subnet " + b.directPrefix);
      }
    } else if (subnets.size() == 1) {
      d = subnets.get(0);
    } else {
      d = subnetContaining(serverId.value());
    }
    this.direct = d;
    for (Subnet s : subnets) {
      pools.put(s, new PoolState(s));
    }
    for (Lease l : store.load()) {
      byAddress.put(l.address().value(), l);
      Integer prev = latest.get(l.client());
      if (l.state() != Lease.State.DECLINED
          && (prev == null || byAddress.get(prev).time().isBefore(l.time()))) {
        latest.put(l.client(), l.address().value());
      }
      if (l.state() == Lease.State.BOUND || l.state() == Lease.State.DECLINED) {
        schedule(l.address().value(), l.time().toEpochMilli());
      } else {
        freed(l.address().value());
      }
    }
    for (PoolState p : pools.values()) {
      p.countUnused();
    }
  }

  /** A builder for a server whose identifier (option 54) is {@code serverId}. */
  public static Builder builder(Ipv4Address serverId) {
    return new Builder(serverId);
  }

  // ------------------------------------------------------------------ engine

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    try {
      long t = now.toEpochMilli();
      expire(t);
      DhcpMessage m;
      try {
        m = DhcpCodec.decode(datagram);
      } catch (MalformedDhcpMessageException e) {
        drop(from, DropReason.MALFORMED, e.getMessage());
        return;
      }
      handle(t, from, m);
    } catch (RuntimeException e) {
      drop(from, DropReason.INTERNAL_ERROR, String.valueOf(e));
    }
  }

  private void handle(long now, InetSocketAddress from, DhcpMessage m) {
    Request r;
    try {
      r = Request.of(m);
    } catch (MalformedDhcpMessageException e) {
      drop(from, DropReason.MALFORMED_OPTION, e.getMessage());
      return;
    }
    if (r == null || m.op() != DhcpMessage.BOOTREQUEST) {
      drop(from, DropReason.NOT_DHCP_REQUEST, "op " + m.op());
      return;
    }
    if (r.key == null) {
      drop(from, DropReason.INVALID, "no client identifier and hlen " + m.hlen());
      return;
    }
    if (outbox.size() + held.size() >= maxQueued) {
      drop(from, DropReason.BACKLOG, outbox.size() + held.size() + " replies queued");
      return;
    }
    switch (r.type) {
      case DISCOVER -> discover(now, from, r);
      case REQUEST -> request(now, from, r);
      case DECLINE -> decline(now, from, r);
      case RELEASE -> release(now, from, r);
      case INFORM -> inform(from, r);
      default -> drop(from, DropReason.UNSUPPORTED_TYPE, r.type.toString());
    }
  }

  @Override
  public Transmit pollTransmit() {
    syncIfDirty();
    Outgoing o = outbox.poll();
    return o == null ? null : new Transmit(o.to, ByteBuffer.wrap(o.message.encode()));
  }

  @Override
  public InetSocketAddress pollTransmit(ByteBuffer out) {
    syncIfDirty();
    while (true) {
      Outgoing o = outbox.poll();
      if (o == null) {
        return null;
      }
      if (DhcpCodec.encode(o.message, out) > 0) {
        return o.to;
      }
      // the buffer is too small for this reply (never with the adapter's 64 KiB): skip it
      event(new DhcpServerEvent.Dropped(o.to, DropReason.BACKLOG, "reply did not fit"));
    }
  }

  @Override
  public Instant pollTimeout() {
    Deadline d = deadlines.peek();
    return d == null ? null : Instant.ofEpochMilli(d.at);
  }

  @Override
  public void handleTimeout(Instant now) {
    try {
      expire(now.toEpochMilli());
    } catch (RuntimeException e) {
      event(new DhcpServerEvent.Dropped(null, DropReason.INTERNAL_ERROR, String.valueOf(e)));
    }
  }

  @Override
  public DhcpServerEvent pollEvent() {
    syncIfDirty();
    return events.poll();
  }

  /** The lease record for {@code address} (bound, released, expired or declined), if any. */
  public Optional<Lease> lease(Ipv4Address address) {
    return Optional.ofNullable(byAddress.get(address.value()));
  }

  /** Every lease record (a copy). */
  public List<Lease> leases() {
    return new ArrayList<>(byAddress.values());
  }

  /** Offers made and not yet taken, declined or expired. */
  public int outstandingOffers() {
    return offers.size();
  }

  /** Events lost because the application did not poll them (the queue is capped). */
  public long lostEvents() {
    return lostEvents;
  }

  // ------------------------------------------------------------------ messages

  private void discover(long now, InetSocketAddress from, Request r) {
    Subnet s = subnetFor(r);
    if (s == null) {
      drop(from, DropReason.NO_SUBNET, "giaddr " + r.msg.giaddr());
      return;
    }
    Reservation res = s.reservationFor(r.mac, r.clientId);
    int a = choose(now, s, r, res);
    if (a == 0) {
      drop(from, DropReason.POOL_EXHAUSTED, s.toString());
      return;
    }
    Offer o = offers.get(r.key);
    if (o == null || o.address != a) {
      if (o != null) {
        removeOffer(o);
      } else if (offers.size() >= maxOffers) {
        drop(from, DropReason.OFFER_LIMIT, offers.size() + " offers outstanding");
        return;
      }
      Circuit c = r.circuit();
      if (c != null && offersPerCircuit.getOrDefault(c, 0) >= maxOffersPerCircuit) {
        drop(from, DropReason.CIRCUIT_LIMIT, c.toString());
        return;
      }
      o = new Offer(r.key, a, c);
      offers.put(r.key, o);
      offered.put(a, o);
      if (c != null) {
        offersPerCircuit.merge(c, 1, Integer::sum);
      }
    }
    o.expires = now + offerHoldMillis;
    schedule(r.key, o.expires);
    long lease = s.grant(r.leaseTime);
    queue(from, r, reply(r, s, res, DhcpMessageType.OFFER, a, lease), false);
    event(new DhcpServerEvent.Offered(r.key, new Ipv4Address(a)));
  }

  private void request(long now, InetSocketAddress from, Request r) {
    Subnet s = subnetFor(r);
    int ciaddr = r.msg.ciaddr().value();
    if (r.serverId != null) { // SELECTING (RFC 2131 §4.3.2)
      if (r.serverId.value() != serverId.value()) {
        Offer o = offers.get(r.key);
        if (o != null) {
          removeOffer(o); // the client chose another server
        }
        drop(from, DropReason.OTHER_SERVER, "server id " + r.serverId);
        return;
      }
      if (r.requested == null || ciaddr != 0) {
        drop(from, DropReason.INVALID, "SELECTING needs option 50 and ciaddr 0");
        return;
      }
      int a = r.requested.value();
      if (s == null) {
        drop(from, DropReason.NO_SUBNET, "giaddr " + r.msg.giaddr());
        return;
      }
      if (!s.assignable(a)) {
        nak(from, r, a, "not on this link");
        return;
      }
      Offer o = offers.get(r.key);
      Reservation res = s.reservationFor(r.mac, r.clientId);
      if ((o != null && o.address != a) || !available(now, s, a, r.key, res)) {
        nak(from, r, a, "not offered to this client");
        return;
      }
      commit(now, from, r, s, res, a);
      return;
    }
    if (ciaddr == 0) { // INIT-REBOOT
      if (r.requested == null) {
        drop(from, DropReason.INVALID, "REQUEST with no server id, ciaddr or option 50");
        return;
      }
      int a = r.requested.value();
      verify(now, from, r, s, a);
      return;
    }
    // RENEWING (unicast) or REBINDING (broadcast): RFC 2131 treats them alike here
    verify(now, from, r, s, ciaddr);
  }

  /** INIT-REBOOT, RENEWING and REBINDING: confirm the client's notion of its address. */
  private void verify(long now, InetSocketAddress from, Request r, Subnet s, int a) {
    if (s == null) {
      drop(from, DropReason.NO_SUBNET, "giaddr " + r.msg.giaddr());
      return;
    }
    if (!s.assignable(a)) {
      nak(from, r, a, "wrong network");
      return;
    }
    Reservation res = s.reservationFor(r.mac, r.clientId);
    Lease l = byAddress.get(a);
    boolean known = l != null && l.client().equals(r.key) && l.state() != Lease.State.DECLINED;
    if (known && available(now, s, a, r.key, res)) {
      commit(now, from, r, s, res, a);
      return;
    }
    if (!available(now, s, a, r.key, res)) {
      nak(from, r, a, "address held by another client");
      return;
    }
    Integer mine = latest.get(r.key);
    if (mine != null && mine != a && s.contains(mine)) {
      Lease other = byAddress.get(mine);
      if (other != null && other.holds(Instant.ofEpochMilli(now))) {
        nak(from, r, a, "client is bound to " + new Ipv4Address(mine));
        return;
      }
    }
    if (res != null && res.address().value() != a) {
      nak(from, r, a, "client has reservation " + res.address());
      return;
    }
    if (authoritative && (s.inPool(a) || (res != null && res.address().value() == a))) {
      commit(now, from, r, s, res, a);
      return;
    }
    drop(from, DropReason.UNKNOWN_CLIENT, "no record of " + r.key + " at " + new Ipv4Address(a));
  }

  private void commit(
      long now, InetSocketAddress from, Request r, Subnet s, Reservation res, int a) {
    long lease = s.grant(r.leaseTime);
    Lease old = byAddress.get(a);
    boolean renewal = old != null && old.client().equals(r.key) && old.state() == Lease.State.BOUND;
    Instant expires = Instant.ofEpochMilli(now + lease * 1000);
    Lease l = new Lease(new Ipv4Address(a), r.key, Lease.State.BOUND, expires);
    Integer previous = latest.get(r.key);
    try {
      if (previous != null && previous != a) {
        Lease p = byAddress.get(previous);
        if (p != null && p.state() == Lease.State.BOUND && p.client().equals(r.key)) {
          // a client holds one binding at a time: its old address is free again
          Lease ended = p.withState(Lease.State.EXPIRED, Instant.ofEpochMilli(now));
          store.put(ended);
          setLease(ended);
          freed(previous);
        }
      }
      store.put(l);
    } catch (IOException | RuntimeException e) {
      drop(from, DropReason.STORE_FAILED, String.valueOf(e));
      return;
    }
    dirty = true;
    setLease(l);
    latest.put(r.key, a);
    Offer o = offers.get(r.key);
    if (o != null) {
      removeOffer(o);
    }
    Offer taken = offered.get(a);
    if (taken != null) {
      removeOffer(taken);
    }
    schedule(a, expires.toEpochMilli());
    queue(from, r, reply(r, s, res, DhcpMessageType.ACK, a, lease), true);
    unsyncedEvents.add(new DhcpServerEvent.Leased(r.key, l.address(), expires, renewal));
  }

  private void decline(long now, InetSocketAddress from, Request r) {
    if (r.serverId != null && r.serverId.value() != serverId.value()) {
      drop(from, DropReason.OTHER_SERVER, "server id " + r.serverId);
      return;
    }
    if (r.requested == null) {
      drop(from, DropReason.INVALID, "DECLINE without option 50");
      return;
    }
    int a = r.requested.value();
    Lease l = byAddress.get(a);
    Offer o = offered.get(a);
    boolean ours =
        (l != null && l.client().equals(r.key) && l.state() == Lease.State.BOUND)
            || (o != null && o.client.equals(r.key));
    if (!ours) {
      drop(from, DropReason.NOT_BOUND, r.key + " does not hold " + r.requested);
      return;
    }
    Instant until = Instant.ofEpochMilli(now + quarantineMillis);
    Lease q = new Lease(r.requested, r.key, Lease.State.DECLINED, until);
    try {
      store.put(q);
    } catch (IOException | RuntimeException e) {
      drop(from, DropReason.STORE_FAILED, String.valueOf(e));
      return;
    }
    dirty = true;
    setLease(q);
    latest.remove(r.key, a);
    if (o != null) {
      removeOffer(o);
    }
    schedule(a, until.toEpochMilli());
    event(new DhcpServerEvent.Declined(r.key, r.requested, until));
  }

  private void release(long now, InetSocketAddress from, Request r) {
    if (r.serverId != null && r.serverId.value() != serverId.value()) {
      drop(from, DropReason.OTHER_SERVER, "server id " + r.serverId);
      return;
    }
    int a = r.msg.ciaddr().value();
    Lease l = byAddress.get(a);
    if (l == null || !l.client().equals(r.key) || l.state() != Lease.State.BOUND) {
      drop(from, DropReason.NOT_BOUND, r.key + " does not hold " + r.msg.ciaddr());
      return;
    }
    Lease released = l.withState(Lease.State.RELEASED, Instant.ofEpochMilli(now));
    try {
      store.put(released);
    } catch (IOException | RuntimeException e) {
      drop(from, DropReason.STORE_FAILED, String.valueOf(e));
      return;
    }
    dirty = true;
    setLease(released);
    freed(a);
    event(new DhcpServerEvent.Released(r.key, l.address()));
  }

  private void inform(InetSocketAddress from, Request r) {
    int ciaddr = r.msg.ciaddr().value();
    Subnet s = r.msg.giaddr().value() != 0 ? subnetFor(r) : subnetContaining(ciaddr);
    if (s == null) {
      s = direct;
    }
    if (s == null) {
      drop(from, DropReason.NO_SUBNET, "ciaddr " + r.msg.ciaddr());
      return;
    }
    Reservation res = s.reservationFor(r.mac, r.clientId);
    queue(from, r, reply(r, s, res, DhcpMessageType.ACK, 0, -1), false);
  }

  private void nak(InetSocketAddress from, Request r, int requested, String why) {
    DhcpMessage.Builder b =
        DhcpMessage.replyTo(r.msg)
            .messageType(DhcpMessageType.NAK)
            .serverIdentifier(serverId)
            .set(DhcpOption.MESSAGE, why);
    if (r.msg.giaddr().value() != 0) {
      b.broadcast(true); // RFC 2131 §4.1: a relayed NAK asks the relay to broadcast
    }
    InetSocketAddress to;
    if (replyToSource) {
      to = from;
    } else if (r.msg.giaddr().value() != 0) {
      to = address(r.msg.giaddr().value(), serverPort);
    } else {
      to = address(-1, clientPort);
    }
    enqueue(to, b.build(), false);
    event(new DhcpServerEvent.Nak(r.key, new Ipv4Address(requested), why));
  }

  // ------------------------------------------------------------------ replies

  private DhcpMessage reply(
      Request r, Subnet s, Reservation res, DhcpMessageType type, int yiaddr, long leaseSeconds) {
    DhcpMessage.Builder b = DhcpMessage.replyTo(r.msg).messageType(type).serverIdentifier(serverId);
    if (r.type == DhcpMessageType.INFORM || r.type == DhcpMessageType.REQUEST) {
      b.ciaddr(r.msg.ciaddr());
    }
    b.yiaddr(new Ipv4Address(yiaddr));
    if (leaseSeconds >= 0) {
      b.leaseTime(leaseSeconds).renewalTime(leaseSeconds / 2).rebindingTime(leaseSeconds * 7 / 8);
    }
    b.subnetMask(s.netmask());
    OptionSet opts = res == null ? s.options() : s.options().with(res.options());
    List<Integer> prl = r.prl;
    if (prl == null) {
      for (int code : opts.codes()) {
        b.option(code, opts.raw(code));
      }
    } else {
      for (int code : prl) {
        byte[] v = opts.raw(code);
        if (v != null) {
          b.option(code, v);
        }
      }
    }
    b.maxLength(r.maxReply);
    try {
      return b.build();
    } catch (IllegalStateException tooBig) {
      // the options do not fit the client's size even overloaded: send the essentials only
      DhcpMessage.Builder small =
          DhcpMessage.replyTo(r.msg).messageType(type).serverIdentifier(serverId);
      small.yiaddr(new Ipv4Address(yiaddr)).subnetMask(s.netmask());
      if (r.type == DhcpMessageType.INFORM || r.type == DhcpMessageType.REQUEST) {
        small.ciaddr(r.msg.ciaddr());
      }
      if (leaseSeconds >= 0) {
        small.leaseTime(leaseSeconds);
      }
      return small.build();
    }
  }

  private void queue(InetSocketAddress from, Request r, DhcpMessage reply, boolean durable) {
    enqueue(destination(from, r, reply), reply, durable);
  }

  private InetSocketAddress destination(InetSocketAddress from, Request r, DhcpMessage reply) {
    if (replyToSource) {
      return from;
    }
    DhcpMessage m = r.msg;
    if (m.giaddr().value() != 0) {
      return address(m.giaddr().value(), serverPort);
    }
    if (m.ciaddr().value() != 0) {
      return address(m.ciaddr().value(), clientPort);
    }
    if (m.broadcast() || !unicastToNewAddress || reply.yiaddr().value() == 0) {
      return address(-1, clientPort);
    }
    return address(reply.yiaddr().value(), clientPort);
  }

  private static InetSocketAddress address(int a, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(new Ipv4Address(a).toBytes()), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError("4 bytes are always an address", e);
    }
  }

  private void enqueue(InetSocketAddress to, DhcpMessage message, boolean durable) {
    outbox.add(new Outgoing(to, message, durable));
  }

  /**
   * Moves the store's fsync off the server's thread: from now on {@link LeaseStore#force()} runs on
   * {@code executor} (one at a time), and DHCPACKs and {@link DhcpServerEvent.Leased} events wait
   * in the server until a force covering their lease has completed. When one completes (or fails),
   * {@code done} runs on the executor's thread; it must get the server's thread to call {@link
   * #pollTransmit} and {@link #pollEvent} soon (an adapter wakes its event loop). Call once, on the
   * server's thread (before it starts, or from a task it runs: changes already synced stay so).
   */
  public void forceAsync(Executor executor, Runnable done) {
    if (forceExecutor != null) {
      throw new IllegalStateException("forceAsync already set");
    }
    this.forceExecutor = Objects.requireNonNull(executor, "executor");
    this.forceDone = Objects.requireNonNull(done, "done");
  }

  /** Replies and events held until a running force completes (for tests and statistics). */
  public int awaitingForce() {
    return held.size();
  }

  private void syncIfDirty() {
    if (forceExecutor != null) {
      syncAsync();
      return;
    }
    if (!dirty) {
      return;
    }
    dirty = false;
    try {
      store.sync();
    } catch (IOException | RuntimeException e) {
      withhold(e);
      return;
    }
    released();
  }

  /** The batch's changes are as durable as the store makes them: its ACKs and events may go. */
  private void released() {
    for (Outgoing o : outbox) {
      o.durable = false;
    }
    for (DhcpServerEvent e : unsyncedEvents) {
      event(e);
    }
    unsyncedEvents.clear();
  }

  private void syncAsync() {
    if (forcing >= 0 && (forced >= forcing || forceFailure != null)) {
      forceCompleted();
    }
    if (!dirty) {
      return;
    }
    dirty = false;
    boolean needsForce;
    try {
      needsForce = store.write();
    } catch (IOException | RuntimeException e) {
      withhold(e);
      return;
    }
    if (!needsForce) {
      released();
      return;
    }
    long batch = ++written;
    for (var it = outbox.iterator(); it.hasNext(); ) {
      Outgoing o = it.next();
      if (o.durable) {
        it.remove();
        held.add(new Held(batch, o, null));
      }
    }
    for (DhcpServerEvent e : unsyncedEvents) {
      held.add(new Held(batch, null, e));
    }
    unsyncedEvents.clear();
    if (forcing < 0) {
      startForce();
    }
  }

  private void startForce() {
    long batch = written;
    forcing = batch;
    try {
      forceExecutor.execute(
          () -> {
            try {
              store.force();
              forced = batch;
            } catch (IOException | RuntimeException e) {
              forceFailure = e;
            } finally {
              forceDone.run();
            }
          });
    } catch (RuntimeException rejected) {
      forceFailure = rejected;
    }
  }

  /** On the server's thread, after the running force has completed or failed. */
  private void forceCompleted() {
    Throwable failure = forceFailure;
    forcing = -1;
    if (failure != null) {
      int withheld = 0;
      for (Held h : held) {
        if (h.reply != null) {
          withheld++;
        }
      }
      held.clear();
      event(
          new DhcpServerEvent.Dropped(
              null, DropReason.STORE_FAILED, withheld + " ACKs withheld: " + failure));
      return; // the store refuses writes from now on: nothing more is forced
    }
    long done = forced;
    while (!held.isEmpty() && held.peek().batch <= done) {
      Held h = held.poll();
      if (h.reply != null) {
        h.reply.durable = false;
        outbox.add(h.reply);
      } else {
        event(h.event);
      }
    }
    if (written > done) {
      startForce(); // the batches written meanwhile share this one
    }
  }

  private void withhold(Exception e) {
    int withheld = 0;
    for (var it = outbox.iterator(); it.hasNext(); ) {
      Outgoing o = it.next();
      if (o.durable) {
        it.remove();
        withheld++;
      }
    }
    unsyncedEvents.clear();
    event(
        new DhcpServerEvent.Dropped(
            null, DropReason.STORE_FAILED, withheld + " ACKs withheld: " + e));
  }

  // ------------------------------------------------------------------ addresses

  private Subnet subnetFor(Request r) {
    int giaddr = r.msg.giaddr().value();
    if (r.linkSelection != 0) {
      Subnet s = subnetContaining(r.linkSelection);
      if (s != null) {
        return s;
      }
    }
    if (giaddr != 0) {
      return subnetContaining(giaddr);
    }
    return direct;
  }

  private Subnet subnetContaining(int a) {
    for (Subnet s : subnets) {
      if (s.contains(a)) {
        return s;
      }
    }
    return null;
  }

  /**
   * The address to offer (RFC 2131 §4.3.1): the client's reservation, its outstanding offer, its
   * current or previous binding, the address it asks for, else a free one; 0 if none.
   */
  private int choose(long now, Subnet s, Request r, Reservation res) {
    if (res != null && available(now, s, res.address().value(), r.key, res)) {
      return res.address().value();
    }
    Offer o = offers.get(r.key);
    if (o != null && s.contains(o.address) && available(now, s, o.address, r.key, res)) {
      return o.address;
    }
    Integer prev = latest.get(r.key);
    if (prev != null && s.inPool(prev) && available(now, s, prev, r.key, res)) {
      return prev;
    }
    if (r.requested != null) {
      int a = r.requested.value();
      if (s.inPool(a) && available(now, s, a, r.key, res)) {
        return a;
      }
    }
    return pools.get(s).allocate(now, r.key);
  }

  /** Whether {@code a} may be bound to {@code key} now. */
  private boolean available(long now, Subnet s, int a, ClientKey key, Reservation res) {
    if (!s.assignable(a) || a == serverId.value()) {
      return false;
    }
    Lease l = byAddress.get(a);
    if (l != null && l.time().toEpochMilli() > now) {
      if (l.state() == Lease.State.DECLINED) {
        return false;
      }
      if (l.state() == Lease.State.BOUND && !l.client().equals(key)) {
        return false;
      }
    }
    Offer o = offered.get(a);
    if (o != null && !o.client.equals(key)) {
      return false;
    }
    Reservation owner = s.reservationAt(a);
    if (owner != null && owner != res) {
      return false;
    }
    return s.inPool(a) || owner != null;
  }

  private void setLease(Lease l) {
    int a = l.address().value();
    Lease before = byAddress.put(a, l);
    if (before == null) {
      PoolState p = pool(a);
      if (p != null && p.counts(a)) {
        p.unused--;
      }
    } else if (!before.client().equals(l.client())) {
      latest.remove(before.client(), a); // the old client's affinity to it is gone
    }
  }

  private PoolState pool(int a) {
    Subnet s = subnetContaining(a);
    return s == null ? null : pools.get(s);
  }

  private void freed(int a) {
    Subnet s = subnetContaining(a);
    if (s != null) {
      pools.get(s).addFree(a);
    }
  }

  private void removeOffer(Offer o) {
    offers.remove(o.client, o);
    offered.remove(o.address, o);
    if (o.circuit != null) {
      offersPerCircuit.computeIfPresent(o.circuit, (c, n) -> n <= 1 ? null : n - 1);
    }
    // the client's deadline entry stays: when it fires it finds no offer (or a newer one, and
    // moves to its expiry). Removing it here made every DISCOVER push a fresh entry, leaving one
    // stale entry per lease cycle in the queue for the whole hold time.
  }

  // ------------------------------------------------------------------ time

  private void schedule(Object key, long at) {
    Long cur = scheduled.get(key);
    if (cur != null && cur <= at) {
      return; // fires first and reschedules itself then
    }
    scheduled.put(key, at);
    deadlines.add(new Deadline(at, key));
  }

  private void expire(long now) {
    while (!deadlines.isEmpty() && deadlines.peek().at <= now) {
      Deadline d = deadlines.poll();
      Long cur = scheduled.get(d.key);
      if (cur == null || cur != d.at) {
        continue; // stale entry
      }
      scheduled.remove(d.key);
      if (d.key instanceof ClientKey k) {
        Offer o = offers.get(k);
        if (o != null) {
          if (o.expires <= now) {
            removeOffer(o);
          } else {
            schedule(k, o.expires);
          }
        }
      } else {
        expireAddress(now, (Integer) d.key);
      }
    }
  }

  private void expireAddress(long now, int a) {
    Lease l = byAddress.get(a);
    if (l == null) {
      return;
    }
    long t = l.time().toEpochMilli();
    if (t > now) {
      if (l.state() == Lease.State.BOUND || l.state() == Lease.State.DECLINED) {
        schedule(a, t);
      }
      return;
    }
    try {
      if (l.state() == Lease.State.BOUND) {
        Lease e = l.withState(Lease.State.EXPIRED, l.time());
        store.put(e);
        setLease(e);
        freed(a);
        dirty = true;
        event(new DhcpServerEvent.Expired(l.client(), l.address()));
      } else if (l.state() == Lease.State.DECLINED) {
        store.remove(l.address());
        byAddress.remove(a);
        latest.remove(l.client(), a);
        PoolState p = pool(a);
        if (p != null && p.counts(a)) {
          p.unused++;
        }
        dirty = true;
      }
    } catch (IOException e) {
      schedule(a, now + 1000); // try again in a second; the address stays held meanwhile
      event(new DhcpServerEvent.Dropped(null, DropReason.STORE_FAILED, String.valueOf(e)));
    }
  }

  private void drop(InetSocketAddress from, DropReason reason, String detail) {
    event(new DhcpServerEvent.Dropped(from, reason, detail));
  }

  private void event(DhcpServerEvent e) {
    if (events.size() >= maxQueued) {
      lostEvents++;
      return;
    }
    events.add(e);
  }

  // ------------------------------------------------------------------ state types

  /** Free-address search over one subnet's pools. */
  private final class PoolState {
    final Subnet subnet;
    final ArrayDeque<Integer> free = new ArrayDeque<>();
    final java.util.Set<Integer> inFree = new java.util.HashSet<>(); // each address once in free
    long unused;
    int pool;
    long cursor; // unsigned address

    PoolState(Subnet subnet) {
      this.subnet = subnet;
      this.cursor = subnet.pools() == 0 ? 0 : subnet.poolFirst(0) & 0xffffffffL;
    }

    void addFree(int a) {
      if (inFree.add(a)) {
        free.add(a);
      }
    }

    /** Whether {@code a} counts as a pool address for {@link #unused}: in a pool, unreserved. */
    boolean counts(int a) {
      return subnet.inPool(a) && subnet.reservationAt(a) == null;
    }

    void countUnused() {
      long n = subnet.poolSize();
      for (Reservation r : subnet.reservations()) {
        if (subnet.inPool(r.address().value())) {
          n--;
        }
      }
      for (int a : byAddress.keySet()) {
        if (counts(a)) {
          n--;
        }
      }
      unused = n;
    }

    /** A never-used address first, then the one freed longest ago; 0 if none. */
    int allocate(long now, ClientKey key) {
      if (unused > 0 && subnet.pools() > 0) {
        long size = subnet.poolSize();
        for (long i = 0; i < size; i++) {
          int a = (int) cursor;
          advance();
          if (!byAddress.containsKey(a) && available(now, subnet, a, key, null)) {
            return a;
          }
        }
      }
      for (int n = free.size(); n > 0; n--) {
        int a = free.poll();
        inFree.remove(a);
        Lease l = byAddress.get(a);
        if (l == null
            || l.state() == Lease.State.BOUND
            || l.state() == Lease.State.DECLINED
            || !subnet.inPool(a)) {
          continue; // taken again since it was freed: forget this entry
        }
        if (available(now, subnet, a, key, null)) {
          return a;
        }
        addFree(a); // offered or reserved now: keep it for later
      }
      return 0;
    }

    private void advance() {
      if (cursor == (subnet.poolLast(pool) & 0xffffffffL)) {
        pool = (pool + 1) % subnet.pools();
        cursor = subnet.poolFirst(pool) & 0xffffffffL;
      } else {
        cursor++;
      }
    }
  }

  private static final class Offer {
    final ClientKey client;
    final int address;
    final Circuit circuit;
    long expires;

    Offer(ClientKey client, int address, Circuit circuit) {
      this.client = client;
      this.address = address;
      this.circuit = circuit;
    }
  }

  private record Circuit(int giaddr, byte[] id) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Circuit c && c.giaddr == giaddr && Arrays.equals(c.id, id);
    }

    @Override
    public int hashCode() {
      return giaddr * 31 + Arrays.hashCode(id);
    }

    @Override
    public String toString() {
      return "circuit "
          + java.util.HexFormat.of().formatHex(id)
          + " via "
          + new Ipv4Address(giaddr);
    }
  }

  private record Deadline(long at, Object key) implements Comparable<Deadline> {
    @Override
    public int compareTo(Deadline o) {
      return Long.compare(at, o.at);
    }
  }

  private record Held(long batch, Outgoing reply, DhcpServerEvent event) {}

  private static final class Outgoing {
    final InetSocketAddress to;
    final DhcpMessage message;
    boolean durable;

    Outgoing(InetSocketAddress to, DhcpMessage message, boolean durable) {
      this.to = to;
      this.message = message;
      this.durable = durable;
    }
  }

  /** The parts of a request the server acts on, read once. */
  private static final class Request {
    DhcpMessage msg;
    DhcpMessageType type;
    ClientKey key;
    ClientId clientId;
    MacAddress mac;
    Ipv4Address requested;
    Ipv4Address serverId;
    long leaseTime = -1;
    List<Integer> prl;
    int maxReply = DEFAULT_MAX_MESSAGE;
    byte[] circuitId;
    int linkSelection;

    static Request of(DhcpMessage m) throws MalformedDhcpMessageException {
      Optional<DhcpMessageType> type = m.messageType();
      if (type.isEmpty()) {
        return null;
      }
      Request r = new Request();
      r.msg = m;
      r.type = type.get();
      r.clientId = m.clientId().orElse(null);
      r.mac = m.htype() == 1 && m.hlen() == 6 ? m.clientMac().orElse(null) : null;
      if (r.clientId != null) {
        r.key = ClientKey.ofClientId(r.clientId);
      } else if (m.hlen() > 0 && m.hlen() <= 16) {
        r.key = ClientKey.ofHardware(m.htype(), Arrays.copyOf(m.chaddr(), m.hlen()));
      }
      r.requested = m.requestedAddress().orElse(null);
      r.serverId = m.serverIdentifier().orElse(null);
      r.leaseTime = m.leaseTime().orElse(-1L);
      r.prl = m.parameterRequestList().orElse(null);
      int max = m.maxMessageSize().orElse(576) - 28;
      r.maxReply = Math.max(DEFAULT_MAX_MESSAGE, Math.min(MAX_REPLY, max));
      Optional<RelayAgentInfo> rai = m.relayAgentInfo();
      if (rai.isPresent()) {
        r.circuitId = rai.get().circuitId().orElse(null);
        r.linkSelection = rai.get().linkSelection().map(Ipv4Address::value).orElse(0);
      }
      if (r.linkSelection == 0) {
        r.linkSelection = m.get(DhcpOption.SUBNET_SELECTION).map(Ipv4Address::value).orElse(0);
      }
      return r;
    }

    Circuit circuit() {
      return circuitId == null ? null : new Circuit(msg.giaddr().value(), circuitId);
    }
  }

  // ------------------------------------------------------------------ builder

  /** Configures a {@link DhcpServer}. */
  public static final class Builder {
    private final Ipv4Address serverId;
    private final List<Subnet> subnets = new ArrayList<>();
    private IpPrefix directPrefix;
    private LeaseStore store;
    private Duration offerHold = Duration.ofSeconds(30);
    private Duration quarantine = Duration.ofHours(24);
    private int maxOffers = 10_000;
    private int maxOffersPerCircuit = 64;
    private int maxQueued = 4096;
    private int serverPort = 67;
    private int clientPort = 68;
    private boolean unicastToNewAddress;
    private boolean replyToSource;
    private boolean authoritative;

    private Builder(Ipv4Address serverId) {
      this.serverId = Objects.requireNonNull(serverId, "serverId");
    }

    /** Adds a subnet; subnets must not overlap. */
    public Builder subnet(Subnet subnet) {
      for (Subnet s : subnets) {
        if (s.prefix().overlaps(subnet.prefix())) {
          throw new IllegalArgumentException(subnet + " overlaps " + s);
        }
      }
      subnets.add(subnet);
      return this;
    }

    /**
     * The subnet of the link the server itself is on: the one that serves datagrams that did not
     * come through a relay ({@code giaddr} 0). Default: the only subnet, or the one that contains
     * the server identifier.
     */
    public Builder directSubnet(IpPrefix prefix) {
      this.directPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Where leases are kept. Default: {@link LeaseStore#inMemory()}. */
    public Builder leaseStore(LeaseStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How long an offered address is held for the client. Default: 30 s. */
    public Builder offerHoldTime(Duration hold) {
      this.offerHold = nonNegative(hold);
      return this;
    }

    /** How long a declined address is kept out of use. Default: 24 h. */
    public Builder declineQuarantine(Duration quarantine) {
      this.quarantine = nonNegative(quarantine);
      return this;
    }

    /** The most offers outstanding at once. Default: 10,000. */
    public Builder maxOffers(int max) {
      this.maxOffers = positive(max);
      return this;
    }

    /** The most offers outstanding through one relay circuit (option 82.1). Default: 64. */
    public Builder maxOffersPerCircuit(int max) {
      this.maxOffersPerCircuit = positive(max);
      return this;
    }

    /** The most replies and events queued and not yet polled. Default: 4,096. */
    public Builder maxQueued(int max) {
      this.maxQueued = positive(max);
      return this;
    }

    /**
     * The ports replies go to: relays at {@code serverPort} (67), clients at {@code clientPort}
     * (68). Change them to run on high ports in tests.
     */
    public Builder ports(int serverPort, int clientPort) {
      this.serverPort = port(serverPort);
      this.clientPort = port(clientPort);
      return this;
    }

    /**
     * Unicasts OFFERs and ACKs to {@code yiaddr} when RFC 2131 §4.1 asks for it (no relay, no
     * {@code ciaddr}, no broadcast flag). Only for an adapter that can get such a datagram to the
     * client before it has the address (an ARP entry for {@code chaddr}). Default: broadcast.
     */
    public Builder unicastToNewAddress(boolean on) {
      this.unicastToNewAddress = on;
      return this;
    }

    /**
     * Sends every reply back to the datagram's source address and port, whatever RFC 2131 §4.1
     * says: for tests on loopback with high ports. Default: off.
     */
    public Builder replyToSource(boolean on) {
      this.replyToSource = on;
      return this;
    }

    /**
     * ACKs INIT-REBOOT and RENEWING/REBINDING requests from clients it has no record of when the
     * address is free in its pool (after a lost lease database), instead of staying silent as RFC
     * 2131 §4.3.2 asks of a server that is not authoritative. Default: off.
     */
    public Builder authoritative(boolean on) {
      this.authoritative = on;
      return this;
    }

    /**
     * The server, with the leases loaded from the store.
     *
     * @throws IOException if the store cannot be read
     * @throws IllegalStateException if no subnet was added
     */
    public DhcpServer build() throws IOException {
      if (subnets.isEmpty()) {
        throw new IllegalStateException("at least one subnet is needed");
      }
      if (store == null) {
        store = LeaseStore.inMemory();
      }
      return new DhcpServer(this);
    }

    private static Duration nonNegative(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative: " + d);
      }
      return d;
    }

    private static int positive(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("must be >= 1: " + n);
      }
      return n;
    }

    private static int port(int p) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("not a port: " + p);
      }
      return p;
    }
  }
}
