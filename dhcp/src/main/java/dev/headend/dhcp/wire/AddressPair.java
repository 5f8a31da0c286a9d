package dev.headend.dhcp.wire;

import dev.headend.core.net.Ipv4Address;
import java.util.Objects;

/**
 * Two IPv4 addresses sent together: an address and its mask in a policy filter (option 21), or a
 * destination and its router in a static route (option 33, RFC 2132 §5.8).
 *
 * @param first the address, or the route's destination
 * @param second the mask, or the route's router
 */
public record AddressPair(Ipv4Address first, Ipv4Address second) {
  /** Both addresses are required. */
  public AddressPair {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
  }
}
