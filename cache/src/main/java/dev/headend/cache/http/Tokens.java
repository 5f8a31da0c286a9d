package dev.headend.cache.http;

/** RFC 9110 §5.6 lexical helpers. */
final class Tokens {
  private Tokens() {}

  static boolean isTchar(char c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isTchar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * Parses RFC 9111 §1.2.2 delta-seconds: one or more digits, leading zeros allowed; values beyond
   * 2^31 saturate to 2^31. Returns -1 if {@code s} is not all digits.
   */
  static long deltaSeconds(CharSequence s) {
    if (s.length() == 0) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      if (v < MAX_DELTA) {
        v = v * 10 + (c - '0');
      }
    }
    return Math.min(v, MAX_DELTA);
  }

  /** The saturation value of delta-seconds (RFC 9111 §1.2.2). */
  static final long MAX_DELTA = 2147483648L;
}
