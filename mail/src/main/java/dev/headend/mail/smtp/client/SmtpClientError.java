package dev.headend.mail.smtp.client;

/**
 * Why a delivery attempt ended before every recipient had its own answer from the server. Each
 * error is either transient (try another host or later) or permanent (bounce).
 */
public enum SmtpClientError {
  /** The server refused the session: a 4xx or 5xx greeting, EHLO/HELO, AUTH, MAIL or DATA reply. */
  REJECTED(false),
  /** TLS was required by the configuration and the server did not offer STARTTLS. */
  TLS_NOT_OFFERED(false),
  /** STARTTLS was refused or the TLS handshake failed. */
  TLS_FAILED(false),
  /** Credentials are configured and the server offers no AUTH mechanism we speak. */
  AUTH_NOT_OFFERED(false),
  /** Credentials are configured but the session is not under TLS (and that is not allowed). */
  AUTH_NEEDS_TLS(false),
  /** An address needs SMTPUTF8 (RFC 6531) and the server does not offer it: 5.6.7. */
  SMTPUTF8_NOT_OFFERED(true),
  /** The content is 8-bit and the server does not offer 8BITMIME (RFC 6152): 5.6.3. */
  EIGHTBITMIME_NOT_OFFERED(true),
  /** The message is larger than the server's SIZE (RFC 1870): 5.3.4. */
  MESSAGE_TOO_BIG(true),
  /** The server sent something that is not an SMTP reply, or a reply out of turn. */
  PROTOCOL_ERROR(false),
  /** No reply within the RFC 5321 §4.5.3.2 timeout. */
  TIMEOUT(false),
  /** The server closed the connection. */
  CONNECTION_CLOSED(false),
  /** The connection could not be made (the adapter reports this; the engine never does). */
  CONNECTION_FAILED(false);

  private final boolean permanent;

  SmtpClientError(boolean permanent) {
    this.permanent = permanent;
  }

  /**
   * Whether retrying cannot help (the error does not depend on the host or the moment). {@link
   * #REJECTED} depends on the reply: see {@link DeliveryResult#permanent()}.
   */
  public boolean permanent() {
    return permanent;
  }
}
