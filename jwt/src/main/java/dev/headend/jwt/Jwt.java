package dev.headend.jwt;

import java.util.Map;
import java.util.Optional;

/**
 * A verified token: its JOSE header, its claims, and the key that verified it. Only {@link
 * JwtVerifier} makes these, so holding one means every configured check passed.
 */
public final class Jwt {
  private final Map<String, Object> header;
  private final JwtClaims claims;
  private final JwsAlgorithm algorithm;
  private final Jwk key;

  Jwt(Map<String, Object> header, JwtClaims claims, JwsAlgorithm algorithm, Jwk key) {
    this.header = header;
    this.claims = claims;
    this.algorithm = algorithm;
    this.key = key;
  }

  /** The JOSE header members, in token order. */
  public Map<String, Object> header() {
    return header;
  }

  /** The claims. */
  public JwtClaims claims() {
    return claims;
  }

  /** The algorithm the signature was made with. */
  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /** The header's {@code kid}, if present. */
  public Optional<String> keyId() {
    Object v = header.get("kid");
    return v instanceof String ? Optional.of((String) v) : Optional.empty();
  }

  /** The key whose signature check passed. */
  public Jwk key() {
    return key;
  }

  @Override
  public String toString() {
    return "Jwt{alg=" + algorithm + ", claims=" + claims + "}";
  }
}
