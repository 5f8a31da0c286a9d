package dev.headend.jwt;

import static dev.headend.jwt.JwtException.Reason.ALGORITHM_NOT_ALLOWED;
import static dev.headend.jwt.JwtException.Reason.BAD_SIGNATURE;
import static dev.headend.jwt.JwtException.Reason.DUPLICATE_MEMBER;
import static dev.headend.jwt.JwtException.Reason.EXPIRED;
import static dev.headend.jwt.JwtException.Reason.INVALID_CLAIM;
import static dev.headend.jwt.JwtException.Reason.ISSUED_IN_FUTURE;
import static dev.headend.jwt.JwtException.Reason.MALFORMED;
import static dev.headend.jwt.JwtException.Reason.MISSING_CLAIM;
import static dev.headend.jwt.JwtException.Reason.NOT_YET_VALID;
import static dev.headend.jwt.JwtException.Reason.REVOKED;
import static dev.headend.jwt.JwtException.Reason.TOO_LARGE;
import static dev.headend.jwt.JwtException.Reason.TOO_OLD;
import static dev.headend.jwt.JwtException.Reason.UNKNOWN_KEY;
import static dev.headend.jwt.JwtException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.headend.jwt.JwtException.Reason.UNSUPPORTED_CRITICAL_HEADER;
import static dev.headend.jwt.JwtException.Reason.WRONG_AUDIENCE;
import static dev.headend.jwt.JwtException.Reason.WRONG_ISSUER;
import static dev.headend.jwt.JwtException.Reason.WRONG_TYPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JwtVerifierTest {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Jwk HS = Jwk.generate(JwsAlgorithm.HS256).withKeyId("hs");
  static final Jwk RS = Jwk.generate(JwsAlgorithm.RS256).withKeyId("rs");
  static final Jwk ES = Jwk.generate(JwsAlgorithm.ES256).withKeyId("es");

  final ManualClock clock = ManualClock.at(NOW);

  static JwtClaims.Builder claims() {
    return JwtClaims.builder()
        .issuer("https://id.example.net")
        .subject("alice")
        .audience("api")
        .issuedAt(NOW)
        .expiresAt(NOW.plusSeconds(300));
  }

  JwtVerifier.Builder verifier(Jwk... keys) {
    List<Jwk> pub = new java.util.ArrayList<>();
    for (Jwk k : keys) {
      pub.add(k.keyType().equals("oct") ? k : k.toPublicJwk());
    }
    return JwtVerifier.builder(JwkSet.of(pub))
        .issuer("https://id.example.net")
        .audience("api")
        .clock(clock);
  }

  static JwtException.Reason refused(JwtVerifier v, String token) {
    return assertThrows(JwtException.class, () -> v.verify(token)).reason();
  }

  static String forge(Map<String, ?> header, Map<String, ?> payload, String sig) {
    return B64.encode(Json.write(header)) + "." + B64.encode(Json.write(payload)) + "." + sig;
  }

  @ParameterizedTest
  @EnumSource(JwsAlgorithm.class)
  void everyAlgorithmSignsAndVerifies(JwsAlgorithm alg) throws Exception {
    Jwk key = Jwk.generate(alg);
    String token = JwtSigner.of(key).sign(claims().claim("n", 42L).build());
    Jwt jwt = verifier(key).build().verify(token);
    assertEquals(alg, jwt.algorithm());
    assertEquals("alice", jwt.claims().subject().orElseThrow());
    assertEquals(42L, jwt.claims().get("n").orElseThrow());
    assertEquals(key.keyId(), jwt.keyId());
    assertEquals(List.of("api"), jwt.claims().audience());
  }

  @Test
  void algNoneIsNeverAccepted() {
    JwtVerifier v = verifier(HS).build();
    Map<String, Object> payload = claims().build().asMap();
    assertEquals(UNSUPPORTED_ALGORITHM, refused(v, forge(Map.of("alg", "none"), payload, "")));
    assertEquals(UNSUPPORTED_ALGORITHM, refused(v, forge(Map.of("alg", "nOnE"), payload, "")));
    assertEquals(UNSUPPORTED_ALGORITHM, refused(v, forge(Map.of("typ", "JWT"), payload, "")));
    assertEquals(UNSUPPORTED_ALGORITHM, refused(v, forge(Map.of("alg", 256), payload, "")));
  }

  /**
   * The classic: sign HS256 with the RSA public key's bytes, hoping the verifier uses it as a
   * secret.
   */
  @Test
  void hsRsConfusionFails() throws Exception {
    byte[] publicKeyBytes = RS.toPublicJwk().verificationKey().getEncoded();
    byte[] pem =
        ("-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(publicKeyBytes)
                + "\n-----END PUBLIC KEY-----\n")
            .getBytes(StandardCharsets.US_ASCII);
    for (byte[] secret : List.of(publicKeyBytes, pem)) {
      String token =
          JwtSigner.of(Jwk.secret(secret).withKeyId("rs"), JwsAlgorithm.HS256)
              .sign(claims().build());
      // pinned keys: RS256 key never verifies HS256
      assertEquals(UNKNOWN_KEY, refused(verifier(RS).build(), token));
      // named algorithms including HS256: still no oct key with that kid
      assertEquals(
          UNKNOWN_KEY,
          refused(
              verifier(RS.withAlgorithm(null))
                  .algorithms(JwsAlgorithm.RS256, JwsAlgorithm.HS256)
                  .build(),
              token));
    }
    assertTrue(
        ((RSAPublicKey) RS.toPublicJwk().verificationKey()).getModulus().bitLength() >= 2048);
  }

  @Test
  void verifierAlgorithmsRestrictPinnedKeys() throws Exception {
    String token = JwtSigner.of(ES).sign(claims().build());
    assertEquals(
        ALGORITHM_NOT_ALLOWED, refused(verifier(ES).algorithms(JwsAlgorithm.RS256).build(), token));
    // unpinned keys only verify when the verifier names the algorithm
    Jwk unpinned = ES.withAlgorithm(null);
    assertEquals(UNKNOWN_KEY, refused(verifier(unpinned).build(), token));
    assertEquals(
        JwsAlgorithm.ES256,
        verifier(unpinned).algorithms(JwsAlgorithm.ES256).build().verify(token).algorithm());
  }

  @Test
  void kidOnlySelectsAmongConfiguredKeys() throws Exception {
    JwtVerifier v = verifier(HS, RS, ES).build();
    Jwk attacker = Jwk.generate(JwsAlgorithm.HS256);
    for (String kid : List.of("../../../../dev/null", "' OR 1=1 --", "es", "missing")) {
      String token = JwtSigner.of(attacker.withKeyId(kid)).sign(claims().build());
      JwtException.Reason r = refused(v, token);
      assertTrue(r == UNKNOWN_KEY || r == BAD_SIGNATURE, kid + ": " + r);
    }
    // the header's own jwk is never trusted
    Map<String, Object> header = Map.of("alg", "HS256", "kid", "hs", "jwk", attacker.members());
    String payload = B64.encode(Json.write(claims().build().asMap()));
    String input = B64.encode(Json.write(header)) + "." + payload;
    byte[] in = input.getBytes(StandardCharsets.US_ASCII);
    String token =
        input + "." + B64.encode(Signatures.sign(JwsAlgorithm.HS256, attacker, in, in.length));
    assertEquals(BAD_SIGNATURE, refused(v, token));
    // a kid of the wrong type is refused too
    assertEquals(
        UNKNOWN_KEY, refused(v, JwtSigner.of(attacker.withKeyId("rs")).sign(claims().build())));
  }

  @Test
  void unknownCriticalHeadersFail() throws Exception {
    JwtVerifier v = verifier(HS).build();
    for (Map<String, Object> h :
        List.<Map<String, Object>>of(
            Map.of("alg", "HS256", "crit", List.of("exp"), "exp", 1),
            Map.of("alg", "HS256", "crit", List.of()),
            Map.of("alg", "HS256", "crit", "exp"),
            Map.of("alg", "HS256", "crit", List.of("alg")),
            Map.of("alg", "HS256", "crit", List.of("x", "x"), "x", 1),
            Map.of("alg", "HS256", "crit", List.of("b64"), "b64", false))) {
      String token =
          Jws.signCompact(HS, JwsAlgorithm.HS256, h, Json.write(claims().build().asMap()));
      assertEquals(UNSUPPORTED_CRITICAL_HEADER, refused(v, token), h.toString());
    }
    Map<String, Object> understood = Map.of("alg", "HS256", "crit", List.of("exp"), "exp", 1);
    String token =
        Jws.signCompact(HS, JwsAlgorithm.HS256, understood, Json.write(claims().build().asMap()));
    assertEquals(
        "alice",
        verifier(HS).criticalHeaders("exp").build().verify(token).claims().subject().get());
    Map<String, Object> missing = Map.of("alg", "HS256", "crit", List.of("exp"));
    String absent =
        Jws.signCompact(HS, JwsAlgorithm.HS256, missing, Json.write(claims().build().asMap()));
    assertEquals(
        UNSUPPORTED_CRITICAL_HEADER, refused(verifier(HS).criticalHeaders("exp").build(), absent));
  }

  @Test
  void tamperedTokensFail() throws Exception {
    JwtVerifier v = verifier(HS).build();
    String token = JwtSigner.of(HS).sign(claims().build());
    String[] p = token.split("\\.");
    String otherPayload = B64.encode(Json.write(claims().subject("root").build().asMap()));
    assertEquals(BAD_SIGNATURE, refused(v, p[0] + "." + otherPayload + "." + p[2]));
    // the same signature bits re-encoded with non-zero padding bits: refused, not re-accepted
    char last = p[2].charAt(p[2].length() - 1);
    int idx = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(last);
    char alias = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(idx | 1);
    if (alias != last) {
      assertEquals(
          MALFORMED,
          refused(v, p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 1) + alias));
    }
    assertEquals(MALFORMED, refused(v, token + "="));
    assertEquals(MALFORMED, refused(v, p[0] + "." + p[1]));
    assertEquals(MALFORMED, refused(v, token + ".x.y"));
    assertEquals(MALFORMED, refused(v, " " + token));
    assertEquals(BAD_SIGNATURE, refused(v, p[0] + "." + p[1] + "."));
    assertEquals(BAD_SIGNATURE, refused(v, p[0] + "." + p[1] + "." + p[2].substring(0, 8)));
  }

  /** CVE-2022-21449: r = s = 0 verified against any key on unpatched JDKs. */
  @Test
  void psychicEcdsaSignaturesFail() throws Exception {
    JwtVerifier v = verifier(ES).build();
    String[] p = JwtSigner.of(ES).sign(claims().build()).split("\\.");
    for (byte[] sig : List.of(new byte[64], new byte[0], new byte[63], new byte[65])) {
      assertEquals(BAD_SIGNATURE, refused(v, p[0] + "." + p[1] + "." + B64.encode(sig)));
    }
    byte[] n =
        ((java.security.interfaces.ECPublicKey) ES.toPublicJwk().verificationKey())
            .getParams()
            .getOrder()
            .toByteArray();
    byte[] rn = new byte[64];
    System.arraycopy(n, n.length - 32, rn, 0, 32);
    System.arraycopy(n, n.length - 32, rn, 32, 32);
    assertEquals(BAD_SIGNATURE, refused(v, p[0] + "." + p[1] + "." + B64.encode(rn)));
  }

  @Test
  void timeClaimsHonourSkew() throws Exception {
    JwtVerifier v =
        verifier(HS).clockSkew(Duration.ofSeconds(30)).maxAge(Duration.ofMinutes(10)).build();
    String token = JwtSigner.of(HS).sign(claims().notBefore(NOW.plusSeconds(60)).build());
    assertEquals(NOT_YET_VALID, refused(v, token));
    clock.set(NOW.plusSeconds(30));
    assertEquals("alice", v.verify(token).claims().subject().get(), "within skew of nbf");
    clock.set(NOW.plusSeconds(329));
    v.verify(token);
    clock.set(NOW.plusSeconds(330));
    assertEquals(EXPIRED, refused(v, token), "exp + skew reached");

    clock.set(NOW);
    String future = JwtSigner.of(HS).sign(claims().issuedAt(NOW.plusSeconds(31)).build());
    assertEquals(ISSUED_IN_FUTURE, refused(v, future));

    String old =
        JwtSigner.of(HS)
            .sign(
                claims().issuedAt(NOW.minusSeconds(700)).expiresAt(NOW.plusSeconds(3600)).build());
    assertEquals(TOO_OLD, refused(v, old));
    String noIat =
        JwtSigner.of(HS)
            .sign(
                JwtClaims.builder()
                    .issuer("https://id.example.net")
                    .audience("api")
                    .expiresAt(NOW.plusSeconds(60))
                    .build());
    assertEquals(MISSING_CLAIM, refused(v, noIat), "max age needs iat");
  }

  @Test
  void fractionalAndHugeNumericDates() throws Exception {
    JwtVerifier v = verifier(HS).clockSkew(Duration.ZERO).build();
    String frac = JwtSigner.of(HS).sign(claims().claim("exp", NOW.getEpochSecond() + 0.5).build());
    assertEquals(NOW.plusMillis(500), v.verify(frac).claims().expiresAt().get());
    String huge =
        JwtSigner.of(HS)
            .sign(claims().claim("exp", new java.math.BigInteger("1" + "0".repeat(40))).build());
    assertEquals(Instant.MAX, v.verify(huge).claims().expiresAt().get());
    String text = JwtSigner.of(HS).sign(claims().claim("exp", "tomorrow").build());
    assertEquals(INVALID_CLAIM, refused(v, text));
    String noExp =
        JwtSigner.of(HS)
            .sign(JwtClaims.builder().issuer("https://id.example.net").audience("api").build());
    assertEquals(MISSING_CLAIM, refused(v, noExp));
    verifier(HS).allowMissingExpiration().build().verify(noExp);
  }

  @Test
  void issuerAudienceTypeAndRequiredClaims() throws Exception {
    JwtVerifier v = verifier(HS).requiredClaims("sub", "scope").build();
    assertEquals(
        WRONG_ISSUER,
        refused(
            v, JwtSigner.of(HS).sign(claims().claim("scope", "r").issuer("https://evil").build())));
    assertEquals(
        WRONG_ISSUER,
        refused(v, JwtSigner.of(HS).sign(claims().claim("scope", "r").claim("iss", null).build())));
    assertEquals(
        WRONG_AUDIENCE,
        refused(v, JwtSigner.of(HS).sign(claims().claim("scope", "r").audience("other").build())));
    assertEquals(
        INVALID_CLAIM,
        refused(
            v,
            JwtSigner.of(HS)
                .sign(claims().claim("scope", "r").claim("aud", List.of("api", 7L)).build())));
    assertEquals(MISSING_CLAIM, refused(v, JwtSigner.of(HS).sign(claims().build())));
    String ok =
        JwtSigner.of(HS).sign(claims().audience("other", "api").claim("scope", "read").build());
    assertEquals(List.of("other", "api"), v.verify(ok).claims().audience());

    String at =
        JwtSigner.of(HS, JwsAlgorithm.HS256, "at+jwt")
            .sign(claims().claim("scope", "read").build());
    assertEquals(WRONG_TYPE, refused(v, at));
    JwtVerifier atOnly = verifier(HS).type("application/at+JWT").build();
    atOnly.verify(at);
    assertEquals(WRONG_TYPE, refused(atOnly, ok));
    String untyped =
        JwtSigner.of(HS, JwsAlgorithm.HS256, null).sign(claims().claim("scope", "x").build());
    v.verify(untyped);
  }

  @Test
  void revokedIdsAreRefused() throws Exception {
    JwtVerifier v = verifier(HS).revokedIds(Set.of("t-1")::contains).build();
    assertEquals(REVOKED, refused(v, JwtSigner.of(HS).sign(claims().id("t-1").build())));
    v.verify(JwtSigner.of(HS).sign(claims().id("t-2").build()));
  }

  @Test
  void oversizedDeepAndDuplicatedJsonFail() throws Exception {
    JwtVerifier v = verifier(HS).maxTokenLength(4096).maxJsonDepth(4).maxMembers(32).build();
    String big = JwtSigner.of(HS).sign(claims().claim("pad", "x".repeat(5000)).build());
    assertEquals(TOO_LARGE, refused(v, big));
    Object deep = "leaf";
    for (int i = 0; i < 5; i++) {
      deep = List.of(deep);
    }
    assertEquals(TOO_LARGE, refused(v, JwtSigner.of(HS).sign(claims().claim("d", deep).build())));
    java.util.Map<String, Object> many = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      many.put("c" + i, i);
    }
    assertEquals(TOO_LARGE, refused(v, JwtSigner.of(HS).sign(claims().claims(many).build())));
    // duplicate claim, written by hand (a JSON library would not produce it)
    byte[] dup =
        ("{\"iss\":\"https://id.example.net\",\"aud\":\"api\",\"exp\":"
                + (NOW.getEpochSecond() + 60)
                + ",\"sub\":\"alice\",\"sub\":\"root\"}")
            .getBytes(StandardCharsets.UTF_8);
    assertEquals(DUPLICATE_MEMBER, refused(v, JwtSigner.of(HS).signPayload(dup)));
    byte[] dupNull = ("{\"exp\":null,\"exp\":1}").getBytes(StandardCharsets.UTF_8);
    assertEquals(DUPLICATE_MEMBER, refused(v, JwtSigner.of(HS).signPayload(dupNull)));
    String dupHeader =
        B64.encode("{\"alg\":\"HS256\",\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
            + ".e30.x";
    assertEquals(DUPLICATE_MEMBER, refused(v, dupHeader));
    assertEquals(
        MALFORMED,
        refused(v, JwtSigner.of(HS).signPayload("[1,2]".getBytes(StandardCharsets.UTF_8))));
    assertEquals(
        MALFORMED,
        refused(v, JwtSigner.of(HS).signPayload("{} {}".getBytes(StandardCharsets.UTF_8))));
    assertEquals(
        MALFORMED,
        refused(v, JwtSigner.of(HS).signPayload("{\"a\":".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void signerRefusesKeysThatDoNotFit() {
    assertThrows(
        IllegalArgumentException.class,
        () -> JwtSigner.of(Jwk.secret(new byte[16]), JwsAlgorithm.HS256));
    assertThrows(IllegalArgumentException.class, () -> JwtSigner.of(ES.toPublicJwk()));
    assertThrows(IllegalArgumentException.class, () -> JwtSigner.of(ES, JwsAlgorithm.ES384));
    assertThrows(IllegalArgumentException.class, () -> JwtSigner.of(Jwk.secret(new byte[32])));
    assertEquals(
        EnumSet.of(JwsAlgorithm.HS256, JwsAlgorithm.HS384),
        EnumSet.copyOf(
            java.util.Arrays.stream(JwsAlgorithm.values())
                .filter(Jwk.secret(new byte[48])::supports)
                .toList()));
  }
}
