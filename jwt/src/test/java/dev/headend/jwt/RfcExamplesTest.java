package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.headend.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** RFC 7515 Appendix A.1, A.3, A.5 and RFC 7519 §3.1 (whose token is A.1's). */
class RfcExamplesTest {
  static final String PAYLOAD =
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
  static final String A1 =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
          + PAYLOAD
          + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final Jwk A1_KEY =
      parse(
          "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}");
  static final String A3 =
      "eyJhbGciOiJFUzI1NiJ9."
          + PAYLOAD
          + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  static final Jwk A3_KEY =
      parse(
          "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}");

  static Jwk parse(String json) {
    try {
      return Jwk.parse(json);
    } catch (JwkException e) {
      throw new AssertionError(e);
    }
  }

  final ManualClock clock = ManualClock.at(Instant.ofEpochSecond(1300819380 - 600));

  JwtVerifier verifier(Jwk key, JwsAlgorithm alg) {
    return JwtVerifier.builder(JwkSet.of(key)).algorithms(alg).issuer("joe").clock(clock).build();
  }

  @Test
  void a1Hs256AndRfc7519Example() throws Exception {
    Jwt jwt = verifier(A1_KEY, JwsAlgorithm.HS256).verify(A1);
    assertEquals("joe", jwt.claims().issuer().orElseThrow());
    assertEquals(Instant.ofEpochSecond(1300819380), jwt.claims().expiresAt().orElseThrow());
    assertEquals(Boolean.TRUE, jwt.claims().get("http://example.com/is_root").orElseThrow());
    assertEquals("JWT", jwt.header().get("typ"));
    // the payload bytes (with their CRLFs) are exactly the RFC's
    assertEquals(
        "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}",
        new String(Jws.verifyCompact(A1, A1_KEY, JwsAlgorithm.HS256), StandardCharsets.UTF_8));
    clock.set(Instant.ofEpochSecond(1300819380 + 60));
    assertEquals(
        JwtException.Reason.EXPIRED,
        assertThrows(JwtException.class, () -> verifier(A1_KEY, JwsAlgorithm.HS256).verify(A1))
            .reason());
  }

  @Test
  void a3Es256() throws Exception {
    Jwt jwt = verifier(A3_KEY, JwsAlgorithm.ES256).verify(A3);
    assertEquals(JwsAlgorithm.ES256, jwt.algorithm());
    assertEquals(Boolean.TRUE, jwt.claims().get("http://example.com/is_root").orElseThrow());
  }

  /** A.5: the unsecured JWS, refused whatever key is configured. */
  @Test
  void a5UnsecuredIsRefused() {
    String a5 = "eyJhbGciOiJub25lIn0." + PAYLOAD + ".";
    JwtException e =
        assertThrows(JwtException.class, () -> verifier(A1_KEY, JwsAlgorithm.HS256).verify(a5));
    assertEquals(JwtException.Reason.UNSUPPORTED_ALGORITHM, e.reason());
  }
}
