package dev.headend.mail.message;

import java.io.IOException;

/**
 * A journalled maildir store ({@link MessageStore#journaledMaildir}) found a record in its journal
 * that passes its checksum but cannot be a record it wrote; the store refuses to open rather than
 * drop what the journal may hold.
 */
public final class JournalCorruptException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An error with a message saying what was found where. */
  public JournalCorruptException(String message) {
    super(message);
  }
}
