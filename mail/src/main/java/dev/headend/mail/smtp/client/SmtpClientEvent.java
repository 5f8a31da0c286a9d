package dev.headend.mail.smtp.client;

/** What an {@link SmtpClientEngine} tells its adapter. */
public sealed interface SmtpClientEvent {

  /**
   * The server accepted STARTTLS: write what {@code pollOutput} still holds, start a TLS handshake
   * as client on the connection, then call {@link SmtpClientEngine#tlsStarted} (or {@link
   * SmtpClientEngine#tlsFailed}).
   */
  record StartTls() implements SmtpClientEvent {}

  /**
   * The delivery is decided (the engine still sends QUIT; the connection may be closed at any time
   * now).
   *
   * @param result per-recipient results
   */
  record Finished(DeliveryResult result) implements SmtpClientEvent {}
}
