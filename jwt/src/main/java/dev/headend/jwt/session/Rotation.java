package dev.headend.jwt.session;

/**
 * What a store did with a presented refresh token.
 *
 * @param outcome the result
 * @param session the token's session when the store knows it (always for {@code ROTATED})
 */
public record Rotation(Outcome outcome, Session session) {
  /** The result of presenting a refresh token. */
  public enum Outcome {
    /** The token was current: it is now spent and the new one is current. */
    ROTATED,
    /** No such token (never issued, or purged after its session ended). */
    UNKNOWN,
    /** The token or its session has expired. */
    EXPIRED,
    /** The token was already spent: the whole session is now revoked (RFC 9700 §4.14.2). */
    REUSED,
    /** The session was revoked earlier (logout, reuse, or by id). */
    REVOKED
  }
}
