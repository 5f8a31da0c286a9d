package dev.headend.mail.delivery;

import dev.headend.mail.smtp.client.DsnRequest;
import dev.headend.mail.smtp.client.OutgoingMessage;
import dev.headend.mail.smtp.client.RecipientResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A message that could not be delivered to some recipients: what a mail system reports to the
 * sender.
 *
 * @param message the original message
 * @param failed the recipients that failed for good, each with the reply that decided it
 */
public record Bounce(OutgoingMessage message, List<RecipientResult> failed) {

  private static final int MAX_FULL = 10 << 20;

  /** Copies the list. */
  public Bounce {
    Objects.requireNonNull(message, "message");
    failed = List.copyOf(failed);
  }

  /**
   * The non-delivery report to send to the original sender, as an RFC 3464 {@code
   * multipart/report}: a human-readable part, a {@code message/delivery-status} part with one block
   * per failed recipient (Action, Status, Diagnostic-Code), and the original header. From the null
   * sender {@code <>} (so a bounce is never bounced, RFC 5321 §4.5.5); {@code null} when the
   * original sender was already null, or when nothing is left to report.
   *
   * <p>The message's {@link DsnRequest} (RFC 3461) is honoured: recipients are reported only if its
   * {@code notifyOn} asks for failures (or is absent), the whole message is returned as {@code
   * message/rfc822} with {@code RET=FULL} (up to 10 MiB; a larger one's header only), its octets
   * unchanged (8-bit ones labelled {@code 8bit}), the envelope id becomes {@code
   * Original-Envelope-Id} and each original recipient an {@code Original-Recipient} field (RFC 3464
   * §2.2.1, §2.3.1).
   *
   * @param reportingMta this system's host name
   * @param now the report's date
   */
  public OutgoingMessage report(String reportingMta, Instant now) {
    DsnRequest dsn = message.dsn();
    if (message.sender().isEmpty() || (dsn != null && !dsn.reportsFailure()) || failed.isEmpty()) {
      return null;
    }
    byte[] content = message.content();
    boolean full = dsn != null && dsn.ret() == DsnRequest.Return.FULL && content.length <= MAX_FULL;
    byte[] returned = full ? content : header(content);
    String boundary = boundary(returned);
    StringBuilder sb = new StringBuilder();
    sb.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n");
    sb.append("To: <").append(message.sender()).append(">\r\n");
    sb.append("Subject: Undelivered Mail Returned to Sender\r\n");
    sb.append("Date: ")
        .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atOffset(ZoneOffset.UTC)))
        .append("\r\n");
    sb.append("Auto-Submitted: auto-replied\r\n");
    sb.append("MIME-Version: 1.0\r\n");
    sb.append("Content-Type: multipart/report; report-type=delivery-status;\r\n")
        .append("\tboundary=\"")
        .append(boundary)
        .append("\"\r\n\r\n");
    sb.append("--").append(boundary).append("\r\n");
    sb.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
    sb.append("Your message could not be delivered to these recipients:\r\n\r\n");
    for (RecipientResult r : failed) {
      sb.append("  <").append(r.recipient()).append(">: ").append(r.reply()).append("\r\n");
    }
    sb.append("\r\n--").append(boundary).append("\r\n");
    sb.append("Content-Type: message/delivery-status\r\n\r\n");
    if (dsn != null && dsn.envelopeId() != null) {
      sb.append("Original-Envelope-Id: ").append(dsn.envelopeId()).append("\r\n");
    }
    sb.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
    sb.append("Arrival-Date: ")
        .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atOffset(ZoneOffset.UTC)))
        .append("\r\n");
    for (RecipientResult r : failed) {
      String status =
          r.reply().enhancedStatus() != null
              ? r.reply().enhancedStatus()
              : r.reply().code() >= 500 ? "5.0.0" : "4.0.0";
      sb.append("\r\n");
      String original = dsn == null ? null : dsn.originalRecipients().get(r.recipient());
      if (original != null) {
        sb.append("Original-Recipient: rfc822; ").append(original).append("\r\n");
      }
      sb.append("Final-Recipient: rfc822; ").append(r.recipient()).append("\r\n");
      sb.append("Action: failed\r\n");
      sb.append("Status: ").append(status.charAt(0) == '4' ? "5" + status.substring(1) : status);
      sb.append("\r\n");
      sb.append("Diagnostic-Code: smtp; ")
          .append(r.reply().code())
          .append(' ')
          .append(String.join(" ", r.reply().lines()))
          .append("\r\n");
    }
    sb.append("\r\n--").append(boundary).append("\r\n");
    sb.append(full ? "Content-Type: message/rfc822\r\n" : "Content-Type: text/rfc822-headers\r\n");
    if (eightBit(returned)) {
      sb.append("Content-Transfer-Encoding: 8bit\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
    boolean endsInLine = returned.length == 0 || returned[returned.length - 1] == '\n';
    byte[] tail =
        ((endsInLine ? "" : "\r\n") + "\r\n--" + boundary + "--\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] report = new byte[head.length + returned.length + tail.length];
    System.arraycopy(head, 0, report, 0, head.length);
    System.arraycopy(returned, 0, report, head.length, returned.length);
    System.arraycopy(tail, 0, report, head.length + returned.length, tail.length);
    return new OutgoingMessage("", List.of(message.sender()), report);
  }

  /** The header of {@code content}, up to and with the line end before the empty line. */
  static byte[] header(byte[] content) {
    for (int i = 0; i < content.length; i++) {
      if (content[i] != '\n') {
        continue;
      }
      int next = i + 1;
      if (next < content.length && content[next] == '\r') {
        next++;
      }
      if (next < content.length && content[next] == '\n') {
        return Arrays.copyOf(content, i + 1);
      }
    }
    return content; // no body: all of it is header
  }

  /** A boundary that occurs nowhere in the part it encloses (RFC 2046 §5.1.1). */
  private static String boundary(byte[] enclosed) {
    while (true) {
      String b = "=_headend_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
      if (indexOf(enclosed, b.getBytes(StandardCharsets.US_ASCII)) < 0) {
        return b;
      }
    }
  }

  private static int indexOf(byte[] in, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= in.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (in[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static boolean eightBit(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return true;
      }
    }
    return false;
  }
}
