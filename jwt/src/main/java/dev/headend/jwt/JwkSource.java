package dev.headend.jwt;

/**
 * Where a {@link JwtVerifier} gets its keys. A {@link JwkSet} is its own source; {@link
 * CachedJwkSource} fetches and caches a remote set.
 */
public interface JwkSource {
  /** The keys to verify with now. */
  JwkSet current() throws JwtException;

  /**
   * Called when a token names a {@code kid} that {@link #current()} lacks (the issuer may have
   * rotated keys). A source may refetch, at a rate it chooses; the default returns {@link
   * #current()}.
   */
  default JwkSet currentAfterUnknownKeyId(String kid) throws JwtException {
    return current();
  }
}
