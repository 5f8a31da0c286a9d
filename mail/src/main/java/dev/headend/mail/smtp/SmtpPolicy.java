package dev.headend.mail.smtp;

/**
 * The application's decisions on a session, each a pure function of its arguments. Every method
 * returns {@code null} to accept, or the reply that refuses. The engine applies its own rules first
 * (syntax, order, limits, SMTPUTF8, and relaying: a recipient outside the local domains is refused
 * unless the session is authenticated or the client is in a relay network), so a policy only sees
 * what those rules let through.
 *
 * <p>Checks that need I/O (SPF's DNS lookups, DKIM signature keys, DMARC) belong at the end of the
 * message, where the application already decides asynchronously: it receives {@link
 * SmtpEvent.MessageReceived}, with the client address, HELO name, sender and the whole content, and
 * answers with {@link SmtpServerEngine#messageRejected} or {@link SmtpServerEngine#messageAccepted}
 * when its checks are done.
 */
public interface SmtpPolicy {

  /** A policy that accepts everything the engine's own rules accept. */
  SmtpPolicy ACCEPT_ALL = new SmtpPolicy() {};

  /**
   * Checks the reverse path of MAIL FROM.
   *
   * @param session the session so far (no recipients yet)
   * @param sender the reverse path, or the empty string for {@code <>}
   */
  default SmtpReply checkSender(SessionInfo session, String sender) {
    return null;
  }

  /**
   * Checks one RCPT TO forward path.
   *
   * @param session the session so far
   * @param sender the transaction's reverse path
   * @param recipient the forward path
   * @param local whether the recipient's domain is one of the local domains
   */
  default SmtpReply checkRecipient(
      SessionInfo session, String sender, String recipient, boolean local) {
    return null;
  }

  /**
   * Checks a complete message before it is handed to the application.
   *
   * @param envelope the envelope
   * @param content the content with the Received header; do not modify it
   */
  default SmtpReply checkMessage(Envelope envelope, byte[] content) {
    return null;
  }

  /**
   * Answers VRFY (RFC 5321 §3.5.3). The default is {@code 252}: the server will not confirm the
   * mailbox but will accept mail for it, so addresses cannot be harvested.
   */
  default SmtpReply verify(SessionInfo session, String argument) {
    return SmtpReply.of(
        252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
  }

  /**
   * What the policy knows of the session when it is asked.
   *
   * @param client the client's address
   * @param heloName the EHLO/HELO name, or {@code null} before one was given
   * @param authenticatedUser the AUTH identity, or {@code null}
   * @param tls whether the session is protected by TLS
   */
  record SessionInfo(
      java.net.InetSocketAddress client, String heloName, String authenticatedUser, boolean tls) {}
}
