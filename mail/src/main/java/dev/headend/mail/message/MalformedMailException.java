package dev.headend.mail.message;

import dev.headend.core.MalformedMessageException;

/** A message's header section is not valid RFC 5322; the message says what and where. */
public final class MalformedMailException extends MalformedMessageException {
  private static final long serialVersionUID = 1L;

  /**
   * @param reason what was wrong
   * @param offset byte offset from the start of the message
   */
  public MalformedMailException(String reason, int offset) {
    super(reason, offset, null, false);
  }
}
