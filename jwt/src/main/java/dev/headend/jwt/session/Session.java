package dev.headend.jwt.session;

import java.time.Instant;
import java.util.Objects;

/**
 * A login: the family of refresh tokens that descend from it.
 *
 * @param id random session id, the access tokens' {@code sid}
 * @param subject the access tokens' {@code sub}
 * @param claimsJson extra access-token claims as JSON (see {@code JwtClaims.toJson()})
 * @param expiresAt the absolute end of the session, however often it is refreshed
 */
public record Session(String id, String subject, String claimsJson, Instant expiresAt) {
  /** Checks that no component is null. */
  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(claimsJson, "claimsJson");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
