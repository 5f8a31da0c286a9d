package dev.headend.mail.smtp.client;

import dev.headend.mail.smtp.SmtpReply;
import java.util.List;

/**
 * The outcome of delivering one message to one server.
 *
 * @param recipients one result per recipient, in the message's order
 * @param error why the session ended early, or {@code null} when the transaction ran to its end
 *     (every recipient then has the server's own answer)
 * @param reply the reply behind {@code error} when there is one (the refused greeting, MAIL or DATA
 *     reply), else {@code null}
 * @param tls whether the transaction ran under TLS
 */
public record DeliveryResult(
    List<RecipientResult> recipients, SmtpClientError error, SmtpReply reply, boolean tls) {

  /** Copies the list. */
  public DeliveryResult {
    recipients = List.copyOf(recipients);
  }

  /**
   * Whether the session failed as a whole in a way another host or a later try might not: an error
   * other than a permanent one, or a session-level 4xx. Recipients then are {@code TEMP_FAILED}.
   */
  public boolean tryAnotherHost() {
    return error != null && !permanent();
  }

  /** Whether the session-level failure is permanent (a 5xx to MAIL or DATA, a permanent error). */
  public boolean permanent() {
    if (error == null) {
      return false;
    }
    if (error == SmtpClientError.REJECTED) {
      return reply != null && reply.code() >= 500;
    }
    return error.permanent();
  }

  /** Whether every recipient was accepted. */
  public boolean allAccepted() {
    return recipients.stream().allMatch(r -> r.status() == RecipientResult.Status.ACCEPTED);
  }

  /**
   * The result when no session could be had at all ({@link SmtpClientError#CONNECTION_FAILED}):
   * every recipient temporarily failed.
   */
  public static DeliveryResult connectionFailed(List<String> recipients, String detail) {
    SmtpReply reply = SmtpReply.of(451, "4.4.1", "no connection: " + clean(detail));
    return new DeliveryResult(
        recipients.stream()
            .map(r -> new RecipientResult(r, RecipientResult.Status.TEMP_FAILED, reply))
            .toList(),
        SmtpClientError.CONNECTION_FAILED,
        null,
        false);
  }

  private static String clean(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n]", " ");
  }
}
