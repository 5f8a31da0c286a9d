package dev.headend.mail.smtp;

import java.nio.charset.StandardCharsets;

/**
 * Parses the paths of MAIL FROM and RCPT TO (RFC 5321 §4.1.2, with RFC 6531's UTF-8 in local parts
 * and domains). Never throws: bad input gives {@code null}.
 */
final class PathParser {
  /** A parsed path: the mailbox ({@code local@domain}, or empty for {@code <>}). */
  record ParsedPath(String mailbox, String localPart, String domain, boolean nonAscii, int end) {}

  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  private PathParser() {}

  /**
   * Parses a path starting at {@code s[from]} (which must be {@code '<'}).
   *
   * @param allowNull accept {@code <>} (MAIL FROM)
   * @param allowPostmaster accept {@code <postmaster>} without a domain (RCPT TO, §4.5.1)
   * @return the path and the index after its {@code '>'}, or {@code null}
   */
  static ParsedPath parse(String s, int from, boolean allowNull, boolean allowPostmaster) {
    int i = from;
    if (i >= s.length() || s.charAt(i) != '<') {
      return null;
    }
    i++;
    if (i < s.length() && s.charAt(i) == '>') {
      return allowNull ? new ParsedPath("", "", "", false, i + 1) : null;
    }
    // a source route (@a,@b:) is accepted and ignored (RFC 5321 §4.1.2, appendix C)
    if (i < s.length() && s.charAt(i) == '@') {
      int colon = s.indexOf(':', i);
      int close = s.indexOf('>', i);
      if (colon < 0 || (close >= 0 && colon > close)) {
        return null;
      }
      for (String hop : s.substring(i, colon).split(",", -1)) {
        if (hop.length() < 2 || hop.charAt(0) != '@' || !domain(hop.substring(1))) {
          return null;
        }
      }
      i = colon + 1;
    }
    int localStart = i;
    boolean nonAscii = false;
    if (i < s.length() && s.charAt(i) == '"') {
      i++;
      while (true) {
        if (i >= s.length()) {
          return null;
        }
        char c = s.charAt(i);
        if (c == '"') {
          i++;
          break;
        }
        if (c == '\\') {
          if (i + 1 >= s.length() || s.charAt(i + 1) < 32 || s.charAt(i + 1) > 126) {
            return null;
          }
          i += 2;
          continue;
        }
        if (c >= 0x80) {
          nonAscii = true;
        } else if (c < 32 || c == 127) {
          return null;
        }
        i++;
      }
    } else {
      boolean lastDot = true; // no leading dot
      while (i < s.length() && s.charAt(i) != '@' && s.charAt(i) != '>') {
        char c = s.charAt(i);
        if (c == '.') {
          if (lastDot) {
            return null;
          }
          lastDot = true;
        } else if (atext(c)) {
          lastDot = false;
          nonAscii |= c >= 0x80;
        } else {
          return null;
        }
        i++;
      }
      if (lastDot && i > localStart) {
        return null; // trailing dot
      }
    }
    String local = s.substring(localStart, i);
    if (local.isEmpty() || utf8Length(local) > 64) {
      return null;
    }
    if (i < s.length() && s.charAt(i) == '>') {
      if (allowPostmaster && local.equalsIgnoreCase("postmaster")) {
        return new ParsedPath(local, local, "", false, i + 1);
      }
      return null;
    }
    if (i >= s.length() || s.charAt(i) != '@') {
      return null;
    }
    int close = s.indexOf('>', i);
    if (close < 0) {
      return null;
    }
    String domain = s.substring(i + 1, close);
    if (!(domain.startsWith("[") ? addressLiteral(domain) : domain(domain))) {
      return null;
    }
    for (int k = 0; k < domain.length(); k++) {
      nonAscii |= domain.charAt(k) >= 0x80;
    }
    String mailbox = local + "@" + domain;
    if (utf8Length(mailbox) > 254) {
      return null; // the path, with its angle brackets, is at most 256 octets (§4.5.3.1.3)
    }
    return new ParsedPath(mailbox, local, domain, nonAscii, close + 1);
  }

  private static boolean atext(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || ATEXT_SPECIALS.indexOf(c) >= 0
        || (c >= 0x80 && !Character.isISOControl(c) && !Character.isWhitespace(c));
  }

  /** A host name: labels of letters, digits (and UTF-8) and inner hyphens, at most 255 octets. */
  static boolean domain(String d) {
    if (d.isEmpty() || utf8Length(d) > 255) {
      return false;
    }
    int labelStart = 0;
    for (int i = 0; i <= d.length(); i++) {
      if (i == d.length() || d.charAt(i) == '.') {
        int len = i - labelStart;
        if (len == 0 || len > 63) {
          return false;
        }
        if (d.charAt(labelStart) == '-' || d.charAt(i - 1) == '-') {
          return false;
        }
        labelStart = i + 1;
        continue;
      }
      char c = d.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || (c >= 0x80 && Character.isLetterOrDigit(c));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]} or {@code [tag:content]} (§4.1.3). */
  static boolean addressLiteral(String d) {
    if (d.length() < 3 || d.charAt(0) != '[' || d.charAt(d.length() - 1) != ']') {
      return false;
    }
    String inner = d.substring(1, d.length() - 1);
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') {
        return false;
      }
    }
    if (inner.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String octet : inner.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return true;
    }
    if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
      return inner.length() > 5 && inner.substring(5).matches("[0-9A-Fa-f:.]+");
    }
    int colon = inner.indexOf(':');
    return colon > 0
        && colon < inner.length() - 1
        && inner.substring(0, colon).matches("[A-Za-z0-9-]+");
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
