package dev.headend.jwt;

import dev.headend.jwt.JwtException.Reason;
import java.util.Map;

/**
 * A token decoded <em>without</em> checking its signature or claims: for choosing how to verify it
 * (read {@code iss} to pick a tenant's {@link JwtVerifier}, {@code kid} for logging), never for
 * trusting what it says. Decoding applies the verifier's default limits (8192 characters, depth 16,
 * 256 members) and refuses duplicate members.
 */
public final class UnverifiedJwt {
  private static final int MAX_LENGTH = 8192;
  private static final int MAX_DEPTH = 16;
  private static final int MAX_MEMBERS = 256;

  /** Tokens from one issuer share a header: the last one decoded is kept (maps are immutable). */
  private static volatile Header lastHeader;

  private record Header(String encoded, Map<String, Object> members) {}

  private final Map<String, Object> header;
  private final JwtClaims claims;

  private UnverifiedJwt(Map<String, Object> header, JwtClaims claims) {
    this.header = header;
    this.claims = claims;
  }

  /** Decodes a compact JWS; throws for anything that is not one. */
  public static UnverifiedJwt decode(String token) throws JwtException {
    if (token.length() > MAX_LENGTH) {
      throw new JwtException(Reason.TOO_LARGE, "token is " + token.length() + " characters");
    }
    int[] dots = Jws.compactDots(token);
    int dot1 = dots[0];
    int dot2 = dots[1];
    Header h = lastHeader;
    if (h == null || h.encoded.length() != dot1 || !token.regionMatches(0, h.encoded, 0, dot1)) {
      String encoded = token.substring(0, dot1);
      h =
          new Header(
              encoded, Jws.parse("header", Jws.decode("header", encoded), MAX_DEPTH, MAX_MEMBERS));
      lastHeader = h;
    }
    Map<String, Object> header = h.members;
    Map<String, Object> payload =
        Jws.parse("payload", Jws.decode("payload", token, dot1 + 1, dot2), MAX_DEPTH, MAX_MEMBERS);
    return new UnverifiedJwt(header, new JwtClaims(payload));
  }

  /** The header as the token states it. */
  public Map<String, Object> header() {
    return header;
  }

  /** The claims as the token states them; registered claims may have any JSON type. */
  public JwtClaims claims() {
    return claims;
  }
}
