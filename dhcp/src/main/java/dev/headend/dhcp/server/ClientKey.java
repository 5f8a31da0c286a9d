package dev.headend.dhcp.server;

import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.ClientId;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Who a client is to the server (RFC 2131 §4.2): its client identifier (option 61) when it sends
 * one, else its hardware type and address ({@code htype}, {@code chaddr}). Compared byte for byte.
 */
public final class ClientKey implements Comparable<ClientKey> {
  private static final int KIND_CLIENT_ID = 0;
  private static final int KIND_HARDWARE = 1;

  /** Longest encoded key: a kind byte and an option 61 value of at most 255 bytes. */
  static final int MAX_BYTES = 256;

  private final byte[] bytes; // kind, then the option 61 value or htype + chaddr
  private final int hash;

  private ClientKey(byte[] bytes) {
    this.bytes = bytes;
    this.hash = mix(bytes);
  }

  /**
   * FNV-1a over the bytes, then murmur3's finaliser. {@code Arrays.hashCode} (31-polynomial) maps
   * consecutive MAC addresses — what a vendor's devices and perfdhcp use — onto a few hundred
   * values, which turned the server's maps into chains of tree bins (the erratic JMH {@code dora}
   * numbers).
   */
  private static int mix(byte[] bytes) {
    int h = 0x811c9dc5;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  /**
   * Orders keys by their bytes (unsigned, shorter first on a common prefix), so that hash maps keep
   * O(log n) lookups even when a peer crafts colliding keys.
   */
  @Override
  public int compareTo(ClientKey other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  /** The key of a client that sends {@code clientId} in option 61. */
  public static ClientKey ofClientId(ClientId clientId) {
    byte[] id = clientId.toBytes();
    byte[] b = new byte[id.length + 1];
    b[0] = KIND_CLIENT_ID;
    System.arraycopy(id, 0, b, 1, id.length);
    return new ClientKey(b);
  }

  /** The key of an Ethernet client that sends no option 61. */
  public static ClientKey ofMac(MacAddress mac) {
    return ofHardware(1, mac.toBytes());
  }

  /**
   * The key of a client that sends no option 61: its {@code htype} and the first {@code hlen} bytes
   * of {@code chaddr}.
   *
   * @throws IllegalArgumentException if the type is not 0-255 or the address is over 16 bytes
   */
  public static ClientKey ofHardware(int htype, byte[] address) {
    if (htype < 0 || htype > 255 || address.length > 16) {
      throw new IllegalArgumentException(
          "hardware type " + htype + " with a " + address.length + "-byte address");
    }
    byte[] b = new byte[address.length + 2];
    b[0] = KIND_HARDWARE;
    b[1] = (byte) htype;
    System.arraycopy(address, 0, b, 2, address.length);
    return new ClientKey(b);
  }

  /**
   * A key from {@link #toBytes()}.
   *
   * @throws IllegalArgumentException if {@code bytes} is not such a form
   */
  public static ClientKey fromBytes(byte[] bytes) {
    if (bytes.length < 2
        || bytes.length > MAX_BYTES
        || (bytes[0] != KIND_CLIENT_ID && bytes[0] != KIND_HARDWARE)
        || (bytes[0] == KIND_CLIENT_ID && bytes.length < 3)
        || (bytes[0] == KIND_HARDWARE && bytes.length > 18)) {
      throw new IllegalArgumentException("not a client key: " + HexFormat.of().formatHex(bytes));
    }
    return new ClientKey(bytes.clone());
  }

  /** The key's stable byte form, for stores. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  int length() {
    return bytes.length;
  }

  void copyTo(byte[] dst, int offset) {
    System.arraycopy(bytes, 0, dst, offset, bytes.length);
  }

  /** Whether the key is a client identifier (option 61) rather than a hardware address. */
  public boolean isClientId() {
    return bytes[0] == KIND_CLIENT_ID;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** {@code id:01aabbccddeeff} or {@code hw:1/aabbccddeeff}. */
  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return bytes[0] == KIND_CLIENT_ID
        ? "id:" + hex.formatHex(bytes, 1, bytes.length)
        : "hw:" + (bytes[1] & 0xff) + "/" + hex.formatHex(bytes, 2, bytes.length);
  }
}
