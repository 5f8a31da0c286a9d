package dev.headend.mail.smtp.client;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * One message to deliver: the envelope (RFC 5321 reverse and forward paths) and the content.
 *
 * @param sender the reverse path ({@code local@domain}), or the empty string for the null sender
 *     {@code <>} (bounces)
 * @param recipients the forward paths, at least one; duplicates are dropped, order kept
 * @param content the message (RFC 5322 header and body); line ends are sent as CRLF whatever they
 *     are here, and lines starting with a dot are dot-stuffed on the wire
 * @param dsn what the sender asks of delivery status notifications (RFC 3461), or {@code null}
 */
public record OutgoingMessage(
    String sender, List<String> recipients, byte[] content, DsnRequest dsn) {

  /** A message without DSN parameters. */
  public OutgoingMessage(String sender, List<String> recipients, byte[] content) {
    this(sender, recipients, content, null);
  }

  /** Checks for nulls, CR/LF or angle brackets inside addresses, and copies the recipients. */
  public OutgoingMessage {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(content, "content");
    recipients = List.copyOf(new LinkedHashSet<>(recipients));
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("no recipients");
    }
    check(sender);
    for (String r : recipients) {
      if (r.isEmpty()) {
        throw new IllegalArgumentException("empty recipient");
      }
      check(r);
    }
  }

  /** This message with DSN parameters ({@code null}: none). */
  public OutgoingMessage withDsn(DsnRequest request) {
    return new OutgoingMessage(sender, recipients, content, request);
  }

  /** This message (with its DSN parameters) for only some of its recipients. */
  public OutgoingMessage withRecipients(List<String> only) {
    return new OutgoingMessage(sender, only, content, dsn);
  }

  private static void check(String address) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (c == '\r' || c == '\n' || c == '<' || c == '>' || c == ' ' || c < 0x20) {
        throw new IllegalArgumentException("invalid character in address: " + address);
      }
    }
  }

  /** Whether an address needs SMTPUTF8 (RFC 6531): any non-ASCII character. */
  boolean needsSmtpUtf8() {
    if (!isAscii(sender)) {
      return true;
    }
    for (String r : recipients) {
      if (!isAscii(r)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the content has octets above 127 (needs 8BITMIME, RFC 6152). */
  boolean eightBit() {
    for (byte b : content) {
      if (b < 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 127) {
        return false;
      }
    }
    return true;
  }
}
