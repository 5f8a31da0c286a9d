package dev.headend.mail.smtp;

/**
 * Checks SASL credentials for AUTH PLAIN and AUTH LOGIN (RFC 4954). Called on the engine's thread,
 * so it must answer quickly (from memory, or a cache); it must not throw.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Whether {@code password} is right for {@code username}.
   *
   * @param username the authentication identity the client sent
   * @param password the password the client sent
   * @return true to authenticate the session as {@code username}
   */
  boolean authenticate(String username, String password);
}
