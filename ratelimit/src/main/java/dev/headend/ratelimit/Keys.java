package dev.headend.ratelimit;

import dev.headend.core.net.IpAddress;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import java.util.function.Function;

/** Key mappings for {@link KeyedRateLimiter#keyedBy}. */
public final class Keys {
  private Keys() {}

  /**
   * Maps an address to its enclosing prefix, so that one limit covers a subnet (a client rotating
   * through its IPv6 /64, or a /56 handed to one customer, counts as one).
   *
   * @param ipv4Length prefix length for IPv4 addresses, 0 to 32
   * @param ipv6Length prefix length for IPv6 addresses, 0 to 128
   */
  public static Function<IpAddress, IpPrefix> ipPrefix(int ipv4Length, int ipv6Length) {
    if (ipv4Length < 0 || ipv4Length > 32 || ipv6Length < 0 || ipv6Length > 128) {
      throw new IllegalArgumentException(
          "prefix lengths out of range: IPv4 " + ipv4Length + ", IPv6 " + ipv6Length);
    }
    return address ->
        IpPrefix.containing(address, address instanceof Ipv4Address ? ipv4Length : ipv6Length);
  }
}
