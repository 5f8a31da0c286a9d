package dev.headend.dhcp.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The client FQDN option, 81 (RFC 4702): flags saying who updates DNS, two RCODE bytes, and the
 * client's domain name.
 *
 * <p>With the {@link #FLAG_E E} flag the name is in DNS wire format (RFC 4702 §2.3.1, the form to
 * send); {@link #domainName()} gives it as text, labels joined by dots, ending with a dot when the
 * name is fully qualified, and with {@code \.}, {@code \\} and {@code \DDD} escapes for bytes that
 * are not printable ASCII. Without E the name is the deprecated ASCII form, one character per byte,
 * and is returned as it is. Compared byte for byte.
 *
 * <pre>{@code
 * ClientFqdn fqdn = ClientFqdn.of(ClientFqdn.FLAG_S | ClientFqdn.FLAG_E, "host.example.com.");
 * }</pre>
 */
public final class ClientFqdn {
  /** S: the server should perform the A RR (forward) update. */
  public static final int FLAG_S = 0x01;

  /** O: the server has overridden the client's S preference (servers only). */
  public static final int FLAG_O = 0x02;

  /** E: the name is in canonical DNS wire format. */
  public static final int FLAG_E = 0x04;

  /** N: the server should perform no DNS updates; S must then be 0. */
  public static final int FLAG_N = 0x08;

  private final byte[] wire;
  private final String name;

  private ClientFqdn(byte[] wire, String name) {
    this.wire = wire;
    this.name = name;
  }

  /**
   * An option from a client: RCODE1 and RCODE2 zero.
   *
   * @see #of(int, int, int, String)
   */
  public static ClientFqdn of(int flags, String domainName) {
    return of(flags, 0, 0, domainName);
  }

  /**
   * An option with the given flags, RCODEs and name. With {@link #FLAG_E} the name is text as
   * {@link #domainName()} returns it ({@code "host.example.com."} fully qualified, {@code "host"}
   * partial, {@code ""} none); without, it is written one byte per character.
   *
   * @throws IllegalArgumentException if a value is out of its byte range, or the name cannot be
   *     encoded (empty or long labels, non-ASCII characters, over 255 bytes)
   */
  public static ClientFqdn of(int flags, int rcode1, int rcode2, String domainName) {
    Objects.requireNonNull(domainName, "domainName");
    Codecs.checkU8(flags, "flags");
    Codecs.checkU8(rcode1, "rcode1");
    Codecs.checkU8(rcode2, "rcode2");
    byte[] name =
        (flags & FLAG_E) != 0
            ? DomainNames.toWire(domainName)
            : Codecs.latin1(domainName, "client FQDN");
    byte[] w = new byte[3 + name.length];
    w[0] = (byte) flags;
    w[1] = (byte) rcode1;
    w[2] = (byte) rcode2;
    System.arraycopy(name, 0, w, 3, name.length);
    try {
      return decode(OptionValue.detached("client FQDN", w));
    } catch (MalformedDhcpMessageException e) {
      throw new IllegalArgumentException(e.reason(), e);
    }
  }

  static ClientFqdn decode(OptionValue v) throws MalformedDhcpMessageException {
    v.requireAtLeast(3);
    int n = v.length();
    String name = (v.u8(0) & FLAG_E) != 0 ? DomainNames.toText(v, 3, n) : v.latin1(3, n);
    return new ClientFqdn(v.bytes(), name);
  }

  /** The flags byte; bits other than S, O, E and N are reserved and kept as sent. */
  public int flags() {
    return wire[0] & 0xff;
  }

  /** S: the client asks the server to update the A record. */
  public boolean serverUpdate() {
    return (wire[0] & FLAG_S) != 0;
  }

  /** O: the server overrode the client's S preference. */
  public boolean overridden() {
    return (wire[0] & FLAG_O) != 0;
  }

  /** E: the name is in DNS wire format. */
  public boolean wireFormat() {
    return (wire[0] & FLAG_E) != 0;
  }

  /** N: no server DNS updates. */
  public boolean noServerUpdate() {
    return (wire[0] & FLAG_N) != 0;
  }

  /** RCODE1 (RFC 4702 §2.2: 0 from clients, 255 from servers). */
  public int rcode1() {
    return wire[1] & 0xff;
  }

  /** RCODE2 (RFC 4702 §2.2: 0 from clients, 255 from servers). */
  public int rcode2() {
    return wire[2] & 0xff;
  }

  /** The name as text (see the class description); empty when the option carries none. */
  public String domainName() {
    return name;
  }

  /**
   * Whether the name is fully qualified: in wire format it ends with the root label; in ASCII form,
   * with a dot.
   */
  public boolean isFullyQualified() {
    if (!wireFormat()) {
      return name.endsWith(".");
    }
    int backslashes = 0;
    for (int i = name.length() - 2; i >= 0 && name.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return name.endsWith(".") && backslashes % 2 == 0;
  }

  /** The option 81 value in a fresh array. */
  public byte[] toBytes() {
    return wire.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientFqdn other && Arrays.equals(wire, other.wire);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wire);
  }

  @Override
  public String toString() {
    return "ClientFqdn[flags="
        + Integer.toHexString(flags())
        + ", rcode1="
        + rcode1()
        + ", rcode2="
        + rcode2()
        + ", name="
        + name
        + "]";
  }
}
