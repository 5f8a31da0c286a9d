package dev.headend.mail.smtp;

import java.util.Objects;

/** What an {@link SmtpServerEngine} tells the application. */
public sealed interface SmtpEvent permits SmtpEvent.MessageReceived, SmtpEvent.StartTls {

  /**
   * A message has been received completely (after DATA's terminating dot or BDAT LAST) and passed
   * the policy's message check. The engine sends no reply and reads no further command until the
   * application calls {@link SmtpServerEngine#messageAccepted} (once the message is stored durably)
   * or {@link SmtpServerEngine#messageRejected}; pipelined commands wait meanwhile.
   *
   * <p>The content is handed over: the engine never touches the array again, so it may be stored
   * from another thread. Its memory counts against {@link SmtpServerConfig#messageMemory()} until
   * the decision, or, if the connection goes away first, until the application calls {@code
   * memory().release()} (once it no longer needs the content).
   *
   * @param envelope who sent it to whom, and how
   * @param content the message as received, dot-unstuffed, with CRLF line ends, preceded by the
   *     engine's {@code Received:} trace header (RFC 5321 §4.4)
   * @param memory what the content holds in the server's memory limit
   */
  record MessageReceived(Envelope envelope, byte[] content, MessageMemory.Hold memory)
      implements SmtpEvent {
    /** Checks for nulls. */
    public MessageReceived {
      Objects.requireNonNull(envelope, "envelope");
      Objects.requireNonNull(content, "content");
      Objects.requireNonNull(memory, "memory");
    }

    @Override
    public String toString() {
      return "MessageReceived[" + envelope + ", " + content.length + " bytes]";
    }
  }

  /**
   * The engine has queued its {@code 220} reply to STARTTLS (RFC 3207). The adapter writes that
   * reply in clear, then starts a TLS handshake as the server and calls {@link
   * SmtpServerEngine#tlsStarted} when it completes; the engine reads nothing until then.
   */
  record StartTls() implements SmtpEvent {}
}
