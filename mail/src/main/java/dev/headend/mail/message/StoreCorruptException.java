package dev.headend.mail.message;

import java.io.IOException;

/**
 * A segment log store ({@link MessageStore#segmentLog}) found a record that passes its checksum but
 * cannot be one it wrote, or a file it did not make; the store refuses to open rather than drop
 * what its files may hold.
 */
public final class StoreCorruptException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An error with a message saying what was found where. */
  public StoreCorruptException(String message) {
    super(message);
  }
}
