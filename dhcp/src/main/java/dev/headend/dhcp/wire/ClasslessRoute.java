package dev.headend.dhcp.wire;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import java.util.Objects;

/**
 * One route of the classless static route option (121, RFC 3442): packets for {@code destination}
 * go to {@code router}. A {@code 0.0.0.0/0} destination is a default route; a router of {@code
 * 0.0.0.0} means the destination is on the link.
 *
 * @param destination an IPv4 prefix, length 0 to 32
 * @param router the next hop
 */
public record ClasslessRoute(IpPrefix destination, Ipv4Address router) {
  /**
   * @throws IllegalArgumentException if the destination is not an IPv4 prefix
   */
  public ClasslessRoute {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(router, "router");
    if (!destination.isIpv4()) {
      throw new IllegalArgumentException("not an IPv4 destination: " + destination);
    }
  }

  /** The route to {@code destination} (CIDR text, {@code 10.0.0.0/8}) through {@code router}. */
  public static ClasslessRoute of(String destination, String router) {
    return new ClasslessRoute(IpPrefix.parse(destination), Ipv4Address.parse(router));
  }

  @Override
  public String toString() {
    return destination + " via " + router;
  }
}
