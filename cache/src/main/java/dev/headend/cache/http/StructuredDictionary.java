package dev.headend.cache.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of RFC 8941 §4.2 to read a Structured Field Dictionary: members in order, each value
 * reduced to what targeted cache-control needs (an integer's digits, {@code ?1}/{@code ?0} for
 * booleans, {@code null} for any other item type). Parameters are checked and dropped.
 */
final class StructuredDictionary {
  private final String s;
  private int i;

  private StructuredDictionary(String s) {
    this.s = s;
  }

  /** The members as {key, value}, or {@code null} if the text is not a valid dictionary. */
  static List<String[]> parse(String text) {
    StructuredDictionary p = new StructuredDictionary(text);
    try {
      return p.dictionary();
    } catch (IllegalStateException e) {
      return null;
    }
  }

  private List<String[]> dictionary() {
    List<String[]> members = new ArrayList<>();
    skip(' ');
    if (i == s.length()) {
      return members;
    }
    while (true) {
      String key = key();
      String value;
      if (peek() == '=') {
        i++;
        if (peek() == '(') {
          innerList();
          value = null;
        } else {
          value = bareItem();
        }
      } else {
        value = "?1";
      }
      parameters();
      members.removeIf(m -> m[0].equals(key));
      members.add(new String[] {key, value});
      skipOws();
      if (i == s.length()) {
        return members;
      }
      if (s.charAt(i) != ',') {
        throw new IllegalStateException();
      }
      i++;
      skipOws();
      if (i == s.length()) {
        throw new IllegalStateException(); // trailing comma
      }
    }
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private void skip(char c) {
    while (i < s.length() && s.charAt(i) == c) {
      i++;
    }
  }

  private void skipOws() {
    while (i < s.length() && Tokens.isOws(s.charAt(i))) {
      i++;
    }
  }

  private String key() {
    char c = peek();
    if (!(c >= 'a' && c <= 'z' || c == '*')) {
      throw new IllegalStateException();
    }
    int start = i;
    while (i < s.length()) {
      c = s.charAt(i);
      if (c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '_'
          || c == '-'
          || c == '.'
          || c == '*') {
        i++;
      } else {
        break;
      }
    }
    return s.substring(start, i);
  }

  private void parameters() {
    while (peek() == ';') {
      i++;
      skip(' ');
      key();
      if (peek() == '=') {
        i++;
        bareItem();
      }
    }
  }

  private void innerList() {
    i++; // (
    while (true) {
      skip(' ');
      if (peek() == ')') {
        i++;
        return;
      }
      bareItem();
      parameters();
      char c = peek();
      if (c != ' ' && c != ')') {
        throw new IllegalStateException();
      }
    }
  }

  /** An item's reduced value; see the class comment. */
  private String bareItem() {
    char c = peek();
    if (c == '-' || c >= '0' && c <= '9') {
      return number();
    }
    if (c == '"') {
      i++;
      while (true) {
        if (i >= s.length()) {
          throw new IllegalStateException();
        }
        char d = s.charAt(i++);
        if (d == '\\') {
          char e = peek();
          if (e != '"' && e != '\\') {
            throw new IllegalStateException();
          }
          i++;
        } else if (d == '"') {
          return null;
        } else if (d < 0x20 || d > 0x7e) {
          throw new IllegalStateException();
        }
      }
    }
    if (c == '?') {
      i++;
      char b = peek();
      if (b != '0' && b != '1') {
        throw new IllegalStateException();
      }
      i++;
      return "?" + b;
    }
    if (c == ':') {
      i++;
      while (peek() != ':') {
        char d = peek();
        if (!(Character.isLetterOrDigit(d) && d < 0x80 || d == '+' || d == '/' || d == '=')) {
          throw new IllegalStateException();
        }
        i++;
      }
      i++;
      return null;
    }
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*') {
      i++;
      while (i < s.length()
          && (Tokens.isTchar(s.charAt(i)) || s.charAt(i) == ':' || s.charAt(i) == '/')) {
        i++;
      }
      return null;
    }
    throw new IllegalStateException();
  }

  private String number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    int digitsStart = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    int intDigits = i - digitsStart;
    if (intDigits == 0) {
      throw new IllegalStateException();
    }
    if (peek() == '.') {
      if (intDigits > 12) {
        throw new IllegalStateException();
      }
      i++;
      int fracStart = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      if (i == fracStart || i - fracStart > 3) {
        throw new IllegalStateException();
      }
      return null; // a decimal: not an integer
    }
    if (intDigits > 15) {
      throw new IllegalStateException();
    }
    return s.substring(start, i);
  }
}
