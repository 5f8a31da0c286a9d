package dev.headend.dhcp.wire;

import dev.headend.core.MalformedMessageException;

/**
 * A DHCP/BOOTP message, or one of its options, could not be decoded. The message says what was
 * wrong and {@link #offset()} where, counted from the first byte of the BOOTP message (the {@code
 * op} field).
 *
 * <p>Raised by {@link DhcpCodec#decode} for a message whose structure is broken (shorter than the
 * fixed header, an option running past the end of its field), and by the typed option accessors of
 * {@link DhcpMessage} for an option whose contents do not follow its RFC (a subnet mask of 3
 * bytes). Raised per datagram by untrusted peers, so it carries no stack trace.
 */
public final class MalformedDhcpMessageException extends MalformedMessageException {
  private static final long serialVersionUID = 1L;

  /**
   * @param reason what was wrong
   * @param offset byte offset from the start of the BOOTP message
   */
  public MalformedDhcpMessageException(String reason, int offset) {
    super(reason, offset, null, false);
  }
}
