package dev.headend.mail.smtp.client;

import dev.headend.mail.smtp.SmtpReply;
import java.util.Objects;

/**
 * What happened to one recipient.
 *
 * @param recipient the forward path
 * @param status accepted, temporarily failed or permanently failed
 * @param reply the server's reply that decided it (to RCPT, or to the end of the data), or a
 *     synthesized one when the client gave up (a 4.4.x timeout, a 5.6.7 missing SMTPUTF8)
 */
public record RecipientResult(String recipient, Status status, SmtpReply reply) {

  /** Checks for nulls. */
  public RecipientResult {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reply, "reply");
  }

  /** A recipient's outcome. */
  public enum Status {
    /** The server took responsibility for the message (250 after the data). */
    ACCEPTED,
    /** A 4xx reply or a transient error: try again (another host, or later). */
    TEMP_FAILED,
    /** A 5xx reply or a permanent error: bounce. */
    PERM_FAILED
  }
}
