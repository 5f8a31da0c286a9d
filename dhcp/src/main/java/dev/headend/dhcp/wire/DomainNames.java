package dev.headend.dhcp.wire;

import java.io.ByteArrayOutputStream;

/**
 * Domain names in DNS wire format without compression (RFC 1035 §3.1), as option 81 carries them
 * (RFC 4702 §2.3.1), and their text form: labels joined by dots, a trailing dot when the name ends
 * with the root label (fully qualified), {@code \.}, {@code \\} and {@code \DDD} escapes for bytes
 * that are not printable ASCII or would be misread.
 */
final class DomainNames {
  static final int MAX_LABEL = 63;
  static final int MAX_NAME = 255;

  private DomainNames() {}

  /** Reads the name in value bytes {@code [from, to)} into text; nothing may follow the root. */
  static String toText(OptionValue v, int from, int to) throws MalformedDhcpMessageException {
    if (to - from > MAX_NAME) {
      throw v.errorAt("domain name of " + (to - from) + " bytes exceeds " + MAX_NAME, from);
    }
    StringBuilder sb = new StringBuilder();
    int i = from;
    while (i < to) {
      int len = v.u8(i);
      if (len == 0) {
        if (i + 1 != to) {
          throw v.errorAt((to - i - 1) + " bytes after the root label", i + 1);
        }
        return sb.length() == 0 ? "." : sb.append('.').toString();
      }
      if (len > MAX_LABEL) {
        throw v.errorAt("label length " + len + " exceeds 63 (compression is not allowed here)", i);
      }
      if (i + 1 + len > to) {
        throw v.errorAt("label of " + len + " bytes runs past the name", i);
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      for (int k = i + 1; k <= i + len; k++) {
        appendEscaped(sb, v.u8(k));
      }
      i += 1 + len;
    }
    return sb.toString(); // a partial name: no root label
  }

  private static void appendEscaped(StringBuilder sb, int b) {
    if (b == '.' || b == '\\') {
      sb.append('\\').append((char) b);
    } else if (b < 0x21 || b > 0x7e) {
      sb.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10));
      sb.append((char) ('0' + b % 10));
    } else {
      sb.append((char) b);
    }
  }

  /**
   * The wire form of a name in text form: a trailing dot adds the root label, {@code "."} is the
   * root alone, {@code ""} no name at all.
   *
   * @throws IllegalArgumentException for empty or overlong labels, bad escapes, non-ASCII text or a
   *     name over 255 bytes
   */
  static byte[] toWire(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (text.equals(".")) {
      out.write(0);
      return out.toByteArray();
    }
    byte[] label = new byte[MAX_LABEL];
    int len = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i++);
      int b;
      if (c == '.') {
        writeLabel(out, label, len, text);
        len = 0;
        if (i == n) {
          out.write(0);
        }
        continue;
      } else if (c == '\\') {
        if (i < n && Character.isDigit(text.charAt(i))) {
          if (i + 3 > n) {
            throw new IllegalArgumentException("short \\DDD escape in " + text);
          }
          b = 0;
          for (int k = 0; k < 3; k++) {
            char d = text.charAt(i++);
            if (d < '0' || d > '9') {
              throw new IllegalArgumentException("bad \\DDD escape in " + text);
            }
            b = b * 10 + (d - '0');
          }
          if (b > 255) {
            throw new IllegalArgumentException("escape \\" + b + " exceeds 255 in " + text);
          }
        } else if (i < n) {
          b = ascii(text.charAt(i++), text);
        } else {
          throw new IllegalArgumentException("dangling backslash in " + text);
        }
      } else {
        b = ascii(c, text);
      }
      if (len == MAX_LABEL) {
        throw new IllegalArgumentException("label longer than 63 bytes in " + text);
      }
      label[len++] = (byte) b;
    }
    if (len > 0) {
      writeLabel(out, label, len, text);
    }
    if (out.size() > MAX_NAME) {
      throw new IllegalArgumentException("domain name longer than 255 bytes: " + text);
    }
    return out.toByteArray();
  }

  private static int ascii(char c, String text) {
    if (c > 0x7f) {
      throw new IllegalArgumentException(
          "non-ASCII character in domain name " + text + " (escape bytes as \\DDD)");
    }
    return c;
  }

  private static void writeLabel(ByteArrayOutputStream out, byte[] label, int len, String text) {
    if (len == 0) {
      throw new IllegalArgumentException("empty label in " + text);
    }
    out.write(len);
    out.write(label, 0, len);
  }
}
