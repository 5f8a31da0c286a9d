package dev.headend.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address as a value: parsed and formatted without any name lookup, compared by
 * family (IPv4 first) and then numerically.
 *
 * <pre>{@code
 * IpAddress a = IpAddress.parse("2001:db8::1");
 * IpPrefix net = IpPrefix.parse("2001:db8::/32");
 * boolean inside = net.contains(a);            // true
 * String canonical = a.toString();             // RFC 5952 form
 * }</pre>
 */
public sealed interface IpAddress extends Comparable<IpAddress> permits Ipv4Address, Ipv6Address {

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal (RFC 4291 §2.2). Text containing ':' is read as
   * IPv6. Host names, zone indexes, brackets and legacy IPv4 forms ({@code 10.1}, octal, hex) are
   * refused.
   *
   * @throws AddressFormatException saying what is wrong and at which index
   */
  static IpAddress parse(CharSequence text) {
    return AddressText.indexOf(text, ':', 0) >= 0
        ? AddressText.parseIpv6(text, 0, text.length())
        : new Ipv4Address(AddressText.parseIpv4(text, 0, text.length()));
  }

  /**
   * The address in 4 or 16 network-order bytes.
   *
   * @throws IllegalArgumentException for any other length
   */
  static IpAddress ofBytes(byte[] bytes) {
    return switch (bytes.length) {
      case 4 -> Ipv4Address.ofBytes(bytes);
      case 16 -> Ipv6Address.ofBytes(bytes);
      default ->
          throw new IllegalArgumentException(
              "an IP address has 4 or 16 bytes, not " + bytes.length);
    };
  }

  /** The address of a JDK {@link InetAddress}; an IPv6 scope id is dropped. No lookup is made. */
  static IpAddress of(InetAddress address) {
    Objects.requireNonNull(address, "address");
    if (address instanceof Inet4Address) {
      return Ipv4Address.ofBytes(address.getAddress());
    }
    if (address instanceof Inet6Address) {
      return Ipv6Address.ofBytes(address.getAddress());
    }
    throw new IllegalArgumentException("unknown address family: " + address.getClass());
  }

  /** 32 for IPv4, 128 for IPv6. */
  int bitLength();

  /** The address in network byte order (4 or 16 bytes), a fresh array. */
  byte[] toBytes();

  /**
   * The equivalent JDK address, without any lookup. IPv6 stays an {@link Inet6Address} even when it
   * is IPv4-mapped.
   */
  InetAddress toInetAddress();

  /** This address with every bit after the first {@code prefixLength} cleared. */
  IpAddress mask(int prefixLength);

  /** Whether bit {@code index} (0 = most significant) is set. */
  boolean testBit(int index);

  /** {@code 0.0.0.0} or {@code ::}. */
  boolean isUnspecified();

  /** {@code 127.0.0.0/8} or {@code ::1}. */
  boolean isLoopback();

  /** {@code 224.0.0.0/4} or {@code ff00::/8}. */
  boolean isMulticast();

  /** {@code 169.254.0.0/16} or {@code fe80::/10}. */
  boolean isLinkLocal();

  /** Canonical text: dotted quad, or RFC 5952 for IPv6. */
  @Override
  String toString();
}
