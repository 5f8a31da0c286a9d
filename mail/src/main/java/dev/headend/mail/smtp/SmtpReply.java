package dev.headend.mail.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An SMTP reply: a three-digit code (RFC 5321 §4.2), an optional enhanced status code (RFC 3463,
 * for example {@code 5.7.1}) and one or more lines of text.
 *
 * @param code the reply code, 200 to 599
 * @param enhancedStatus the enhanced status code, or {@code null} for replies that carry none (the
 *     greeting and the EHLO reply)
 * @param lines the text, one entry per reply line; never empty
 */
public record SmtpReply(int code, String enhancedStatus, List<String> lines) {
  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  /** Checks the code, the status class and the text (no CR or LF inside a line). */
  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    if (enhancedStatus != null
        && (!ENHANCED.matcher(enhancedStatus).matches()
            || enhancedStatus.charAt(0) != Integer.toString(code).charAt(0))) {
      throw new IllegalArgumentException(
          "enhanced status " + enhancedStatus + " does not fit reply code " + code);
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply needs at least one line");
    }
    for (String line : lines) {
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("CR or LF inside a reply line");
      }
    }
  }

  /** A one-line reply. */
  public static SmtpReply of(int code, String enhancedStatus, String text) {
    return new SmtpReply(code, enhancedStatus, List.of(Objects.requireNonNull(text, "text")));
  }

  /** Whether the code is 2xx or 3xx. */
  public boolean isPositive() {
    return code < 400;
  }

  /** Whether the code is 4xx (the client may try again later). */
  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  /** The reply as sent on the wire, every line ending in CRLF (UTF-8 text). */
  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      if (enhancedStatus != null) {
        sb.append(enhancedStatus).append(' ');
      }
      sb.append(lines.get(i)).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return new String(toBytes(), StandardCharsets.UTF_8).stripTrailing();
  }
}
