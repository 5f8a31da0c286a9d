package dev.headend.dhcp.client;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.ClientId;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A sans-I/O DHCPv4 client: the state machine of RFC 2131 figure 5 (INIT, SELECTING, REQUESTING,
 * BOUND, RENEWING, REBINDING, INIT-REBOOT, REBOOTING) for one interface.
 *
 * <pre>{@code
 * DhcpClient client = DhcpClient.builder(MacAddress.parse("02:00:00:00:00:01")).build();
 * client.start(now); // DISCOVER queued
 * for (Transmit t; (t = client.pollTransmit()) != null; ) send(t);
 * client.handle(now, from, datagram); // OFFER, ACK ...
 * for (DhcpClientEvent e; (e = client.pollEvent()) != null; ) apply(e); // Bound, Renewed ...
 * // wake at client.pollTimeout() and call client.handleTimeout(now)
 * }</pre>
 *
 * <p>Retransmission (RFC 2131 §4.1): 4 s before the first retransmission, doubling up to 64 s, each
 * delay randomized by ±1 s. DISCOVERs are retransmitted for ever; a REQUEST in REQUESTING or
 * REBOOTING {@link Builder#maxRequestRetransmits} times (4, about a minute) before the client
 * starts over. In RENEWING and REBINDING the client waits half the time left until T2 (resp. the
 * end of the lease), at least 60 s, between retransmissions (§4.4.5). The lease is counted from the
 * moment the REQUEST it answers was first sent (§4.4.1).
 *
 * <p>Replies are accepted only with the client's {@code xid} and {@code chaddr} and, once a client
 * identifier is configured, without a different one echoed (RFC 6842). Nothing received is thrown
 * back at the caller: a datagram the client cannot use is counted in {@link #ignored()}.
 *
 * <p>The engine is deterministic: time comes from the caller and randomness (xids, jitter) from
 * {@link Builder#random}. It is not thread-safe.
 */
public final class DhcpClient implements DatagramEngine<DhcpClientEvent> {
  /** RFC 2131 §3.1 step 5: wait at least 10 s after a DHCPDECLINE before starting over. */
  static final long DECLINE_WAIT_MILLIS = 10_000;

  private static final long NONE = Long.MAX_VALUE;
  private static final int MAX_OFFERS = 16;
  private static final int MAX_EVENTS = 256;
  private static final int MAX_OUTBOX = 16;
  private static final int MAX_MESSAGE_SIZE = 1500;

  private final MacAddress mac;
  private final byte[] macBytes;
  private final ClientId clientId;
  private final List<Integer> parameters;
  private final String hostName;
  private final Long leaseSeconds;
  private final RandomGenerator random;
  private final int serverPort;
  private final InetSocketAddress serverAddress;
  private final boolean broadcastFlag;
  private final long offerWaitMillis;
  private final int maxRequestRetransmits;

  private DhcpClientState state = DhcpClientState.INIT;
  private int xid;
  private long startedAt;
  private long requestSentAt;
  private int attempts;
  private long timer = NONE;
  private final List<Offer> offers = new ArrayList<>();
  private Offer chosen;
  private Ipv4Address rebootAddress;
  private Ipv4Address preferredAddress;
  private DhcpLease lease;

  private final ArrayDeque<Transmit> outbox = new ArrayDeque<>();
  private final ArrayDeque<DhcpClientEvent> events = new ArrayDeque<>();
  private long ignored;
  private long lostEvents;

  private record Offer(Ipv4Address address, Ipv4Address server) {}

  private DhcpClient(Builder b) {
    this.mac = b.mac;
    this.macBytes = b.mac.toBytes();
    this.clientId = b.clientId;
    this.parameters = List.copyOf(b.parameters);
    this.hostName = b.hostName;
    this.leaseSeconds = b.leaseSeconds;
    this.random = b.random != null ? b.random : new SplittableRandom();
    this.serverPort = b.serverPort;
    this.serverAddress = b.serverAddress;
    this.broadcastFlag = b.broadcastFlag;
    this.offerWaitMillis = b.offerWait.toMillis();
    this.maxRequestRetransmits = b.maxRequestRetransmits;
    this.rebootAddress = b.previousAddress;
    this.preferredAddress = b.previousAddress;
  }

  /** A builder for the client of the interface with hardware address {@code mac}. */
  public static Builder builder(MacAddress mac) {
    return new Builder(mac);
  }

  // ------------------------------------------------------------------ application calls

  /**
   * Starts acquiring a lease: a REQUEST for the remembered address ({@link
   * Builder#previousAddress}, INIT-REBOOT) or else a DISCOVER. Does nothing unless the client is in
   * {@link DhcpClientState#INIT} or {@link DhcpClientState#STOPPED} with no pending restart.
   */
  public void start(Instant now) {
    if ((state != DhcpClientState.INIT || timer != NONE) && state != DhcpClientState.STOPPED) {
      return;
    }
    long t = now.toEpochMilli();
    if (rebootAddress != null) {
      state = DhcpClientState.INIT_REBOOT;
      newExchange(t);
      enter(t, DhcpClientState.REBOOTING);
    } else {
      discover(t);
    }
  }

  /**
   * Reports that the bound address is already in use (the embedder's ARP probe was answered): sends
   * a DHCPDECLINE, drops the lease, waits 10 s and starts over (RFC 2131 §3.1 step 5).
   *
   * @return whether a lease was held (else nothing happens)
   */
  public boolean decline(Instant now) {
    if (lease == null) {
      return false;
    }
    long t = now.toEpochMilli();
    DhcpLease l = lease;
    DhcpMessage m =
        base(DhcpMessageType.DECLINE, t, false)
            .requestedAddress(l.address())
            .serverIdentifier(l.serverId())
            .build();
    send(broadcastDestination(), m);
    event(new DhcpClientEvent.Declined(l.address()));
    lease = null;
    rebootAddress = null;
    preferredAddress = null;
    state = DhcpClientState.INIT;
    timer = t + DECLINE_WAIT_MILLIS;
    return true;
  }

  /**
   * Gives the lease back (DHCPRELEASE, unicast to its server) and stops: the client sends nothing
   * more until {@link #start} is called again.
   *
   * @return whether a lease was held (the client stops either way)
   */
  public boolean release(Instant now) {
    long t = now.toEpochMilli();
    DhcpLease l = lease;
    state = DhcpClientState.STOPPED;
    timer = NONE;
    offers.clear();
    if (l == null) {
      return false;
    }
    xid = random.nextInt();
    DhcpMessage m =
        base(DhcpMessageType.RELEASE, t, false)
            .secs(0)
            .ciaddr(l.address())
            .serverIdentifier(l.serverId())
            .build();
    send(unicastDestination(l.serverId()), m);
    event(new DhcpClientEvent.Released(l.address()));
    lease = null;
    rebootAddress = null;
    preferredAddress = l.address();
    return true;
  }

  /** The current state. */
  public DhcpClientState state() {
    return state;
  }

  /** The lease held, if any (in BOUND, RENEWING and REBINDING). */
  public Optional<DhcpLease> lease() {
    return Optional.ofNullable(lease);
  }

  /** Datagrams received and not used (other xid or chaddr, malformed, unexpected in the state). */
  public long ignored() {
    return ignored;
  }

  /** Events dropped because the application did not poll them (the queue is capped). */
  public long lostEvents() {
    return lostEvents;
  }

  /** The transaction id in use. */
  int xid() {
    return xid;
  }

  // ------------------------------------------------------------------ engine

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    try {
      DhcpMessage m = DhcpCodec.decode(datagram);
      if (!receive(now.toEpochMilli(), m)) {
        ignored++;
      }
    } catch (MalformedDhcpMessageException | RuntimeException e) {
      ignored++;
    }
  }

  private boolean receive(long now, DhcpMessage m) throws MalformedDhcpMessageException {
    if (m.op() != DhcpMessage.BOOTREPLY
        || m.xid() != xid
        || m.hlen() != macBytes.length
        || !Arrays.equals(m.chaddr(), 0, macBytes.length, macBytes, 0, macBytes.length)) {
      return false;
    }
    if (clientId != null) {
      Optional<ClientId> echoed = m.clientId();
      if (echoed.isPresent() && !echoed.get().equals(clientId)) {
        return false;
      }
    }
    DhcpMessageType type = m.messageType().orElse(null);
    if (type == null) {
      return false;
    }
    Ipv4Address server = m.serverIdentifier().orElse(null);
    switch (state) {
      case SELECTING:
        if (type != DhcpMessageType.OFFER || server == null || m.yiaddr().value() == 0) {
          return false;
        }
        return offered(now, new Offer(m.yiaddr(), server));
      case REQUESTING:
        if (server != null && !server.equals(chosen.server())) {
          return false;
        }
        return answer(now, m, type, chosen.address(), chosen.server());
      case REBOOTING:
        return answer(now, m, type, rebootAddress, server);
      case RENEWING:
      case REBINDING:
        return answer(now, m, type, lease.address(), server != null ? server : lease.serverId());
      default:
        return false;
    }
  }

  private boolean offered(long now, Offer o) {
    if (offers.size() >= MAX_OFFERS || offers.contains(o)) {
      return false;
    }
    offers.add(o);
    if (offerWaitMillis == 0) {
      select(now);
    } else if (offers.size() == 1) {
      timer = now + offerWaitMillis;
    }
    return true;
  }

  private void select(long now) {
    Offer pick = offers.get(0);
    for (Offer o : offers) {
      if (o.address().equals(preferredAddress)) {
        pick = o;
        break;
      }
    }
    offers.clear();
    chosen = pick;
    attempts = 0;
    requestSentAt = now;
    enter(now, DhcpClientState.REQUESTING);
  }

  private boolean answer(
      long now, DhcpMessage m, DhcpMessageType type, Ipv4Address expected, Ipv4Address server)
      throws MalformedDhcpMessageException {
    if (type == DhcpMessageType.NAK) {
      String text = m.get(DhcpOption.MESSAGE).orElse("");
      event(new DhcpClientEvent.Nak(server == null ? Ipv4Address.ANY : server, expected, text));
      lease = null;
      rebootAddress = null;
      preferredAddress = null;
      discover(now);
      return true;
    }
    if (type != DhcpMessageType.ACK || !m.yiaddr().equals(expected) || server == null) {
      return false;
    }
    Optional<Long> seconds = m.leaseTime();
    if (seconds.isEmpty()) {
      return false;
    }
    boolean renewal = state == DhcpClientState.RENEWING || state == DhcpClientState.REBINDING;
    lease = new DhcpLease(server, Instant.ofEpochMilli(requestSentAt), seconds.get(), m);
    rebootAddress = lease.address();
    preferredAddress = lease.address();
    state = DhcpClientState.BOUND;
    timer = lease.infinite() ? NONE : lease.renewAt().toEpochMilli();
    event(renewal ? new DhcpClientEvent.Renewed(lease) : new DhcpClientEvent.Bound(lease));
    return true;
  }

  @Override
  public Transmit pollTransmit() {
    return outbox.poll();
  }

  @Override
  public Instant pollTimeout() {
    return timer == NONE ? null : Instant.ofEpochMilli(timer);
  }

  @Override
  public void handleTimeout(Instant now) {
    long t = now.toEpochMilli();
    if (t < timer) {
      return;
    }
    switch (state) {
      case INIT -> discover(t);
      case SELECTING -> {
        if (offers.isEmpty()) {
          retransmit(t);
        } else {
          select(t);
        }
      }
      case REQUESTING, REBOOTING -> {
        if (attempts < maxRequestRetransmits) {
          retransmit(t);
        } else {
          rebootAddress = null;
          discover(t);
        }
      }
      case BOUND -> {
        newExchange(t);
        enter(t, DhcpClientState.RENEWING);
      }
      case RENEWING -> {
        if (t >= lease.rebindAt().toEpochMilli()) {
          newExchange(t);
          enter(t, DhcpClientState.REBINDING);
        } else {
          transmit(t);
          timer = retryBefore(t, lease.rebindAt().toEpochMilli());
        }
      }
      case REBINDING -> {
        if (t >= lease.expires().toEpochMilli()) {
          DhcpLease l = lease;
          lease = null;
          rebootAddress = null;
          preferredAddress = l.address();
          event(new DhcpClientEvent.Expired(l));
          discover(t);
        } else {
          transmit(t);
          timer = retryBefore(t, lease.expires().toEpochMilli());
        }
      }
      default -> timer = NONE;
    }
  }

  @Override
  public DhcpClientEvent pollEvent() {
    return events.poll();
  }

  // ------------------------------------------------------------------ transitions

  private void newExchange(long now) {
    xid = random.nextInt();
    startedAt = now;
    requestSentAt = now;
    attempts = 0;
  }

  private void discover(long now) {
    newExchange(now);
    offers.clear();
    chosen = null;
    enter(now, DhcpClientState.SELECTING);
  }

  /** Moves to {@code s}, sends its first message and arms its timer. */
  private void enter(long now, DhcpClientState s) {
    state = s;
    transmit(now);
    switch (s) {
      case RENEWING -> timer = retryBefore(now, lease.rebindAt().toEpochMilli());
      case REBINDING -> timer = retryBefore(now, lease.expires().toEpochMilli());
      default -> timer = now + backoff(0);
    }
  }

  private void retransmit(long now) {
    attempts++;
    transmit(now);
    timer = now + backoff(attempts);
  }

  /** RFC 2131 §4.1: 4 s, 8 s, ... 64 s, each ±1 s, uniformly. */
  private long backoff(int attempt) {
    long base = 4_000L << Math.min(attempt, 4);
    return base + random.nextLong(-1_000, 1_001);
  }

  /** RFC 2131 §4.4.5: half the time left until {@code end}, at least 60 s, never past it. */
  private static long retryBefore(long now, long end) {
    return Math.min(end, now + Math.max(60_000, (end - now) / 2));
  }

  /** Sends the message of the current state. */
  private void transmit(long now) {
    switch (state) {
      case SELECTING -> {
        DhcpMessage.Builder b = withParameters(base(DhcpMessageType.DISCOVER, now, true));
        if (preferredAddress != null) {
          b.requestedAddress(preferredAddress);
        }
        send(broadcastDestination(), b.build());
      }
      case REQUESTING ->
          send(
              broadcastDestination(),
              withParameters(base(DhcpMessageType.REQUEST, now, true))
                  .requestedAddress(chosen.address())
                  .serverIdentifier(chosen.server())
                  .build());
      case REBOOTING ->
          send(
              broadcastDestination(),
              withParameters(base(DhcpMessageType.REQUEST, now, true))
                  .requestedAddress(rebootAddress)
                  .build());
      case RENEWING ->
          send(
              unicastDestination(lease.serverId()),
              withParameters(base(DhcpMessageType.REQUEST, now, false))
                  .ciaddr(lease.address())
                  .build());
      case REBINDING ->
          send(
              broadcastDestination(),
              withParameters(base(DhcpMessageType.REQUEST, now, false))
                  .ciaddr(lease.address())
                  .build());
      default -> {}
    }
  }

  private DhcpMessage.Builder base(DhcpMessageType type, long now, boolean unconfigured) {
    DhcpMessage.Builder b =
        DhcpMessage.builder()
            .xid(xid)
            .secs((int) Math.min(65_535, Math.max(0, (now - startedAt) / 1000)))
            .chaddr(mac)
            .broadcast(unconfigured && broadcastFlag)
            .messageType(type);
    if (clientId != null) {
      b.clientId(clientId);
    }
    return b;
  }

  private DhcpMessage.Builder withParameters(DhcpMessage.Builder b) {
    b.set(DhcpOption.MAX_DHCP_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
    if (hostName != null) {
      b.hostName(hostName);
    }
    if (leaseSeconds != null) {
      b.leaseTime(leaseSeconds);
    }
    if (!parameters.isEmpty()) {
      b.parameterRequestList(parameters);
    }
    return b;
  }

  private InetSocketAddress broadcastDestination() {
    return serverAddress != null
        ? serverAddress
        : new InetSocketAddress(Ipv4Address.BROADCAST.toInetAddress(), serverPort);
  }

  private InetSocketAddress unicastDestination(Ipv4Address server) {
    return serverAddress != null
        ? serverAddress
        : new InetSocketAddress(server.toInetAddress(), serverPort);
  }

  private void send(InetSocketAddress to, DhcpMessage m) {
    if (outbox.size() >= MAX_OUTBOX) {
      outbox.poll();
    }
    outbox.add(new Transmit(to, ByteBuffer.wrap(m.encode())));
  }

  private void event(DhcpClientEvent e) {
    if (events.size() >= MAX_EVENTS) {
      events.poll();
      lostEvents++;
    }
    events.add(e);
  }

  // ------------------------------------------------------------------ configuration

  /** Configures a {@link DhcpClient}. */
  public static final class Builder {
    /** The default parameter request list: 1, 3, 6, 15, 51, 54, 58, 59, 66, 67. */
    public static final List<Integer> DEFAULT_PARAMETERS =
        List.of(1, 3, 6, 15, 51, 54, 58, 59, 66, 67);

    private final MacAddress mac;
    private ClientId clientId;
    private List<Integer> parameters = DEFAULT_PARAMETERS;
    private String hostName;
    private Long leaseSeconds;
    private RandomGenerator random;
    private int serverPort = 67;
    private InetSocketAddress serverAddress;
    private boolean broadcastFlag = true;
    private Duration offerWait = Duration.ZERO;
    private int maxRequestRetransmits = 4;
    private Ipv4Address previousAddress;

    private Builder(MacAddress mac) {
      this.mac = Objects.requireNonNull(mac, "mac");
    }

    /** The client identifier (option 61) to send. Default: none (the server keys on chaddr). */
    public Builder clientId(ClientId clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /**
     * The parameter request list (option 55); empty sends none. Default: {@link
     * #DEFAULT_PARAMETERS}.
     */
    public Builder parameterRequestList(List<Integer> codes) {
      for (Integer c : codes) {
        if (c == null || c < 1 || c > 254) {
          throw new IllegalArgumentException("option code out of 1-254: " + c);
        }
      }
      this.parameters = List.copyOf(codes);
      return this;
    }

    /** A host name (option 12) to send. Default: none. */
    public Builder hostName(String hostName) {
      this.hostName = Objects.requireNonNull(hostName, "hostName");
      return this;
    }

    /** A lease time (option 51) to ask for. Default: none (the server's choice). */
    public Builder leaseTime(Duration leaseTime) {
      long s = leaseTime.toSeconds();
      if (s < 1 || s > DhcpLease.INFINITE) {
        throw new IllegalArgumentException("lease time out of range: " + leaseTime);
      }
      this.leaseSeconds = s;
      return this;
    }

    /** The source of xids and jitter. Default: a fresh {@link SplittableRandom}. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The servers' port. Default 67; another for tests on high ports. */
    public Builder serverPort(int port) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.serverPort = port;
      return this;
    }

    /**
     * Sends every message (broadcasts included) to {@code address} instead of 255.255.255.255 or
     * the server identifier: for tests on loopback, or a client that knows its server. Default:
     * off.
     */
    public Builder serverAddress(InetSocketAddress address) {
      this.serverAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Whether to set the broadcast flag until bound, asking servers and relays to broadcast their
     * replies. Default true: a plain UDP socket cannot receive a unicast to an address its
     * interface does not have yet.
     */
    public Builder broadcastFlag(boolean on) {
      this.broadcastFlag = on;
      return this;
    }

    /**
     * How long to collect offers after the first before choosing one (an offer for the previous
     * address wins, else the first). Default zero: the first offer is taken at once.
     */
    public Builder offerWait(Duration wait) {
      if (wait.isNegative()) {
        throw new IllegalArgumentException("negative wait: " + wait);
      }
      this.offerWait = wait;
      return this;
    }

    /**
     * Retransmissions of a REQUEST in REQUESTING or REBOOTING before starting over. Default 4 (sent
     * at about 0, 4, 12, 28 and 60 s).
     */
    public Builder maxRequestRetransmits(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("negative: " + n);
      }
      this.maxRequestRetransmits = n;
      return this;
    }

    /**
     * An address held before (from a previous run): {@link #start} begins in INIT-REBOOT, asking
     * for it, and later DISCOVERs ask for it too (option 50). Default: none.
     */
    public Builder previousAddress(Ipv4Address address) {
      this.previousAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The client, in {@link DhcpClientState#INIT}; call {@link DhcpClient#start} to begin. */
    public DhcpClient build() {
      return new DhcpClient(this);
    }
  }
}
