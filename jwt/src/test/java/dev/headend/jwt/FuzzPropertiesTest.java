package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Hostile input only ever surfaces as the module's typed errors. */
class FuzzPropertiesTest {
  static final Jwk KEY = Jwk.generate(JwsAlgorithm.HS256);
  static final JwtVerifier VERIFIER =
      JwtVerifier.builder(JwkSet.of(KEY)).allowMissingExpiration().build();

  @Property
  void base64urlRoundTripsAndIsCanonical(@ForAll byte[] data) throws Exception {
    String s = B64.encode(data);
    assertArrayEquals(data, B64.decode(s));
    assertEquals(s, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(data));
  }

  @Property
  void arbitraryTokensOnlyRaiseJwtException(@ForAll("tokens") String token) {
    try {
      VERIFIER.verify(token);
    } catch (JwtException e) {
      assertEquals(e.reason().name(), e.getMessage().substring(0, e.reason().name().length()));
    }
  }

  @Property
  void arbitraryJsonPayloadsOnlyRaiseJwtException(@ForAll("json") String json) {
    String token = JwtSigner.of(KEY).signPayload(json.getBytes(StandardCharsets.UTF_8));
    try {
      Jwt jwt = VERIFIER.verify(token);
      jwt.claims().expiresAt().ifPresent(Instant::getEpochSecond);
    } catch (JwtException e) {
      assertEquals(e.reason().name(), e.getMessage().substring(0, e.reason().name().length()));
    }
  }

  @Property
  void arbitraryJwksOnlyRaiseJwkException(@ForAll("json") String json) {
    try {
      JwkSet.parse(json);
      Jwk.parse(json);
    } catch (JwkException e) {
      assertEquals(JwkException.class, e.getClass());
    }
  }

  @Provide
  Arbitrary<String> tokens() {
    Arbitrary<String> part =
        Arbitraries.strings().withChars("AZaz09-_=+/.{}\" \u00e9\u0000").ofMaxLength(60);
    Arbitrary<String> real =
        Arbitraries.just(JwtSigner.of(KEY).sign(JwtClaims.builder().subject("s").build()));
    return Arbitraries.oneOf(
        part,
        part.map(p -> "eyJhbGciOiJIUzI1NiJ9." + p),
        real.flatMap(
            t ->
                Arbitraries.integers()
                    .between(0, t.length() - 1)
                    .flatMap(
                        i ->
                            Arbitraries.chars()
                                .map(c -> t.substring(0, i) + c + t.substring(i + 1)))));
  }

  @Provide
  Arbitrary<String> json() {
    Arbitrary<String> atom =
        Arbitraries.of(
            "1",
            "-0.5e3",
            "1e999",
            "99999999999999999999999",
            "\"s\"",
            "true",
            "null",
            "[",
            "{",
            "}",
            "]",
            ",",
            ":",
            "\"exp\"",
            "\"aud\"",
            "\"kty\"",
            "\"RSA\"",
            "\"EC\"",
            "\"keys\"",
            "\"\\ud800\"");
    return atom.list().ofMaxSize(30).map(l -> "{" + String.join("", l));
  }
}
