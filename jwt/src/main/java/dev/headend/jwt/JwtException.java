package dev.headend.jwt;

import java.util.Objects;

/**
 * A token was refused. {@link #reason()} says why, as a value a caller can switch on; the message
 * adds what and where (the claim, the header member, the offset) for logs. The message never
 * contains key material.
 */
public final class JwtException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a token was refused. */
  public enum Reason {
    /** Not a well-formed compact JWS: wrong number of parts, bad base64url, bad JSON. */
    MALFORMED,
    /** Larger than the configured limits: token length, JSON depth or member count. */
    TOO_LARGE,
    /** A JSON object has the same member twice (RFC 7515 §5.2, RFC 7519 §4). */
    DUPLICATE_MEMBER,
    /** {@code alg} is missing, {@code none}, or not a JWS algorithm this library implements. */
    UNSUPPORTED_ALGORITHM,
    /** {@code alg} is a known algorithm this verifier does not accept. */
    ALGORITHM_NOT_ALLOWED,
    /** No key with this {@code kid}, or no key pinned to this algorithm. */
    UNKNOWN_KEY,
    /** The key set could not be fetched and no usable copy is cached. */
    KEY_SOURCE_UNAVAILABLE,
    /** The signature does not verify with any candidate key. */
    BAD_SIGNATURE,
    /** {@code crit} names an extension this verifier does not understand, or is malformed. */
    UNSUPPORTED_CRITICAL_HEADER,
    /** {@code typ} is not the expected type. */
    WRONG_TYPE,
    /** A registered claim has the wrong JSON type (e.g. a string {@code exp}). */
    INVALID_CLAIM,
    /** A claim the verifier requires is absent. */
    MISSING_CLAIM,
    /** {@code exp} is in the past (beyond the allowed skew). */
    EXPIRED,
    /** {@code nbf} is in the future (beyond the allowed skew). */
    NOT_YET_VALID,
    /** {@code iat} is in the future (beyond the allowed skew). */
    ISSUED_IN_FUTURE,
    /** {@code iat} is older than the configured maximum token age. */
    TOO_OLD,
    /** {@code iss} is not an accepted issuer. */
    WRONG_ISSUER,
    /** {@code aud} contains none of the accepted audiences. */
    WRONG_AUDIENCE,
    /** The token's {@code jti} or its session ({@code sid}) has been revoked. */
    REVOKED,
    /** A revocation check configured on the verifier failed (e.g. its store is unreachable). */
    REVOCATION_UNAVAILABLE
  }

  private final Reason reason;

  /** A refusal for {@code reason}; {@code detail} says what and where. */
  public JwtException(Reason reason, String detail) {
    super(reason + ": " + detail);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the token was refused. */
  public Reason reason() {
    return reason;
  }
}
