package dev.headend.mail.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An Internet message (RFC 5322): the header fields, parsed and unfolded, over the exact bytes of
 * the message, which are never changed. Immutable.
 *
 * <pre>{@code
 * MailMessage m = MailMessage.parse(bytes);
 * m.header("subject").orElse("");        // names are case-insensitive, values unfolded
 * MailMessage traced = m.prepend(HeaderField.of("Return-Path", "<alice@example.test>"));
 * }</pre>
 *
 * <p>Header values are decoded as UTF-8 (RFC 6532); a byte sequence that is not UTF-8 becomes
 * U+FFFD in {@link HeaderField#value()}, while {@link HeaderField#raw()} keeps the bytes.
 */
public final class MailMessage {
  private final byte[] bytes;
  private final List<HeaderField> fields;
  private final int bodyOffset;

  private MailMessage(byte[] bytes, List<HeaderField> fields, int bodyOffset) {
    this.bytes = bytes;
    this.fields = fields;
    this.bodyOffset = bodyOffset;
  }

  /**
   * Parses the header section of {@code message} (the array is copied). The header section ends at
   * the first empty line, or at the end when there is no body. Lines may end in CRLF or, as
   * messages stored on Unix often do, in a bare LF.
   *
   * @throws MalformedMailException if a header line is neither a field ({@code name:}) nor a
   *     continuation of one, or the message starts with a continuation line
   */
  public static MailMessage parse(byte[] message) throws MalformedMailException {
    byte[] b = message.clone();
    List<HeaderField> fields = new ArrayList<>();
    int i = 0;
    while (i < b.length) {
      int eol = lineEnd(b, i);
      if (eol == i || (eol == i + 1 && b[i] == '\r')) { // the empty line
        return new MailMessage(b, List.copyOf(fields), next(b, eol));
      }
      if (b[i] == ' ' || b[i] == '\t') {
        throw new MalformedMailException("continuation line without a header field", i);
      }
      int colon = -1;
      for (int k = i; k < eol; k++) {
        if (b[k] == ':') {
          colon = k;
          break;
        }
      }
      int nameEnd = colon;
      while (nameEnd > i && (b[nameEnd - 1] == ' ' || b[nameEnd - 1] == '\t')) {
        nameEnd--; // RFC 5322 §4.5.3 obsolete syntax: whitespace before the colon
      }
      if (colon < 0 || nameEnd == i) {
        throw new MalformedMailException("header line without a field name and colon", i);
      }
      String name = new String(b, i, nameEnd - i, StandardCharsets.ISO_8859_1);
      if (!HeaderField.validName(name)) {
        throw new MalformedMailException("invalid character in header field name", i);
      }
      // the field runs on while the next line starts with whitespace (folding)
      int end = next(b, eol);
      while (end < b.length && (b[end] == ' ' || b[end] == '\t')) {
        end = next(b, lineEnd(b, end));
      }
      fields.add(new HeaderField(name, unfold(b, colon + 1, end), Arrays.copyOfRange(b, i, end)));
      i = end;
    }
    return new MailMessage(b, List.copyOf(fields), b.length);
  }

  /** The index of the LF (or CR of CRLF) ending the line at {@code from}, or the length. */
  private static int lineEnd(byte[] b, int from) {
    for (int k = from; k < b.length; k++) {
      if (b[k] == '\n') {
        return k > from && b[k - 1] == '\r' ? k - 1 : k;
      }
    }
    return b.length;
  }

  /** The start of the line after the line end at {@code eol}. */
  private static int next(byte[] b, int eol) {
    if (eol >= b.length) {
      return b.length;
    }
    return b[eol] == '\r' ? Math.min(b.length, eol + 2) : eol + 1;
  }

  private static String unfold(byte[] b, int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    int k = from;
    while (k < to) {
      int eol = lineEnd(b, k);
      int stop = Math.min(eol, to);
      sb.append(new String(b, k, stop - k, StandardCharsets.UTF_8));
      k = next(b, stop);
    }
    int start = 0;
    while (start < sb.length() && (sb.charAt(start) == ' ' || sb.charAt(start) == '\t')) {
      start++;
    }
    return sb.substring(start);
  }

  /** Every header field in order. */
  public List<HeaderField> fields() {
    return fields;
  }

  /** The unfolded value of the first field called {@code name} (case-insensitive). */
  public Optional<String> header(String name) {
    Objects.requireNonNull(name, "name");
    for (HeaderField f : fields) {
      if (f.is(name)) {
        return Optional.of(f.value());
      }
    }
    return Optional.empty();
  }

  /** The unfolded values of every field called {@code name}, in order. */
  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (HeaderField f : fields) {
      if (f.is(name)) {
        values.add(f.value());
      }
    }
    return values;
  }

  /** The whole message, byte for byte as parsed. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Where the body starts (after the empty line), or the length when there is no body. */
  public int bodyOffset() {
    return bodyOffset;
  }

  /** The body bytes. */
  public byte[] body() {
    return Arrays.copyOfRange(bytes, bodyOffset, bytes.length);
  }

  /** The message with {@code field} added in front (trace fields go there, RFC 5322 §3.6.7). */
  public MailMessage prepend(HeaderField field) {
    byte[] raw = field.raw();
    byte[] b = new byte[raw.length + bytes.length];
    System.arraycopy(raw, 0, b, 0, raw.length);
    System.arraycopy(bytes, 0, b, raw.length, bytes.length);
    List<HeaderField> f = new ArrayList<>(fields.size() + 1);
    f.add(field);
    f.addAll(fields);
    return new MailMessage(b, List.copyOf(f), bodyOffset + raw.length);
  }
}
