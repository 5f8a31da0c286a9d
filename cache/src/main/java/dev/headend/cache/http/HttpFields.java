package dev.headend.cache.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered list of HTTP field lines (RFC 9110 §5) with case-insensitive lookup.
 *
 * <p>Field lines are kept exactly as received, in order, including repeated names, so a message
 * passes through a cache unchanged. Lookups treat names case-insensitively. Methods that "change"
 * the fields return a new instance.
 */
public final class HttpFields {
  private static final HttpFields EMPTY = new HttpFields(new String[0]);

  // name0, value0, name1, value1, ...
  private final String[] lines;

  private HttpFields(String[] lines) {
    this.lines = lines;
  }

  /** No field lines. */
  public static HttpFields empty() {
    return EMPTY;
  }

  /**
   * Fields from alternating names and values: {@code of("Cache-Control", "max-age=60", "ETag",
   * "\"x\"")}.
   *
   * @throws IllegalArgumentException if the count is odd or a name is not a token
   */
  public static HttpFields of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must alternate");
    }
    Builder b = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      b.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.build();
  }

  /** A builder for field lines, kept in the order added. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of field lines. */
  public int size() {
    return lines.length / 2;
  }

  /** The name of field line {@code i}, as received. */
  public String name(int i) {
    return lines[2 * i];
  }

  /** The value of field line {@code i}, as received (without leading or trailing whitespace). */
  public String value(int i) {
    return lines[2 * i + 1];
  }

  /** Whether any line has this name. */
  public boolean contains(String name) {
    return indexOf(name, 0) >= 0;
  }

  /** The value of the first line with this name. */
  public Optional<String> first(String name) {
    int i = indexOf(name, 0);
    return i < 0 ? Optional.empty() : Optional.of(lines[2 * i + 1]);
  }

  /** The values of every line with this name, in order. */
  public List<String> all(String name) {
    List<String> out = new ArrayList<>(2);
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      out.add(lines[2 * i + 1]);
    }
    return out;
  }

  /**
   * The lines with this name combined into one value, separated by {@code ", "} (RFC 9110 §5.3), or
   * {@code null} if there is none.
   */
  public String combined(String name) {
    int i = indexOf(name, 0);
    if (i < 0) {
      return null;
    }
    int next = indexOf(name, i + 1);
    if (next < 0) {
      return lines[2 * i + 1];
    }
    StringBuilder sb = new StringBuilder(lines[2 * i + 1]);
    for (int j = next; j >= 0; j = indexOf(name, j + 1)) {
      sb.append(", ").append(lines[2 * j + 1]);
    }
    return sb.toString();
  }

  /**
   * The comma-separated members of every line with this name, trimmed, empty members dropped (the
   * list syntax of RFC 9110 §5.6.1, without quoted-string awareness).
   */
  public List<String> members(String name) {
    List<String> out = new ArrayList<>(4);
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      for (String m : lines[2 * i + 1].split(",", -1)) {
        String t = m.trim();
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return out;
  }

  /** Calls {@code action} with each line's name and value, in order. */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < lines.length; i += 2) {
      action.accept(lines[i], lines[i + 1]);
    }
  }

  /** These fields without any line named {@code name}. */
  public HttpFields without(String name) {
    if (!contains(name)) {
      return this;
    }
    Builder b = new Builder();
    for (int i = 0; i < lines.length; i += 2) {
      if (!lines[i].equalsIgnoreCase(name)) {
        b.addTrusted(lines[i], lines[i + 1]);
      }
    }
    return b.build();
  }

  /** These fields with every line named {@code name} replaced by one line with this value. */
  public HttpFields with(String name, String value) {
    Builder b = new Builder();
    boolean placed = false;
    for (int i = 0; i < lines.length; i += 2) {
      if (lines[i].equalsIgnoreCase(name)) {
        if (!placed) {
          b.add(name, value);
          placed = true;
        }
      } else {
        b.addTrusted(lines[i], lines[i + 1]);
      }
    }
    if (!placed) {
      b.add(name, value);
    }
    return b.build();
  }

  /** A builder starting from these lines. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < lines.length; i += 2) {
      b.addTrusted(lines[i], lines[i + 1]);
    }
    return b;
  }

  private int indexOf(String name, int fromLine) {
    for (int i = 2 * fromLine; i < lines.length; i += 2) {
      if (lines[i].equalsIgnoreCase(name)) {
        return i / 2;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpFields && Arrays.equals(lines, ((HttpFields) o).lines);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(lines);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines.length; i += 2) {
      sb.append(lines[i]).append(": ").append(lines[i + 1]).append('\n');
    }
    return sb.toString();
  }

  /** Collects field lines in order. */
  public static final class Builder {
    private final List<String> lines = new ArrayList<>(16);

    private Builder() {}

    /**
     * Appends a line.
     *
     * @throws IllegalArgumentException if the name is not an RFC 9110 token or the value holds CR,
     *     LF or NUL
     */
    public Builder add(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (!Tokens.isToken(name)) {
        throw new IllegalArgumentException("field name is not a token: " + quote(name));
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n' || c == 0) {
          throw new IllegalArgumentException(
              "field value of " + name + " holds CR, LF or NUL at " + i);
        }
      }
      return addTrusted(name, value.strip());
    }

    /** Appends every line of {@code fields}. */
    public Builder addAll(HttpFields fields) {
      fields.forEach(this::addTrusted);
      return this;
    }

    /** Removes every line with this name. */
    public Builder remove(String name) {
      for (int i = lines.size() - 2; i >= 0; i -= 2) {
        if (lines.get(i).equalsIgnoreCase(name)) {
          lines.remove(i + 1);
          lines.remove(i);
        }
      }
      return this;
    }

    /** Replaces every line with this name by one line with this value, appended. */
    public Builder set(String name, String value) {
      return remove(name).add(name, value);
    }

    Builder addTrusted(String name, String value) {
      lines.add(name);
      lines.add(value);
      return this;
    }

    /** The fields. */
    public HttpFields build() {
      return lines.isEmpty() ? EMPTY : new HttpFields(lines.toArray(new String[0]));
    }
  }

  static String quote(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return '"' + shown + '"';
  }
}
