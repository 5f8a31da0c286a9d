package dev.headend.jwt;

/**
 * A JWK or JWK Set is malformed or describes a key this library cannot use; the message says which
 * member.
 */
public final class JwkException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A refusal described by {@code message}. */
  public JwkException(String message) {
    super(message);
  }

  /** A refusal described by {@code message}, caused by {@code cause}. */
  public JwkException(String message, Throwable cause) {
    super(message, cause);
  }
}
