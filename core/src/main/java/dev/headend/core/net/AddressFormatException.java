package dev.headend.core.net;

/**
 * Text that should hold an address, prefix or mask does not.
 *
 * <p>The message says what was wrong, at which character index, and quotes the input (shortened and
 * with control characters escaped, so a hostile string cannot flood or forge a log line).
 */
public final class AddressFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_QUOTED = 64;

  private final String input;
  private final int index;
  private final String reason;

  AddressFormatException(CharSequence input, int index, String reason) {
    super(reason + " at index " + index + " in " + quote(input));
    this.input = input.toString();
    this.index = index;
    this.reason = reason;
  }

  /** The text that failed to parse. */
  public String input() {
    return input;
  }

  /** Index of the offending character in {@link #input()} ({@code input().length()} at its end). */
  public int index() {
    return index;
  }

  /** What was wrong, without the position. */
  public String reason() {
    return reason;
  }

  static String quote(CharSequence s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 8).append('"');
    int n = Math.min(s.length(), MAX_QUOTED);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') { // C1, U+2028, bidi controls too
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > MAX_QUOTED) {
      b.append("...(").append(s.length()).append(" chars)");
    }
    return b.append('"').toString();
  }
}
