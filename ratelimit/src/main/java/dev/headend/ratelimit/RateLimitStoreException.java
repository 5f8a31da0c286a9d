package dev.headend.ratelimit;

/** A {@link RateLimitStore} could not decide: unreachable, timed out, or a malformed answer. */
public class RateLimitStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message and the store client's exception. */
  public RateLimitStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** With a message. */
  public RateLimitStoreException(String message) {
    super(message);
  }
}
