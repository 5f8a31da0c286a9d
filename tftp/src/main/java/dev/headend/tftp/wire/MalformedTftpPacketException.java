package dev.headend.tftp.wire;

import dev.headend.core.MalformedMessageException;

/** A datagram is not a valid TFTP packet (RFC 1350, 2347); the message says what and where. */
public final class MalformedTftpPacketException extends MalformedMessageException {
  private static final long serialVersionUID = 1L;

  /**
   * @param reason what was wrong
   * @param offset byte offset from the start of the packet
   */
  public MalformedTftpPacketException(String reason, int offset) {
    super(reason, offset, null, false);
  }
}
