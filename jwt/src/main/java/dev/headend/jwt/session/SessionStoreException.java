package dev.headend.jwt.session;

/** A shared {@link RefreshTokenStore} could not be reached or refused an operation. */
public final class SessionStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public SessionStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
