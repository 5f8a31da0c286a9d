package dev.headend.mail.smtp.client;

import dev.headend.mail.smtp.SmtpReply;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads SMTP replies (RFC 5321 §4.2) from a byte stream split anywhere: {@code ddd-text} lines
 * continue a reply, {@code ddd text} (or a bare {@code ddd}) ends it. Bounded: a line longer than
 * {@link #MAX_LINE} or a reply of more than {@link #MAX_LINES} lines is a protocol error, as is a
 * line that does not start with a code from 200 to 599 or a continuation with another code. Lines
 * may end in CRLF or a bare LF.
 */
final class ReplyReader {
  static final int MAX_LINE = 4096;
  static final int MAX_LINES = 256;
  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final List<String> lines = new ArrayList<>();
  private int code;
  private String error;

  /** The protocol error seen, or {@code null}. Once set, nothing more is read. */
  String error() {
    return error;
  }

  /** Whether part of a reply has been read and not yet returned. */
  boolean midReply() {
    return line.size() > 0 || !lines.isEmpty();
  }

  /**
   * Consumes bytes up to the end of the next complete reply and returns it, or {@code null} if the
   * input ran out first (or on a protocol error, see {@link #error()}).
   */
  SmtpReply read(ByteBuffer in) {
    while (error == null && in.hasRemaining()) {
      byte b = in.get();
      if (b != '\n') {
        if (line.size() >= MAX_LINE) {
          error = "reply line longer than " + MAX_LINE + " octets";
          return null;
        }
        line.write(b);
        continue;
      }
      byte[] raw = line.toByteArray();
      line.reset();
      int n = raw.length;
      if (n > 0 && raw[n - 1] == '\r') {
        n--;
      }
      SmtpReply reply = line(new String(raw, 0, n, StandardCharsets.UTF_8));
      if (reply != null) {
        return reply;
      }
    }
    return null;
  }

  private SmtpReply line(String text) {
    if (text.length() < 3
        || !Character.isDigit(text.charAt(0))
        || !Character.isDigit(text.charAt(1))
        || !Character.isDigit(text.charAt(2))
        || (text.length() > 3 && text.charAt(3) != ' ' && text.charAt(3) != '-')) {
      error = "not an SMTP reply line: " + printable(text);
      return null;
    }
    int c = Integer.parseInt(text.substring(0, 3));
    if (c < 200 || c > 599) {
      error = "reply code out of range: " + c;
      return null;
    }
    if (!lines.isEmpty() && c != code) {
      error = "reply code changed inside a multi-line reply: " + code + " then " + c;
      return null;
    }
    code = c;
    String body = text.length() > 4 ? text.substring(4) : "";
    lines.add(body.replace('\r', ' '));
    if (lines.size() > MAX_LINES) {
      error = "reply with more than " + MAX_LINES + " lines";
      return null;
    }
    if (text.length() > 3 && text.charAt(3) == '-') {
      return null;
    }
    SmtpReply reply = build(code, lines);
    lines.clear();
    return reply;
  }

  private static SmtpReply build(int code, List<String> lines) {
    String first = lines.get(0);
    int sp = first.indexOf(' ');
    String candidate = sp < 0 ? first : first.substring(0, sp);
    if (ENHANCED.matcher(candidate).matches()
        && candidate.charAt(0) == Integer.toString(code).charAt(0)) {
      List<String> text = new ArrayList<>(lines.size());
      for (String l : lines) {
        if (l.startsWith(candidate + " ")) {
          text.add(l.substring(candidate.length() + 1));
        } else if (l.equals(candidate)) {
          text.add("");
        } else {
          text.add(l);
        }
      }
      return new SmtpReply(code, candidate, text);
    }
    return new SmtpReply(code, null, lines);
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 60; i++) {
      char ch = s.charAt(i);
      sb.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
    }
    return sb.toString();
  }
}
