package dev.headend.jwt;

import java.util.Arrays;

/**
 * Strict unpadded base64url (RFC 7515 §2): no padding, no whitespace, and the unused low bits of
 * the last character must be zero, so every byte string has exactly one encoding and a signature
 * cannot be re-encoded into a second token that still verifies.
 */
final class B64 {
  private static final byte[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] VALUE = new byte[128];

  static {
    Arrays.fill(VALUE, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      VALUE[ALPHABET[i]] = (byte) i;
    }
  }

  private B64() {}

  /** Thrown with the offset of the first bad character (relative to {@code from}). */
  static final class BadBase64 extends Exception {
    private static final long serialVersionUID = 1L;
    final int offset;

    BadBase64(String what, int offset) {
      super(what + " at offset " + offset, null, false, false);
      this.offset = offset;
    }
  }

  static String encode(byte[] data) {
    return new String(
        encodeToAscii(data, 0, data.length), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  static byte[] encodeToAscii(byte[] data, int off, int len) {
    int full = len / 3;
    int rest = len - full * 3;
    byte[] out = new byte[full * 4 + (rest == 0 ? 0 : rest + 1)];
    int o = 0;
    int i = off;
    for (int n = 0; n < full; n++) {
      int v = (data[i++] & 0xff) << 16 | (data[i++] & 0xff) << 8 | (data[i++] & 0xff);
      out[o++] = ALPHABET[v >>> 18];
      out[o++] = ALPHABET[(v >>> 12) & 63];
      out[o++] = ALPHABET[(v >>> 6) & 63];
      out[o++] = ALPHABET[v & 63];
    }
    if (rest == 1) {
      int v = data[i] & 0xff;
      out[o++] = ALPHABET[v >>> 2];
      out[o] = ALPHABET[(v << 4) & 63];
    } else if (rest == 2) {
      int v = (data[i] & 0xff) << 8 | (data[i + 1] & 0xff);
      out[o++] = ALPHABET[v >>> 10];
      out[o++] = ALPHABET[(v >>> 4) & 63];
      out[o] = ALPHABET[(v << 2) & 63];
    }
    return out;
  }

  static byte[] decode(CharSequence s) throws BadBase64 {
    return decode(s, 0, s.length());
  }

  /** Decodes {@code s[from, to)}. */
  static byte[] decode(CharSequence s, int from, int to) throws BadBase64 {
    int len = to - from;
    int full = len / 4;
    int rest = len - full * 4;
    if (rest == 1) {
      throw new BadBase64("base64url length " + len + " is impossible", len);
    }
    byte[] out = new byte[full * 3 + (rest == 0 ? 0 : rest - 1)];
    int o = 0;
    int i = from;
    for (int n = 0; n < full; n++) {
      int v =
          value(s, i, from) << 18
              | value(s, i + 1, from) << 12
              | value(s, i + 2, from) << 6
              | value(s, i + 3, from);
      i += 4;
      out[o++] = (byte) (v >>> 16);
      out[o++] = (byte) (v >>> 8);
      out[o++] = (byte) v;
    }
    if (rest == 2) {
      int v = value(s, i, from) << 6 | value(s, i + 1, from);
      if ((v & 0xf) != 0) {
        throw new BadBase64("non-canonical base64url (unused bits set)", i + 1 - from);
      }
      out[o] = (byte) (v >>> 4);
    } else if (rest == 3) {
      int v = value(s, i, from) << 12 | value(s, i + 1, from) << 6 | value(s, i + 2, from);
      if ((v & 0x3) != 0) {
        throw new BadBase64("non-canonical base64url (unused bits set)", i + 2 - from);
      }
      out[o++] = (byte) (v >>> 10);
      out[o] = (byte) (v >>> 2);
    }
    return out;
  }

  private static int value(CharSequence s, int i, int from) throws BadBase64 {
    char c = s.charAt(i);
    int v = c < 128 ? VALUE[c] : -1;
    if (v < 0) {
      throw new BadBase64("character " + describe(c) + " is not base64url", i - from);
    }
    return v;
  }

  static String describe(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }
}
