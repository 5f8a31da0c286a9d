package dev.headend.dns.wire;

import dev.headend.core.MalformedMessageException;

/**
 * A DNS message could not be decoded. The message says what was wrong and {@link #offset()} where,
 * counted from the first byte of the DNS message (after the TCP length prefix, if any).
 *
 * <p>Raised per datagram by untrusted peers, so it carries no stack trace.
 */
public final class MalformedDnsMessageException extends MalformedMessageException {
  private static final long serialVersionUID = 1L;

  /**
   * @param reason what was wrong
   * @param offset byte offset from the start of the DNS message
   */
  public MalformedDnsMessageException(String reason, int offset) {
    super(reason, offset, null, false);
  }
}
