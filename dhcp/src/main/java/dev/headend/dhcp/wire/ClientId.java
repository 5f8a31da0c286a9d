package dev.headend.dhcp.wire;

import dev.headend.core.net.MacAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A client identifier, option 61 (RFC 2132 §9.14): a type byte and at least one byte of identifier.
 * Type 1 with 6 bytes is an Ethernet address, type 0 an opaque value (often text), type 255 an RFC
 * 4361 IAID and DUID. Compared byte for byte.
 */
public final class ClientId {
  /** Type 0: an identifier that is not a hardware address. */
  public static final int TYPE_OTHER = 0;

  /** Type 1: an Ethernet (10Mb) hardware address. */
  public static final int TYPE_ETHERNET = 1;

  /** Type 255: an RFC 4361 node-specific identifier (IAID, then a DUID). */
  public static final int TYPE_IAID_DUID = 255;

  private final byte[] wire;

  private ClientId(byte[] wire) {
    this.wire = wire;
  }

  /**
   * The identifier {@code identifier} of type {@code type}.
   *
   * @throws IllegalArgumentException if the type is not 0-255 or the identifier is empty
   */
  public static ClientId of(int type, byte[] identifier) {
    if (type < 0 || type > 255) {
      throw new IllegalArgumentException("client identifier type " + type + " is not 0-255");
    }
    if (identifier.length == 0) {
      throw new IllegalArgumentException("a client identifier needs at least one byte after type");
    }
    byte[] w = new byte[identifier.length + 1];
    w[0] = (byte) type;
    System.arraycopy(identifier, 0, w, 1, identifier.length);
    return new ClientId(w);
  }

  /** The identifier most clients send: type 1 and their Ethernet address. */
  public static ClientId ofMac(MacAddress mac) {
    return of(TYPE_ETHERNET, mac.toBytes());
  }

  /**
   * The identifier in its option 61 form: the type byte, then the identifier.
   *
   * @throws IllegalArgumentException if there are fewer than 2 bytes
   */
  public static ClientId fromBytes(byte[] wire) {
    if (wire.length < 2) {
      throw new IllegalArgumentException(
          "a client identifier has at least 2 bytes, not " + wire.length);
    }
    return new ClientId(wire.clone());
  }

  static ClientId wrap(byte[] wire) {
    return new ClientId(wire);
  }

  /** The type byte, 0-255. */
  public int type() {
    return wire[0] & 0xff;
  }

  /** The identifier after the type byte, in a fresh array. */
  public byte[] identifier() {
    return Arrays.copyOfRange(wire, 1, wire.length);
  }

  /** The Ethernet address, if the type is 1 and the identifier has 6 bytes. */
  public Optional<MacAddress> macAddress() {
    return type() == TYPE_ETHERNET && wire.length == 7
        ? Optional.of(MacAddress.ofBytes(identifier()))
        : Optional.empty();
  }

  /** The option 61 value: type byte, then identifier, in a fresh array. */
  public byte[] toBytes() {
    return wire.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientId other && Arrays.equals(wire, other.wire);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wire);
  }

  /** The type and identifier in hex, {@code 01:00:0c:01:02:03:04}. */
  @Override
  public String toString() {
    return HexFormat.ofDelimiter(":").formatHex(wire);
  }
}
