package dev.headend.core.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An IPv4 address held as its 32 bits.
 *
 * @param value the address bits, most significant octet first ({@code 0x0a000001} is 10.0.0.1)
 */
public record Ipv4Address(int value) implements IpAddress {

  /** 0.0.0.0 */
  public static final Ipv4Address ANY = new Ipv4Address(0);

  /** 255.255.255.255, the limited broadcast address. */
  public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

  /**
   * Parses a dotted quad: four decimal octets 0-255 without leading zeros.
   *
   * @throws AddressFormatException saying what is wrong and at which index
   */
  public static Ipv4Address parse(CharSequence text) {
    return new Ipv4Address(AddressText.parseIpv4(text, 0, text.length()));
  }

  /**
   * The address in 4 network-order bytes.
   *
   * @throws IllegalArgumentException for any other length
   */
  public static Ipv4Address ofBytes(byte[] bytes) {
    if (bytes.length != 4) {
      throw new IllegalArgumentException("an IPv4 address has 4 bytes, not " + bytes.length);
    }
    return new Ipv4Address(
        (bytes[0] & 0xff) << 24
            | (bytes[1] & 0xff) << 16
            | (bytes[2] & 0xff) << 8
            | bytes[3] & 0xff);
  }

  /** The netmask of a prefix length: {@code netmask(24)} is 255.255.255.0. */
  public static Ipv4Address netmask(int prefixLength) {
    Objects.checkIndex(prefixLength, 33);
    return new Ipv4Address(maskBits(prefixLength));
  }

  static int maskBits(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  /** The address as an unsigned number, 0 to 2<sup>32</sup>-1. */
  public long toUnsignedLong() {
    return Integer.toUnsignedLong(value);
  }

  /** Writes the 4 bytes at the buffer's position, advancing it. */
  public void writeTo(ByteBuffer out) {
    out.putInt(value);
  }

  @Override
  public int bitLength() {
    return 32;
  }

  @Override
  public byte[] toBytes() {
    return new byte[] {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
  }

  @Override
  public Inet4Address toInetAddress() {
    try {
      return (Inet4Address) InetAddress.getByAddress(toBytes());
    } catch (UnknownHostException e) {
      throw new AssertionError("4 bytes is always a valid IPv4 address", e);
    }
  }

  @Override
  public Ipv4Address mask(int prefixLength) {
    return new Ipv4Address(value & maskBits(Objects.checkIndex(prefixLength, 33)));
  }

  @Override
  public boolean testBit(int index) {
    return (value << Objects.checkIndex(index, 32)) < 0;
  }

  @Override
  public boolean isUnspecified() {
    return value == 0;
  }

  @Override
  public boolean isLoopback() {
    return value >>> 24 == 127;
  }

  @Override
  public boolean isMulticast() {
    return value >>> 28 == 0xe;
  }

  @Override
  public boolean isLinkLocal() {
    return value >>> 16 == 0xa9fe;
  }

  /** 255.255.255.255 */
  public boolean isBroadcast() {
    return value == -1;
  }

  @Override
  public int compareTo(IpAddress other) {
    return other instanceof Ipv4Address o ? Integer.compareUnsigned(value, o.value) : -1;
  }

  @Override
  public String toString() {
    return AddressText.formatIpv4(value);
  }
}
