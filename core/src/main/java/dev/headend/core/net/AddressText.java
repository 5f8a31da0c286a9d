package dev.headend.core.net;

/**
 * Strict parsing and canonical formatting of address literals. No name is ever looked up.
 *
 * <p>IPv4: exactly four decimal octets; a leading zero is refused because BSD-derived parsers read
 * it as octal. IPv6: RFC 4291 §2.2 text forms (full, {@code ::}-compressed, trailing embedded
 * IPv4); output is RFC 5952 canonical, with IPv4-mapped addresses in mixed notation (§5). Zone
 * indexes ({@code %eth0}) are refused: they name an interface on one host, not an address.
 */
final class AddressText {
  private AddressText() {}

  /** Parses {@code s[start, end)} as dotted-quad IPv4; errors index into {@code s}. */
  static int parseIpv4(CharSequence s, int start, int end) {
    if (start >= end) {
      throw new AddressFormatException(s, start, "empty IPv4 address");
    }
    int value = 0;
    int i = start;
    for (int octet = 1; ; octet++) {
      int octetStart = i;
      int v = 0;
      while (i < end && isDigit(s.charAt(i))) {
        if (i - octetStart == 3) {
          throw new AddressFormatException(s, octetStart, "IPv4 octet has more than 3 digits");
        }
        v = v * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == octetStart) {
        throw new AddressFormatException(
            s, i, "expected a decimal octet but found " + describe(s, i, end));
      }
      if (i - octetStart > 1 && s.charAt(octetStart) == '0') {
        throw new AddressFormatException(
            s, octetStart, "IPv4 octet with a leading zero (ambiguous: octal to some parsers)");
      }
      if (v > 255) {
        throw new AddressFormatException(s, octetStart, "IPv4 octet " + v + " exceeds 255");
      }
      value = value << 8 | v;
      if (octet == 4) {
        if (i != end) {
          throw new AddressFormatException(
              s, i, "unexpected " + describe(s, i, end) + " after the fourth IPv4 octet");
        }
        return value;
      }
      if (i == end) {
        throw new AddressFormatException(
            s, i, "IPv4 address has only " + octet + " octets; it needs 4");
      }
      if (s.charAt(i) != '.') {
        throw new AddressFormatException(s, i, "expected '.' but found " + describe(s, i, end));
      }
      i++;
    }
  }

  /** Parses {@code s[start, end)} as an IPv6 literal; errors index into {@code s}. */
  static Ipv6Address parseIpv6(CharSequence s, int start, int end) {
    if (start >= end) {
      throw new AddressFormatException(s, start, "empty IPv6 address");
    }
    int[] groups = new int[8];
    int n = 0;
    int gap = -1; // index in groups where "::" stands
    int i = start;
    if (s.charAt(i) == ':') {
      if (i + 1 >= end || s.charAt(i + 1) != ':') {
        throw new AddressFormatException(s, i, "IPv6 address starts with a single ':'");
      }
      gap = 0;
      i += 2;
      if (i == end) {
        return new Ipv6Address(0, 0);
      }
    }
    while (true) {
      int groupStart = i;
      int v = 0;
      int h;
      while (i < end && (h = hexValue(s.charAt(i))) >= 0) {
        if (i - groupStart == 4) {
          throw new AddressFormatException(s, groupStart, "IPv6 group has more than 4 hex digits");
        }
        v = v << 4 | h;
        i++;
      }
      if (i < end && s.charAt(i) == '.') {
        if (n > 6) {
          throw new AddressFormatException(
              s, groupStart, "no room for an embedded IPv4 address after " + n + " groups");
        }
        int v4 = parseIpv4(s, groupStart, end);
        groups[n++] = v4 >>> 16;
        groups[n++] = v4 & 0xffff;
        break;
      }
      if (i == groupStart) {
        throw new AddressFormatException(
            s, i, "expected a hex group but found " + describe(s, i, end));
      }
      if (n == 8) {
        throw new AddressFormatException(s, groupStart, "IPv6 address has more than 8 groups");
      }
      groups[n++] = v;
      if (i == end) {
        break;
      }
      char c = s.charAt(i);
      if (c == '%') {
        throw new AddressFormatException(
            s, i, "zone index (after '%') is not part of an address value");
      }
      if (c != ':') {
        throw new AddressFormatException(s, i, "unexpected " + describe(s, i, end));
      }
      i++;
      if (i < end && s.charAt(i) == ':') {
        if (gap >= 0) {
          throw new AddressFormatException(s, i - 1, "second '::' in an IPv6 address");
        }
        gap = n;
        i++;
        if (i == end) {
          break;
        }
      } else if (i == end) {
        throw new AddressFormatException(s, i - 1, "IPv6 address ends with a single ':'");
      }
    }
    if (gap < 0) {
      if (n != 8) {
        throw new AddressFormatException(
            s, end, "IPv6 address has " + n + " groups; without '::' it needs 8");
      }
    } else {
      if (n == 8) {
        throw new AddressFormatException(
            s, end, "'::' must stand for at least one group, but 8 groups are present");
      }
      int tail = n - gap;
      System.arraycopy(groups, gap, groups, 8 - tail, tail);
      for (int k = gap; k < 8 - tail; k++) {
        groups[k] = 0;
      }
    }
    long high = 0;
    long low = 0;
    for (int k = 0; k < 4; k++) {
      high = high << 16 | groups[k];
      low = low << 16 | groups[k + 4];
    }
    return new Ipv6Address(high, low);
  }

  static String formatIpv4(int v) {
    char[] out = new char[15];
    int n = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
      int octet = v >>> shift & 0xff;
      if (octet >= 100) {
        out[n++] = (char) ('0' + octet / 100);
        out[n++] = (char) ('0' + octet / 10 % 10);
      } else if (octet >= 10) {
        out[n++] = (char) ('0' + octet / 10);
      }
      out[n++] = (char) ('0' + octet % 10);
      if (shift > 0) {
        out[n++] = '.';
      }
    }
    return new String(out, 0, n);
  }

  static void appendIpv4(StringBuilder b, int v) {
    b.append(v >>> 24)
        .append('.')
        .append(v >>> 16 & 0xff)
        .append('.')
        .append(v >>> 8 & 0xff)
        .append('.')
        .append(v & 0xff);
  }

  /** RFC 5952: lowercase, no leading zeros, the longest (first on a tie) run of 2+ zero groups. */
  static String formatIpv6(long high, long low) {
    if (high == 0 && (low >>> 32) == 0xffffL) {
      StringBuilder b = new StringBuilder(22).append("::ffff:");
      appendIpv4(b, (int) low);
      return b.toString();
    }
    int bestStart = -1;
    int bestLen = 1; // a run must be at least 2 groups long
    int runStart = -1;
    for (int k = 0; k < 8; k++) {
      if (group(high, low, k) == 0) {
        if (runStart < 0) {
          runStart = k;
        }
        if (k - runStart + 1 > bestLen) {
          bestStart = runStart;
          bestLen = k - runStart + 1;
        }
      } else {
        runStart = -1;
      }
    }
    char[] out = new char[39];
    int n = 0;
    for (int k = 0; k < 8; k++) {
      if (k == bestStart) {
        out[n++] = ':';
        out[n++] = ':';
        k += bestLen - 1;
        continue;
      }
      if (k > 0 && k != bestStart + bestLen) {
        out[n++] = ':';
      }
      int g = group(high, low, k);
      for (int shift = g == 0 ? 0 : (31 - Integer.numberOfLeadingZeros(g)) & ~3;
          shift >= 0;
          shift -= 4) {
        out[n++] = HEX[(g >>> shift) & 0xf];
      }
    }
    return new String(out, 0, n);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static int group(long high, long low, int k) {
    long half = k < 4 ? high : low;
    return (int) (half >>> (48 - 16 * (k & 3))) & 0xffff;
  }

  /** Parses a decimal prefix length in {@code s[start, end)} no greater than {@code max}. */
  static int parseLength(CharSequence s, int start, int end, int max) {
    if (start == end) {
      throw new AddressFormatException(s, start, "missing prefix length after '/'");
    }
    int v = 0;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        throw new AddressFormatException(
            s, i, "expected a decimal prefix length but found " + describe(s, i, end));
      }
      if (i > start && s.charAt(start) == '0') {
        throw new AddressFormatException(s, start, "prefix length with a leading zero");
      }
      v = v * 10 + (c - '0');
      if (v > max) {
        throw new AddressFormatException(
            s, start, "prefix length exceeds " + max + " for this address family");
      }
    }
    return v;
  }

  static int indexOf(CharSequence s, char c, int from) {
    return indexOf(s, c, from, s.length());
  }

  static int indexOf(CharSequence s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  static String describe(CharSequence s, int i, int end) {
    if (i >= end) {
      return "the end of the text";
    }
    char c = s.charAt(i);
    if (c < 0x20 || c == 0x7f || c > 0x7e) {
      return String.format("character U+%04X", (int) c);
    }
    return "'" + c + "'";
  }
}
