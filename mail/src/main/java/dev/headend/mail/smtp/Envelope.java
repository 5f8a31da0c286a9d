package dev.headend.mail.smtp;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one received message and the session facts a store or a later check (SPF,
 * DKIM, DMARC) needs.
 *
 * @param client the client's address
 * @param heloName the name the client gave in EHLO or HELO
 * @param sender the reverse path ({@code local@domain}), or the empty string for the null sender
 *     {@code <>}
 * @param recipients the accepted forward paths, in order, without duplicates
 * @param authenticatedUser the AUTH identity (RFC 4954), or {@code null}
 * @param tls whether the session was protected by TLS
 * @param smtpUtf8 whether the client gave the SMTPUTF8 parameter (RFC 6531)
 * @param body the BODY parameter ({@code 7BIT}, {@code 8BITMIME}), or {@code null} if not given
 * @param id the engine's identifier of this transaction, as written in the Received header
 */
public record Envelope(
    InetSocketAddress client,
    String heloName,
    String sender,
    List<String> recipients,
    String authenticatedUser,
    boolean tls,
    boolean smtpUtf8,
    String body,
    String id) {

  /** Checks for nulls and copies the recipients. */
  public Envelope {
    Objects.requireNonNull(heloName, "heloName");
    Objects.requireNonNull(sender, "sender");
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(id, "id");
  }
}
