package dev.headend.dhcp.wire;

import java.io.ByteArrayOutputStream;

/** Hand-assembled messages for tests: a fixed header, then whatever bytes a test needs. */
final class Wire {
  static final int SNAME = 44;
  static final int FILE = 108;
  static final int OPTIONS = 240;

  private Wire() {}

  /** A 236-byte BOOTREQUEST header: Ethernet, xid 0x01020304, chaddr 02:00:00:00:00:01. */
  static byte[] header() {
    byte[] h = new byte[236];
    h[0] = 1;
    h[1] = 1;
    h[2] = 6;
    h[4] = 1;
    h[5] = 2;
    h[6] = 3;
    h[7] = 4;
    h[28] = 2;
    h[33] = 1;
    return h;
  }

  /** The header, the magic cookie, then {@code options} (each int one byte). */
  static byte[] dhcp(int... options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header());
    out.writeBytes(new byte[] {0x63, (byte) 0x82, 0x53, 0x63});
    for (int b : options) {
      out.write(b);
    }
    return out.toByteArray();
  }

  /** A copy of {@code message} with {@code bytes} written from {@code offset}. */
  static byte[] put(byte[] message, int offset, int... bytes) {
    byte[] m = message.clone();
    for (int i = 0; i < bytes.length; i++) {
      m[offset + i] = (byte) bytes[i];
    }
    return m;
  }

  static int[] ascii(String s) {
    return s.chars().toArray();
  }

  /** {@code code}, the length of {@code value}, then {@code value}. */
  static int[] option(int code, int... value) {
    int[] o = new int[value.length + 2];
    o[0] = code;
    o[1] = value.length;
    System.arraycopy(value, 0, o, 2, value.length);
    return o;
  }

  static int[] join(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] out = new int[n];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
