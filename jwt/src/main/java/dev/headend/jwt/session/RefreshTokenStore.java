package dev.headend.jwt.session;

import java.time.Instant;
import java.util.Optional;

/**
 * Where sessions, refresh-token hashes and revoked access-token ids live. Implementations must make
 * {@link #rotate} atomic: of concurrent calls presenting the same token, exactly one may see {@code
 * ROTATED}. Stores only ever see SHA-256 hashes of refresh tokens, never the tokens. {@link
 * MemoryRefreshTokenStore} is for one process; {@code RedisRefreshTokenStore} is shared.
 */
public interface RefreshTokenStore {
  /** Records a new session and its first refresh token, which lapses at {@code tokenExpiresAt}. */
  void createSession(Session session, String tokenHash, Instant tokenExpiresAt);

  /**
   * Atomically presents {@code tokenHash}: if it is its session's current token, unexpired, and the
   * session is live, it is spent and {@code newTokenHash} becomes current ({@code ROTATED}); if it
   * was already spent the session is revoked ({@code REUSED}).
   */
  Rotation rotate(String tokenHash, String newTokenHash, Instant now, Instant newTokenExpiresAt);

  /** Revokes the session {@code tokenHash} belongs to; returns its id, empty if unknown. */
  Optional<String> revokeByToken(String tokenHash);

  /** Revokes a session by id; unknown ids are ignored. */
  void revokeSession(String sessionId);

  /** Whether the session has been revoked (unknown sessions count as not revoked). */
  boolean isSessionRevoked(String sessionId);

  /** Denies access token {@code jti} until {@code until} (its {@code exp}). */
  void denyAccessToken(String jti, Instant until);

  /** Whether {@code jti} is denied at {@code now}. */
  boolean isAccessTokenDenied(String jti, Instant now);
}
