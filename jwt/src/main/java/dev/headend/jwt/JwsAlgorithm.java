package dev.headend.jwt;

import java.util.Optional;

/**
 * The JWS signature algorithms of RFC 7518 §3 and RFC 8037 (EdDSA with Ed25519). {@code none} is
 * deliberately absent: an unsecured token is never accepted.
 */
public enum JwsAlgorithm {
  HS256(Family.HMAC, "HmacSHA256", 32, null),
  HS384(Family.HMAC, "HmacSHA384", 48, null),
  HS512(Family.HMAC, "HmacSHA512", 64, null),
  RS256(Family.RSA, "SHA256withRSA", 32, null),
  RS384(Family.RSA, "SHA384withRSA", 48, null),
  RS512(Family.RSA, "SHA512withRSA", 64, null),
  PS256(Family.RSA_PSS, "RSASSA-PSS", 32, null),
  PS384(Family.RSA_PSS, "RSASSA-PSS", 48, null),
  PS512(Family.RSA_PSS, "RSASSA-PSS", 64, null),
  ES256(Family.EC, "SHA256withECDSAinP1363Format", 32, "P-256"),
  ES384(Family.EC, "SHA384withECDSAinP1363Format", 48, "P-384"),
  ES512(Family.EC, "SHA512withECDSAinP1363Format", 64, "P-521"),
  EdDSA(Family.OKP, "Ed25519", 0, "Ed25519");

  /** The kind of key an algorithm needs. */
  public enum Family {
    /** A shared secret ({@code kty: oct}). */
    HMAC,
    /** An RSA key, PKCS#1 v1.5 signatures. */
    RSA,
    /** An RSA key, RSASSA-PSS signatures. */
    RSA_PSS,
    /** An elliptic-curve key on the algorithm's curve. */
    EC,
    /** An octet key pair (Ed25519). */
    OKP
  }

  private final Family family;
  final String jcaName;
  final int hashBytes;
  private final String curve;

  JwsAlgorithm(Family family, String jcaName, int hashBytes, String curve) {
    this.family = family;
    this.jcaName = jcaName;
    this.hashBytes = hashBytes;
    this.curve = curve;
  }

  /** The key family this algorithm signs with. */
  public Family family() {
    return family;
  }

  /** For EC and EdDSA algorithms the JWK {@code crv} the key must have, else empty. */
  public Optional<String> curve() {
    return Optional.ofNullable(curve);
  }

  /** The {@code alg} header value (the same as {@link #name()}). */
  public String jwsName() {
    return name();
  }

  /** The algorithm whose {@code alg} value is exactly {@code name}, or empty. */
  public static Optional<JwsAlgorithm> forName(String name) {
    for (JwsAlgorithm a : values()) {
      if (a.name().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
