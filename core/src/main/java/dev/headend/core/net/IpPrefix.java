package dev.headend.core.net;

import java.util.Objects;

/**
 * A CIDR prefix: an address whose bits after {@code length} are all zero.
 *
 * <p>Three text forms are read:
 *
 * <ul>
 *   <li>{@link #parse} — {@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 10.0.0.0/255.0.0.0}
 *       (dotted netmask after the slash), or a bare address meaning a single host ({@code /32} or
 *       {@code /128});
 *   <li>{@link #parseWithNetmask} — {@code 10.0.0.0 255.0.0.0}, as in interface configurations;
 *   <li>{@link #parseWithWildcardMask} — {@code 10.0.0.0 0.255.255.255}, as in router ACLs.
 * </ul>
 *
 * The two space-separated forms have their own methods because {@code 0.0.0.0} and {@code
 * 255.255.255.255} are valid as both masks with opposite meanings. Set host bits are an error
 * ({@code 10.0.0.1/8}); use {@link #containing} to mask them off deliberately.
 *
 * @param address the network address, host bits zero
 * @param length the prefix length, 0 to the address's bit length
 */
public record IpPrefix(IpAddress address, int length) implements Comparable<IpPrefix> {

  /**
   * @throws IllegalArgumentException if the length is out of range or host bits are set
   */
  public IpPrefix {
    Objects.requireNonNull(address, "address");
    if (length < 0 || length > address.bitLength()) {
      throw new IllegalArgumentException(
          "prefix length " + length + " is outside 0.." + address.bitLength() + " for " + address);
    }
    if (!address.mask(length).equals(address)) {
      throw new IllegalArgumentException(
          "host bits set in "
              + address
              + "/"
              + length
              + "; the network is "
              + address.mask(length)
              + "/"
              + length);
    }
  }

  /** The prefix of {@code length} bits that contains {@code address} (host bits cleared). */
  public static IpPrefix containing(IpAddress address, int length) {
    return new IpPrefix(address.mask(length), length);
  }

  /** The single-address prefix ({@code /32} or {@code /128}). */
  public static IpPrefix host(IpAddress address) {
    return new IpPrefix(address, address.bitLength());
  }

  /**
   * Parses {@code address/length}, {@code ipv4/netmask} or a bare address (a host prefix).
   *
   * @throws AddressFormatException saying what is wrong and at which index, including set host bits
   *     and non-contiguous netmasks
   */
  public static IpPrefix parse(CharSequence text) {
    int slash = AddressText.indexOf(text, '/', 0);
    if (slash < 0) {
      return host(IpAddress.parse(text));
    }
    IpAddress address = parseAddress(text, 0, slash);
    int length;
    if (address instanceof Ipv4Address && AddressText.indexOf(text, '.', slash + 1) >= 0) {
      int mask = AddressText.parseIpv4(text, slash + 1, text.length());
      length = netmaskLength(mask);
      if (length < 0) {
        throw new AddressFormatException(
            text, slash + 1, "netmask " + AddressText.formatIpv4(mask) + " is not contiguous");
      }
    } else {
      length = AddressText.parseLength(text, slash + 1, text.length(), address.bitLength());
    }
    return checked(text, address, length);
  }

  /**
   * Parses {@code "a.b.c.d m.m.m.m"}: an IPv4 address, whitespace, a contiguous netmask.
   *
   * @throws AddressFormatException saying what is wrong and at which index
   */
  public static IpPrefix parseWithNetmask(CharSequence text) {
    int[] parts = splitAtSpace(text);
    int address = AddressText.parseIpv4(text, 0, parts[0]);
    int mask = AddressText.parseIpv4(text, parts[1], text.length());
    int length = netmaskLength(mask);
    if (length < 0) {
      throw new AddressFormatException(
          text,
          parts[1],
          "netmask "
              + AddressText.formatIpv4(mask)
              + " is not contiguous"
              + (netmaskLength(~mask) >= 0 ? " (it looks like a wildcard mask)" : ""));
    }
    return checked(text, new Ipv4Address(address), length);
  }

  /**
   * Parses {@code "a.b.c.d w.w.w.w"}: an IPv4 address, whitespace, a wildcard (inverse) mask whose
   * set bits mark the bits that may vary, as in {@code 10.0.0.0 0.255.255.255}.
   *
   * @throws AddressFormatException saying what is wrong and at which index, including wildcard
   *     masks that are not contiguous (they describe address sets that are not prefixes)
   */
  public static IpPrefix parseWithWildcardMask(CharSequence text) {
    int[] parts = splitAtSpace(text);
    int address = AddressText.parseIpv4(text, 0, parts[0]);
    int wildcard = AddressText.parseIpv4(text, parts[1], text.length());
    int length = netmaskLength(~wildcard);
    if (length < 0) {
      throw new AddressFormatException(
          text,
          parts[1],
          "wildcard mask "
              + AddressText.formatIpv4(wildcard)
              + " is not contiguous, so it does not describe a prefix"
              + (netmaskLength(wildcard) >= 0 ? " (it looks like a netmask)" : ""));
    }
    return checked(text, new Ipv4Address(address), length);
  }

  /** Whether {@code candidate} is inside this prefix; always false across address families. */
  public boolean contains(IpAddress candidate) {
    if (candidate instanceof Ipv4Address v4 && address instanceof Ipv4Address net) {
      return (v4.value() & Ipv4Address.maskBits(length)) == net.value();
    }
    if (candidate instanceof Ipv6Address v6 && address instanceof Ipv6Address net) {
      return (v6.high() & Ipv6Address.maskHigh(length)) == net.high()
          && (v6.low() & Ipv6Address.maskLow(length)) == net.low();
    }
    return false;
  }

  /** Whether every address of {@code other} is inside this prefix. */
  public boolean contains(IpPrefix other) {
    return other.length >= length && contains(other.address);
  }

  /** Whether the two prefixes share any address (then one contains the other). */
  public boolean overlaps(IpPrefix other) {
    return contains(other) || other.contains(this);
  }

  /** The first address (the network address). */
  public IpAddress first() {
    return address;
  }

  /** The last address (for IPv4, the directed broadcast address when the length is below 31). */
  public IpAddress last() {
    if (address instanceof Ipv4Address v4) {
      return new Ipv4Address(v4.value() | ~Ipv4Address.maskBits(length));
    }
    Ipv6Address v6 = (Ipv6Address) address;
    return new Ipv6Address(
        v6.high() | ~Ipv6Address.maskHigh(length), v6.low() | ~Ipv6Address.maskLow(length));
  }

  /** The netmask ({@code 255.255.255.0} for a /24; for IPv6 the 128-bit mask). */
  public IpAddress netmask() {
    if (address instanceof Ipv4Address) {
      return Ipv4Address.netmask(length);
    }
    return new Ipv6Address(Ipv6Address.maskHigh(length), Ipv6Address.maskLow(length));
  }

  /** The wildcard (inverse) mask ({@code 0.0.0.255} for a /24). */
  public IpAddress wildcardMask() {
    if (address instanceof Ipv4Address) {
      return new Ipv4Address(~Ipv4Address.maskBits(length));
    }
    return new Ipv6Address(~Ipv6Address.maskHigh(length), ~Ipv6Address.maskLow(length));
  }

  /** Whether this is an IPv4 prefix. */
  public boolean isIpv4() {
    return address instanceof Ipv4Address;
  }

  /** IPv4 before IPv6, then by address, then shorter prefixes first. */
  @Override
  public int compareTo(IpPrefix other) {
    int c = address.compareTo(other.address);
    return c != 0 ? c : Integer.compare(length, other.length);
  }

  /** {@code address/length} in canonical form. */
  @Override
  public String toString() {
    return address + "/" + length;
  }

  /** Length of a contiguous netmask, or -1 if the mask has a 0 bit before a 1 bit. */
  static int netmaskLength(int mask) {
    int length = Integer.bitCount(mask);
    return Ipv4Address.maskBits(length) == mask ? length : -1;
  }

  private static IpAddress parseAddress(CharSequence text, int start, int end) {
    return AddressText.indexOf(text, ':', start, end) >= 0
        ? AddressText.parseIpv6(text, start, end)
        : new Ipv4Address(AddressText.parseIpv4(text, start, end));
  }

  private static IpPrefix checked(CharSequence text, IpAddress address, int length) {
    IpAddress network = address.mask(length);
    if (!network.equals(address)) {
      throw new AddressFormatException(
          text,
          0,
          "host bits set in "
              + address
              + "/"
              + length
              + "; the network is "
              + network
              + "/"
              + length);
    }
    return new IpPrefix(address, length);
  }

  /** Returns {end of the first token, start of the second}; exactly one run of blanks between. */
  private static int[] splitAtSpace(CharSequence text) {
    int i = 0;
    while (i < text.length() && !isBlank(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      throw new AddressFormatException(text, i, "expected an address, a space and a mask");
    }
    int j = i;
    while (j < text.length() && isBlank(text.charAt(j))) {
      j++;
    }
    return new int[] {i, j};
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
