package dev.headend.dhcp.wire;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes and encodes BOOTP/DHCPv4 messages (RFC 951, RFC 2131).
 *
 * <p>Decoding is lossless: {@code encode(decode(bytes))} gives {@code bytes} back for every input
 * that decodes, because the message keeps its wire form (option order, instances of a split option,
 * pads, the END option, bytes after END, overloaded sname and file fields, a vendor area without
 * the magic cookie). Decoding checks the structure only: the 236-byte fixed header, and, when the
 * vendor area starts with the magic cookie 99.130.83.99, that every option in the options field
 * (and in sname and file when option 52 overloads them) fits in its field. Option contents are
 * checked when they are read through {@link DhcpMessage}'s typed accessors, so a message with one
 * odd option still decodes and round-trips.
 *
 * <p>A message without the cookie, or with a different value in its place, is plain BOOTP (RFC 1542
 * §3.1.1, RFC 2131 §3): it has no options, and its vendor area is kept as it is.
 *
 * <p>Nothing but {@link MalformedDhcpMessageException} escapes a decoder, and it allocates no more
 * than the bytes it was given.
 */
public final class DhcpCodec {
  /** Length of the fixed BOOTP header: op through file. */
  public static final int HEADER_LENGTH = 236;

  /** The smallest message a BOOTP agent must accept (RFC 951, RFC 1542 §2.1): 300 bytes. */
  public static final int BOOTP_MIN_LENGTH = 300;

  /** The largest message a UDP datagram over IPv4 can carry. */
  public static final int MAX_LENGTH = 65_507;

  /** The DHCP magic cookie, 99.130.83.99 (RFC 2131 §3). */
  public static final int MAGIC_COOKIE = 0x6382_5363;

  static final int OFF_SNAME = 44;
  static final int OFF_FILE = 108;
  static final int OFF_COOKIE = HEADER_LENGTH;
  static final int OFF_OPTIONS = 240;
  static final int SNAME_LENGTH = 64;
  static final int FILE_LENGTH = 128;
  static final int OPTION_PAD = 0;
  static final int OPTION_END = 255;
  static final int OPTION_OVERLOAD = 52;

  private DhcpCodec() {}

  /**
   * Decodes the message between the buffer's position and limit. The buffer's position and limit
   * are not changed.
   *
   * @throws MalformedDhcpMessageException if it is shorter than the fixed header, longer than a
   *     datagram can be, or an option runs past the end of its field
   */
  public static DhcpMessage decode(ByteBuffer message) throws MalformedDhcpMessageException {
    int n = message.remaining();
    checkLength(n);
    byte[] wire = new byte[n];
    message.get(message.position(), wire, 0, n);
    return parse(wire);
  }

  /**
   * Decodes the message in {@code message} (the array is copied, not kept).
   *
   * @throws MalformedDhcpMessageException as {@link #decode(ByteBuffer)} does
   */
  public static DhcpMessage decode(byte[] message) throws MalformedDhcpMessageException {
    checkLength(message.length);
    return parse(message.clone());
  }

  /**
   * Writes {@code message} at the buffer's position and advances it.
   *
   * @return the number of bytes written, {@link DhcpMessage#length()}
   * @throws BufferOverflowException if fewer bytes remain; nothing is written then
   */
  public static int encode(DhcpMessage message, ByteBuffer out) {
    byte[] wire = message.wire();
    if (out.remaining() < wire.length) {
      throw new BufferOverflowException();
    }
    out.put(wire);
    return wire.length;
  }

  /** The message's bytes, in a fresh array. */
  public static byte[] encode(DhcpMessage message) {
    return message.wire().clone();
  }

  private static void checkLength(int n) throws MalformedDhcpMessageException {
    if (n < HEADER_LENGTH) {
      throw new MalformedDhcpMessageException(
          "message of " + n + " bytes is shorter than the " + HEADER_LENGTH + "-byte BOOTP header",
          n);
    }
    if (n > MAX_LENGTH) {
      throw new MalformedDhcpMessageException(
          "message of " + n + " bytes is longer than a UDP datagram can carry", MAX_LENGTH);
    }
  }

  /** Parses {@code wire}, which the message then owns. */
  static DhcpMessage parse(byte[] wire) throws MalformedDhcpMessageException {
    int n = wire.length;
    boolean cookie = n >= OFF_OPTIONS && readInt(wire, OFF_COOKIE) == MAGIC_COOKIE;
    if (!cookie) {
      return new DhcpMessage(wire, new int[0], false, 0);
    }
    Instances found = new Instances();
    scan(wire, OFF_OPTIONS, n, "options field", found);
    int overload = overload(wire, found);
    if ((overload & 1) != 0) {
      scan(wire, OFF_FILE, OFF_FILE + FILE_LENGTH, "file field", found);
    }
    if ((overload & 2) != 0) {
      scan(wire, OFF_SNAME, OFF_SNAME + SNAME_LENGTH, "sname field", found);
    }
    return new DhcpMessage(wire, found.toArray(), true, overload);
  }

  /**
   * Records the offset of every option in {@code [from, to)} until END. Pads are skipped; what
   * follows END is left alone (it is kept in the wire form).
   */
  private static void scan(byte[] w, int from, int to, String field, Instances found)
      throws MalformedDhcpMessageException {
    int i = from;
    while (i < to) {
      int code = w[i] & 0xff;
      if (code == OPTION_PAD) {
        i++;
        continue;
      }
      if (code == OPTION_END) {
        return;
      }
      if (i + 1 >= to) {
        throw new MalformedDhcpMessageException(
            "option " + code + " at the end of the " + field + " has no length byte", i);
      }
      int len = w[i + 1] & 0xff;
      if (i + 2 + len > to) {
        throw new MalformedDhcpMessageException(
            "option "
                + code
                + " declares "
                + len
                + " bytes but the "
                + field
                + " has "
                + (to - i - 2)
                + " left",
            i);
      }
      found.add(i);
      i += 2 + len;
    }
  }

  /**
   * The overload in force: option 52 in the options field, concatenated, must be one byte of 1, 2
   * or 3 (RFC 2132 §9.3); anything else overloads nothing and is reported by the typed accessor.
   */
  private static int overload(byte[] w, Instances found) {
    int value = -1;
    int total = 0;
    for (int k = 0; k < found.size; k++) {
      int off = found.offsets[k];
      if ((w[off] & 0xff) == OPTION_OVERLOAD) {
        int len = w[off + 1] & 0xff;
        total += len;
        if (len == 1) {
          value = w[off + 2] & 0xff;
        }
      }
    }
    return total == 1 && value >= 1 && value <= 3 ? value : 0;
  }

  static int readInt(byte[] w, int at) {
    return (w[at] & 0xff) << 24
        | (w[at + 1] & 0xff) << 16
        | (w[at + 2] & 0xff) << 8
        | w[at + 3] & 0xff;
  }

  /** A growable list of option offsets. */
  private static final class Instances {
    int[] offsets = new int[16];
    int size;

    void add(int offset) {
      if (size == offsets.length) {
        offsets = Arrays.copyOf(offsets, size * 2);
      }
      offsets[size++] = offset;
    }

    int[] toArray() {
      return Arrays.copyOf(offsets, size);
    }
  }
}
