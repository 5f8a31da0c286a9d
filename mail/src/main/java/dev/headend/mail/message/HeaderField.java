package dev.headend.mail.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header field of a message (RFC 5322 §2.2): its name, its unfolded value, and the exact bytes
 * it had in the message, folding included.
 */
public final class HeaderField {
  /** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters without the CRLF. */
  public static final int FOLD_AT = 78;

  private final String name;
  private final String value;
  private final byte[] raw;

  HeaderField(String name, String value, byte[] raw) {
    this.name = name;
    this.value = value;
    this.raw = raw;
  }

  /**
   * A new field, folded at whitespace so that no line is longer than {@value #FOLD_AT} characters
   * where the value allows it (a word longer than a line is left whole).
   *
   * @throws IllegalArgumentException if the name is not printable ASCII without a colon, or the
   *     value holds CR or LF
   */
  public static HeaderField of(String name, String value) {
    Objects.requireNonNull(value, "value");
    if (!validName(name)) {
      throw new IllegalArgumentException("not a header field name: " + name);
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("CR or LF in a header value");
    }
    return new HeaderField(name, value, fold(name, value).getBytes(StandardCharsets.UTF_8));
  }

  /** The field name as written. */
  public String name() {
    return name;
  }

  /** The value, unfolded (RFC 5322 §2.2.3), without the leading whitespace and final CRLF. */
  public String value() {
    return value;
  }

  /** The field's bytes as they are in the message, through the final CRLF. */
  public byte[] raw() {
    return raw.clone();
  }

  /** Whether this field is called {@code other} (names compare case-insensitively). */
  public boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderField h && h.name.equals(name) && Arrays.equals(h.raw, raw);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return name + ": " + value;
  }

  static boolean validName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 33 || c > 126 || c == ':') {
        return false;
      }
    }
    return true;
  }

  /** {@code name: value} folded before whitespace at {@value #FOLD_AT} characters, with CRLF. */
  static String fold(String name, String value) {
    String line = name + ": " + value;
    StringBuilder out = new StringBuilder(line.length() + 8);
    int start = 0;
    while (line.length() - start > FOLD_AT) {
      int limit = start + FOLD_AT;
      int cut = -1;
      int min = start == 0 ? name.length() + 2 : start + 1; // never right after the colon
      for (int i = limit; i > min; i--) {
        char c = line.charAt(i);
        if ((c == ' ' || c == '\t') && !blankBefore(line, start, i)) {
          cut = i;
          break;
        }
      }
      if (cut < 0) { // one long word: fold at the next whitespace after it, if any
        for (int i = Math.max(limit + 1, min + 1); i < line.length(); i++) {
          char c = line.charAt(i);
          if (c == ' ' || c == '\t') {
            cut = i;
            break;
          }
        }
        if (cut < 0) {
          break;
        }
      }
      out.append(line, start, cut).append("\r\n");
      start = cut; // the continuation line starts with the whitespace (unfolding restores it)
    }
    out.append(line, start, line.length()).append("\r\n");
    return out.toString();
  }

  /** Whether the line from {@code start} up to {@code i} is only whitespace (no empty lines). */
  private static boolean blankBefore(String line, int start, int i) {
    for (int k = start; k < i; k++) {
      if (line.charAt(k) != ' ' && line.charAt(k) != '\t') {
        return false;
      }
    }
    return true;
  }
}
