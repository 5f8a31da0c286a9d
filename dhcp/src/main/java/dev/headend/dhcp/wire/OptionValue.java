package dev.headend.dhcp.wire;

import dev.headend.core.net.Ipv4Address;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The value of one option as a decoder sees it: every instance of the code concatenated in RFC 3396
 * order (options field, then file, then sname). A single instance is read in place; several are
 * copied once. Every read is bounds-checked by the caller against {@link #length()}; errors map a
 * value index back to the byte offset in the message, so a fault in the second instance points
 * there.
 */
final class OptionValue {
  private final String label;
  private final byte[] data;
  private final int start;
  private final int length;
  private final int codeOffset;
  // For a concatenated value: where each instance's data starts in the value and in the message.
  private final int[] pieceStart;
  private final int[] pieceOffset;

  private OptionValue(
      String label,
      byte[] data,
      int start,
      int length,
      int codeOffset,
      int[] pieceStart,
      int[] pieceOffset) {
    this.label = label;
    this.data = data;
    this.start = start;
    this.length = length;
    this.codeOffset = codeOffset;
    this.pieceStart = pieceStart;
    this.pieceOffset = pieceOffset;
  }

  /**
   * The value of the instances at {@code offsets[0..count)} of {@code wire} (each the offset of a
   * code byte), in that order.
   */
  static OptionValue of(String label, byte[] wire, int[] offsets, int count) {
    if (count == 1) {
      int off = offsets[0];
      return new OptionValue(label, wire, off + 2, wire[off + 1] & 0xff, off, null, null);
    }
    int total = 0;
    for (int i = 0; i < count; i++) {
      total += wire[offsets[i] + 1] & 0xff;
    }
    byte[] joined = new byte[total];
    int[] starts = new int[count];
    int[] absolute = new int[count];
    int at = 0;
    for (int i = 0; i < count; i++) {
      int off = offsets[i];
      int len = wire[off + 1] & 0xff;
      System.arraycopy(wire, off + 2, joined, at, len);
      starts[i] = at;
      absolute[i] = off + 2;
      at += len;
    }
    return new OptionValue(label, joined, 0, total, offsets[0], starts, absolute);
  }

  /** A value not taken from a message (offsets count from its first byte). */
  static OptionValue detached(String label, byte[] value) {
    return new OptionValue(label, value, 0, value.length, 0, null, null);
  }

  int length() {
    return length;
  }

  int u8(int i) {
    return data[start + i] & 0xff;
  }

  int u16(int i) {
    return u8(i) << 8 | u8(i + 1);
  }

  int s32(int i) {
    return u8(i) << 24 | u8(i + 1) << 16 | u8(i + 2) << 8 | u8(i + 3);
  }

  long u32(int i) {
    return Integer.toUnsignedLong(s32(i));
  }

  Ipv4Address address(int i) {
    return new Ipv4Address(s32(i));
  }

  byte[] bytes(int from, int to) {
    return Arrays.copyOfRange(data, start + from, start + to);
  }

  byte[] bytes() {
    return bytes(0, length);
  }

  String latin1(int from, int to) {
    return new String(data, start + from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** The error for the whole option, at its (first) code byte. */
  MalformedDhcpMessageException error(String reason) {
    return new MalformedDhcpMessageException(label + ": " + reason, codeOffset);
  }

  /** The error at value index {@code i}, mapped to its byte in the message. */
  MalformedDhcpMessageException errorAt(String reason, int i) {
    return new MalformedDhcpMessageException(label + ": " + reason, offsetOf(i));
  }

  int offsetOf(int i) {
    if (pieceStart == null) {
      return start + Math.min(i, length);
    }
    int p = pieceStart.length - 1;
    while (p > 0 && pieceStart[p] > i) {
      p--;
    }
    return pieceOffset[p] + Math.min(i - pieceStart[p], length - pieceStart[p]);
  }

  /** Fails unless the value is exactly {@code n} bytes. */
  void requireLength(int n) throws MalformedDhcpMessageException {
    if (length != n) {
      throw error("length " + length + " is not " + n);
    }
  }

  /** Fails unless the value is at least {@code min} bytes and a multiple of {@code unit}. */
  void requireMultiple(int unit, int min) throws MalformedDhcpMessageException {
    if (length < min || length % unit != 0) {
      throw error(
          "length "
              + length
              + " is not a multiple of "
              + unit
              + (min > 0 ? " of at least " + min : ""));
    }
  }

  /** Fails unless the value is at least {@code min} bytes. */
  void requireAtLeast(int min) throws MalformedDhcpMessageException {
    if (length < min) {
      throw error("length " + length + " is less than " + min);
    }
  }
}
