package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link LeaseStore} keeps about one address.
 *
 * @param address the address
 * @param client the client it is or was bound to (for {@link State#DECLINED}, the client that
 *     declined it)
 * @param state the binding's state
 * @param time for {@link State#BOUND}, when the lease expires; for {@link State#DECLINED}, when the
 *     quarantine ends; for {@link State#RELEASED} and {@link State#EXPIRED}, when it ended
 */
public record Lease(Ipv4Address address, ClientKey client, State state, Instant time) {

  /** A lease's states. Only a {@link #BOUND} or {@link #DECLINED} address is unavailable. */
  public enum State {
    /** Bound to the client until {@code time}. */
    BOUND,
    /** Given back by the client (DHCPRELEASE); remembered to offer it the same address again. */
    RELEASED,
    /** Ran out; remembered to offer the client the same address again. */
    EXPIRED,
    /** The client found it in use (DHCPDECLINE); quarantined until {@code time}. */
    DECLINED
  }

  /** Checks that no part is null. */
  public Lease {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(time, "time");
  }

  /** This lease in {@code state} with {@code time}. */
  public Lease withState(State state, Instant time) {
    return new Lease(address, client, state, time);
  }

  /** Whether the address is held (bound or quarantined) at {@code now}. */
  public boolean holds(Instant now) {
    return (state == State.BOUND || state == State.DECLINED) && time.isAfter(now);
  }
}
