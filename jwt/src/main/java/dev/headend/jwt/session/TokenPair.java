package dev.headend.jwt.session;

import java.time.Instant;

/**
 * What a client receives at login and at each refresh.
 *
 * @param accessToken a signed JWT for resource servers; short-lived
 * @param accessTokenExpiresAt its {@code exp}
 * @param refreshToken an opaque random string, good for one refresh
 * @param refreshTokenExpiresAt when the refresh token lapses if unused
 * @param sessionId the session (token family) both belong to; the access token's {@code sid}
 */
public record TokenPair(
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt,
    String sessionId) {
  /** Never shows the tokens themselves. */
  @Override
  public String toString() {
    return "TokenPair{session="
        + sessionId
        + ", accessUntil="
        + accessTokenExpiresAt
        + ", refreshUntil="
        + refreshTokenExpiresAt
        + "}";
  }
}
