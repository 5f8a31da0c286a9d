package dev.headend.core.net;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A 48-bit IEEE 802 MAC address (EUI-48).
 *
 * <p>Reads {@code 00:1a:2b:3c:4d:5e}, {@code 00-1A-2B-3C-4D-5E}, {@code 001a.2b3c.4d5e} (Cisco) and
 * {@code 001a2b3c4d5e}; always writes the lowercase colon form.
 *
 * @param value the 48 address bits in the low bits of the long, first octet most significant
 */
public record MacAddress(long value) implements Comparable<MacAddress> {

  /** ff:ff:ff:ff:ff:ff */
  public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

  /**
   * @throws IllegalArgumentException if {@code value} has bits above the 48th
   */
  public MacAddress {
    if (value >>> 48 != 0) {
      throw new IllegalArgumentException(
          "a MAC address has 48 bits; 0x" + Long.toHexString(value) + " has more");
    }
  }

  /**
   * Parses one of the four text forms.
   *
   * @throws AddressFormatException saying what is wrong and at which index
   */
  public static MacAddress parse(CharSequence text) {
    int n = text.length();
    return switch (n) {
      case 17 -> parseGrouped(text, 2, text.charAt(2));
      case 14 -> parseGrouped(text, 4, '.');
      case 12 -> parseGrouped(text, 12, '\0');
      default ->
          throw new AddressFormatException(
              text,
              0,
              "a MAC address is written aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or"
                  + " aabbccddeeff, not "
                  + n
                  + " characters");
    };
  }

  /**
   * The address in 6 bytes.
   *
   * @throws IllegalArgumentException for any other length
   */
  public static MacAddress ofBytes(byte[] bytes) {
    if (bytes.length != 6) {
      throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
    }
    long v = 0;
    for (byte b : bytes) {
      v = v << 8 | (b & 0xff);
    }
    return new MacAddress(v);
  }

  /** Reads 6 bytes at {@code offset} of {@code buffer} without moving its position. */
  public static MacAddress readFrom(ByteBuffer buffer, int offset) {
    Objects.checkFromIndexSize(offset, 6, buffer.limit());
    long v = 0;
    for (int i = 0; i < 6; i++) {
      v = v << 8 | (buffer.get(offset + i) & 0xff);
    }
    return new MacAddress(v);
  }

  /** The 6 bytes, first octet first, in a fresh array. */
  public byte[] toBytes() {
    byte[] b = new byte[6];
    for (int i = 0; i < 6; i++) {
      b[i] = (byte) (value >>> (40 - 8 * i));
    }
    return b;
  }

  /** Writes the 6 bytes at the buffer's position, advancing it. */
  public void writeTo(ByteBuffer out) {
    out.putShort((short) (value >>> 32)).putInt((int) value);
  }

  /** The Organizationally Unique Identifier, the first 24 bits. */
  public int oui() {
    return (int) (value >>> 24);
  }

  /** Group (multicast or broadcast) address: the I/G bit of the first octet is set. */
  public boolean isMulticast() {
    return (value >>> 40 & 1) != 0;
  }

  /** Locally administered (not vendor-assigned): the U/L bit of the first octet is set. */
  public boolean isLocallyAdministered() {
    return (value >>> 40 & 2) != 0;
  }

  /** ff:ff:ff:ff:ff:ff */
  public boolean isBroadcast() {
    return value == BROADCAST.value;
  }

  @Override
  public int compareTo(MacAddress other) {
    return Long.compare(value, other.value);
  }

  /** Lowercase, colon-separated: {@code 00:1a:2b:3c:4d:5e}. */
  @Override
  public String toString() {
    char[] c = new char[17];
    for (int i = 0; i < 6; i++) {
      int octet = (int) (value >>> (40 - 8 * i)) & 0xff;
      c[3 * i] = Character.forDigit(octet >>> 4, 16);
      c[3 * i + 1] = Character.forDigit(octet & 0xf, 16);
      if (i < 5) {
        c[3 * i + 2] = ':';
      }
    }
    return new String(c);
  }

  /** Hex digits in groups of {@code groupSize}, groups separated by {@code separator}. */
  private static MacAddress parseGrouped(CharSequence text, int groupSize, char separator) {
    if (groupSize == 2 && separator != ':' && separator != '-') {
      throw new AddressFormatException(
          text, 2, "expected ':' or '-' but found " + AddressText.describe(text, 2, text.length()));
    }
    long v = 0;
    int digits = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int h = AddressText.hexValue(c);
      if (h >= 0) {
        if (digits > 0 && digits % groupSize == 0 && text.charAt(i - 1) != separator) {
          throw new AddressFormatException(
              text, i, "expected '" + separator + "' before this group");
        }
        v = v << 4 | h;
        digits++;
      } else if (c != separator
          || digits == 0
          || digits % groupSize != 0
          || i == text.length() - 1
          || text.charAt(i - 1) == separator) {
        throw new AddressFormatException(
            text, i, "unexpected " + AddressText.describe(text, i, text.length()));
      }
    }
    if (digits != 12) {
      throw new AddressFormatException(
          text, text.length(), "a MAC address has 12 hex digits, not " + digits);
    }
    return new MacAddress(v);
  }
}
