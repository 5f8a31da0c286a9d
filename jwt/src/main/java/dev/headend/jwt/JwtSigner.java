package dev.headend.jwt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Makes compact JWS tokens with one key and one algorithm. The header ({@code alg}, {@code typ},
 * {@code kid} from the key) is encoded once, at construction. Thread-safe.
 *
 * <pre>{@code
 * JwtSigner signer = JwtSigner.of(Jwk.generate(JwsAlgorithm.ES256));
 * String token = signer.sign(JwtClaims.builder().subject("alice").expiresAt(exp).build());
 * }</pre>
 */
public final class JwtSigner {
  private final Jwk key;
  private final JwsAlgorithm algorithm;
  private final byte[] encodedHeader;

  private JwtSigner(Jwk key, JwsAlgorithm algorithm, Map<String, Object> header) {
    this.key = key;
    this.algorithm = algorithm;
    byte[] json = Json.write(header);
    this.encodedHeader = B64.encodeToAscii(json, 0, json.length);
  }

  /** A signer with the algorithm the key is pinned to ({@code alg}); throws if it has none. */
  public static JwtSigner of(Jwk key) {
    JwsAlgorithm a =
        key.algorithm()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "key " + key + " is not pinned to a JWS algorithm; name one"));
    return of(key, a);
  }

  /** A signer for {@code algorithm}; throws IllegalArgumentException if the key cannot sign it. */
  public static JwtSigner of(Jwk key, JwsAlgorithm algorithm) {
    return of(key, algorithm, "JWT");
  }

  /**
   * A signer whose tokens carry {@code typ} (e.g. {@code "at+jwt"} for RFC 9068 access tokens), or
   * none for null.
   */
  public static JwtSigner of(Jwk key, JwsAlgorithm algorithm, String typ) {
    Objects.requireNonNull(algorithm, "algorithm");
    String why = key.whyNot(algorithm, true);
    if (why != null) {
      throw new IllegalArgumentException("cannot sign " + algorithm + " with " + key + ": " + why);
    }
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", algorithm.name());
    if (typ != null) {
      header.put("typ", typ);
    }
    key.keyId().ifPresent(kid -> header.put("kid", kid));
    return new JwtSigner(key, algorithm, header);
  }

  /** The algorithm of every token this signer makes. */
  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /** The signing key. */
  public Jwk key() {
    return key;
  }

  /** A compact JWS of {@code claims}. */
  public String sign(JwtClaims claims) {
    return signPayload(Json.write(claims.asMap()));
  }

  /** A compact JWS of arbitrary payload bytes. */
  public String signPayload(byte[] payload) {
    byte[] body = B64.encodeToAscii(payload, 0, payload.length);
    int h = encodedHeader.length;
    byte[] input = new byte[h + 1 + body.length];
    System.arraycopy(encodedHeader, 0, input, 0, h);
    input[h] = '.';
    System.arraycopy(body, 0, input, h + 1, body.length);
    byte[] sig;
    try {
      sig = Signatures.sign(algorithm, key, input, input.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " signing failed: " + e.getMessage(), e);
    }
    byte[] s = B64.encodeToAscii(sig, 0, sig.length);
    StringBuilder out = new StringBuilder(input.length + 1 + s.length);
    out.append(new String(input, StandardCharsets.ISO_8859_1))
        .append('.')
        .append(new String(s, StandardCharsets.ISO_8859_1));
    return out.toString();
  }
}
