package dev.headend.core.net;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An IPv6 address held as two 64-bit halves.
 *
 * @param high bits 0-63 (the first 8 bytes, network order)
 * @param low bits 64-127
 */
public record Ipv6Address(long high, long low) implements IpAddress {

  /** {@code ::} */
  public static final Ipv6Address ANY = new Ipv6Address(0, 0);

  /** {@code ::1} */
  public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);

  /**
   * Parses an RFC 4291 §2.2 literal: eight groups, {@code ::} compression, an embedded IPv4 tail.
   *
   * @throws AddressFormatException saying what is wrong and at which index
   */
  public static Ipv6Address parse(CharSequence text) {
    return AddressText.parseIpv6(text, 0, text.length());
  }

  /**
   * The address in 16 network-order bytes.
   *
   * @throws IllegalArgumentException for any other length
   */
  public static Ipv6Address ofBytes(byte[] bytes) {
    if (bytes.length != 16) {
      throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new Ipv6Address(b.getLong(), b.getLong());
  }

  /** {@code ::ffff:a.b.c.d}, the IPv4-mapped form (RFC 4291 §2.5.5.2) of an IPv4 address. */
  public static Ipv6Address mapped(Ipv4Address v4) {
    return new Ipv6Address(0, 0xffff_0000_0000L | v4.toUnsignedLong());
  }

  /** Whether this is an IPv4-mapped address, {@code ::ffff:0:0/96}. */
  public boolean isIpv4Mapped() {
    return high == 0 && low >>> 32 == 0xffffL;
  }

  /**
   * The IPv4 address inside an IPv4-mapped one.
   *
   * @throws IllegalStateException if this is not IPv4-mapped
   */
  public Ipv4Address toIpv4() {
    if (!isIpv4Mapped()) {
      throw new IllegalStateException(this + " is not an IPv4-mapped address");
    }
    return new Ipv4Address((int) low);
  }

  /** The 16-bit group at {@code index} (0-7), as written in text. */
  public int group(int index) {
    return AddressText.group(high, low, Objects.checkIndex(index, 8));
  }

  /** Writes the 16 bytes at the buffer's position, advancing it. */
  public void writeTo(ByteBuffer out) {
    out.putLong(high).putLong(low);
  }

  @Override
  public int bitLength() {
    return 128;
  }

  @Override
  public byte[] toBytes() {
    byte[] b = new byte[16];
    ByteBuffer.wrap(b).putLong(high).putLong(low);
    return b;
  }

  @Override
  public Inet6Address toInetAddress() {
    try {
      // Inet6Address.getByAddress keeps a mapped address as IPv6; InetAddress.getByAddress would
      // not
      return Inet6Address.getByAddress(null, toBytes(), -1);
    } catch (UnknownHostException e) {
      throw new AssertionError("16 bytes is always a valid IPv6 address", e);
    }
  }

  @Override
  public Ipv6Address mask(int prefixLength) {
    Objects.checkIndex(prefixLength, 129);
    return new Ipv6Address(high & maskHigh(prefixLength), low & maskLow(prefixLength));
  }

  static long maskHigh(int prefixLength) {
    return prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
  }

  static long maskLow(int prefixLength) {
    return prefixLength <= 64 ? 0 : -1L << (128 - prefixLength);
  }

  @Override
  public boolean testBit(int index) {
    Objects.checkIndex(index, 128);
    return index < 64 ? (high << index) < 0 : (low << (index - 64)) < 0;
  }

  @Override
  public boolean isUnspecified() {
    return high == 0 && low == 0;
  }

  @Override
  public boolean isLoopback() {
    return high == 0 && low == 1;
  }

  @Override
  public boolean isMulticast() {
    return high >>> 56 == 0xff;
  }

  @Override
  public boolean isLinkLocal() {
    return high >>> 54 == 0x3fa; // fe80::/10
  }

  @Override
  public int compareTo(IpAddress other) {
    if (other instanceof Ipv6Address o) {
      int c = Long.compareUnsigned(high, o.high);
      return c != 0 ? c : Long.compareUnsigned(low, o.low);
    }
    return 1;
  }

  @Override
  public String toString() {
    return AddressText.formatIpv6(high, low);
  }
}
