package dev.headend.cache;

/** A write could not be made or queued; the message says which key and why. */
public final class CacheWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public CacheWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
