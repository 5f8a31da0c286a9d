package dev.headend.dhcp.server;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.ClientId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One IPv4 subnet a server hands addresses out on: its prefix, address pools (ranges), options,
 * lease times and reservations. Immutable.
 *
 * <pre>{@code
 * Subnet lan = Subnet.builder(IpPrefix.parse("10.99.0.0/24"))
 *     .pool(Ipv4Address.parse("10.99.0.100"), Ipv4Address.parse("10.99.0.199"))
 *     .options(OptionSet.builder().routers(List.of(Ipv4Address.parse("10.99.0.1"))).build())
 *     .leaseTime(Duration.ofHours(1))
 *     .reserve(Reservation.forMac(MacAddress.parse("02:00:00:00:00:01"),
 *         Ipv4Address.parse("10.99.0.10")))
 *     .build();
 * }</pre>
 */
public final class Subnet {
  private final IpPrefix prefix;
  private final int network;
  private final int broadcast;
  private final int[] poolFirst;
  private final int[] poolLast;
  private final OptionSet options;
  private final long leaseSeconds;
  private final long maxLeaseSeconds;
  private final long minLeaseSeconds;
  private final List<Reservation> reservations;
  private final Map<MacAddress, Reservation> byMac = new HashMap<>();
  private final Map<ClientId, Reservation> byClientId = new HashMap<>();
  private final Map<Integer, Reservation> byAddress = new HashMap<>();

  private Subnet(Builder b) {
    this.prefix = b.prefix;
    Ipv4Address first = (Ipv4Address) prefix.first();
    Ipv4Address last = (Ipv4Address) prefix.last();
    this.network = first.value();
    this.broadcast = last.value();
    int n = b.pools.size();
    this.poolFirst = new int[n];
    this.poolLast = new int[n];
    for (int i = 0; i < n; i++) {
      poolFirst[i] = b.pools.get(i)[0];
      poolLast[i] = b.pools.get(i)[1];
    }
    this.options = b.options;
    this.leaseSeconds = b.lease.toSeconds();
    this.maxLeaseSeconds = b.maxLease.toSeconds();
    this.minLeaseSeconds = b.minLease.toSeconds();
    this.reservations = List.copyOf(b.reservations);
    for (Reservation r : reservations) {
      if (byAddress.put(r.address().value(), r) != null) {
        throw new IllegalArgumentException(r.address() + " is reserved twice");
      }
      if (r.mac() != null && byMac.put(r.mac(), r) != null) {
        throw new IllegalArgumentException(r.mac() + " has two reservations");
      }
      if (r.clientId() != null && byClientId.put(r.clientId(), r) != null) {
        throw new IllegalArgumentException(r.clientId() + " has two reservations");
      }
    }
  }

  /** A builder for the subnet {@code prefix} (IPv4, at most /30). */
  public static Builder builder(IpPrefix prefix) {
    return new Builder(prefix);
  }

  /** The subnet's prefix. */
  public IpPrefix prefix() {
    return prefix;
  }

  /** The subnet mask (option 1). */
  public Ipv4Address netmask() {
    return (Ipv4Address) prefix.netmask();
  }

  /** The options given to every client here. */
  public OptionSet options() {
    return options;
  }

  /** The lease time given when the client asks for none. */
  public Duration leaseTime() {
    return Duration.ofSeconds(leaseSeconds);
  }

  /** The reservations. */
  public List<Reservation> reservations() {
    return reservations;
  }

  /** Whether {@code a} is in the subnet (network and broadcast addresses included). */
  boolean contains(int a) {
    return Integer.compareUnsigned(a, network) >= 0 && Integer.compareUnsigned(a, broadcast) <= 0;
  }

  /** Whether {@code a} can be given to a client at all: in the subnet, not network/broadcast. */
  boolean assignable(int a) {
    return contains(a) && a != network && a != broadcast;
  }

  boolean inPool(int a) {
    for (int i = 0; i < poolFirst.length; i++) {
      if (Integer.compareUnsigned(a, poolFirst[i]) >= 0
          && Integer.compareUnsigned(a, poolLast[i]) <= 0) {
        return true;
      }
    }
    return false;
  }

  int pools() {
    return poolFirst.length;
  }

  int poolFirst(int i) {
    return poolFirst[i];
  }

  int poolLast(int i) {
    return poolLast[i];
  }

  long poolSize() {
    long n = 0;
    for (int i = 0; i < poolFirst.length; i++) {
      n += (poolLast[i] & 0xffffffffL) - (poolFirst[i] & 0xffffffffL) + 1;
    }
    return n;
  }

  /** The lease granted when the client asks for {@code requested} seconds (or -1 for none). */
  long grant(long requested) {
    if (requested < 0) {
      return leaseSeconds;
    }
    return Math.max(minLeaseSeconds, Math.min(maxLeaseSeconds, requested));
  }

  Reservation reservationFor(MacAddress mac, ClientId clientId) {
    if (clientId != null) {
      Reservation r = byClientId.get(clientId);
      if (r != null) {
        return r;
      }
    }
    return mac == null ? null : byMac.get(mac);
  }

  Reservation reservationAt(int address) {
    return byAddress.get(address);
  }

  @Override
  public String toString() {
    return "Subnet " + prefix;
  }

  /** Builds a {@link Subnet}. */
  public static final class Builder {
    private final IpPrefix prefix;
    private final List<int[]> pools = new ArrayList<>();
    private OptionSet options = OptionSet.EMPTY;
    private Duration lease = Duration.ofHours(1);
    private Duration maxLease = Duration.ofDays(1);
    private Duration minLease = Duration.ofMinutes(1);
    private final List<Reservation> reservations = new ArrayList<>();

    private Builder(IpPrefix prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!prefix.isIpv4() || prefix.length() > 30) {
        throw new IllegalArgumentException("not an IPv4 subnet of 4 addresses or more: " + prefix);
      }
      this.prefix = prefix;
    }

    /**
     * Adds the pool {@code first}-{@code last} (inclusive). The network and broadcast addresses are
     * never handed out even if a pool covers them.
     *
     * @throws IllegalArgumentException if the range is empty, outside the subnet, or overlaps
     *     another pool
     */
    public Builder pool(Ipv4Address first, Ipv4Address last) {
      if (!prefix.contains(first) || !prefix.contains(last)) {
        throw new IllegalArgumentException(first + "-" + last + " is not inside " + prefix);
      }
      int f = first.value();
      int l = last.value();
      if (Integer.compareUnsigned(f, l) > 0) {
        throw new IllegalArgumentException("empty pool " + first + "-" + last);
      }
      for (int[] p : pools) {
        if (Integer.compareUnsigned(f, p[1]) <= 0 && Integer.compareUnsigned(l, p[0]) >= 0) {
          throw new IllegalArgumentException(first + "-" + last + " overlaps another pool");
        }
      }
      pools.add(new int[] {f, l});
      return this;
    }

    /** The options every client here gets (host options of a reservation replace them). */
    public Builder options(OptionSet options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** The lease time when the client asks for none (option 51). Default: one hour. */
    public Builder leaseTime(Duration lease) {
      this.lease = positive(lease);
      return this;
    }

    /** Bounds on the lease time a client may ask for. Default: one minute to one day. */
    public Builder leaseTimeBounds(Duration min, Duration max) {
      if (positive(min).compareTo(positive(max)) > 0) {
        throw new IllegalArgumentException("min " + min + " > max " + max);
      }
      this.minLease = min;
      this.maxLease = max;
      return this;
    }

    /** Adds a reservation; its address must be in the subnet (in a pool or not). */
    public Builder reserve(Reservation reservation) {
      if (!prefix.contains(reservation.address())) {
        throw new IllegalArgumentException(reservation + " is not inside " + prefix);
      }
      reservations.add(reservation);
      return this;
    }

    /**
     * The subnet.
     *
     * @throws IllegalArgumentException if reservations clash, or the lease time is outside its
     *     bounds
     */
    public Subnet build() {
      if (lease.compareTo(minLease) < 0 || lease.compareTo(maxLease) > 0) {
        throw new IllegalArgumentException(
            "lease time " + lease + " is outside " + minLease + "-" + maxLease);
      }
      return new Subnet(this);
    }

    private static Duration positive(Duration d) {
      if (d.isNegative() || d.isZero() || d.toSeconds() > 0xffff_fffeL) {
        throw new IllegalArgumentException("not a lease time: " + d);
      }
      return d;
    }
  }
}
