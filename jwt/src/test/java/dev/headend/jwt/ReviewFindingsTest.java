package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.ManualClock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Rules added after a review of the first version of the module. */
class ReviewFindingsTest {
  static final Jwk HS = Jwk.generate(JwsAlgorithm.HS256);

  static JwtException.Reason refused(JwtVerifier v, String token) {
    return assertThrows(JwtException.class, () -> v.verify(token)).reason();
  }

  @Test
  void jsonMustBeUtf8() {
    JwtVerifier v = JwtVerifier.builder(JwkSet.of(HS)).allowMissingExpiration().build();
    String token =
        JwtSigner.of(HS).signPayload("{\"sub\":\"x\"}".getBytes(StandardCharsets.UTF_16LE));
    assertEquals(JwtException.Reason.MALFORMED, refused(v, token));
  }

  @Test
  void aPresentAudienceNeedsAVerifierThatNamesOne() throws Exception {
    String token = JwtSigner.of(HS).sign(JwtClaims.builder().audience("other-api").build());
    JwtVerifier strict = JwtVerifier.builder(JwkSet.of(HS)).allowMissingExpiration().build();
    assertEquals(JwtException.Reason.WRONG_AUDIENCE, refused(strict, token));
    JwtVerifier lax =
        JwtVerifier.builder(JwkSet.of(HS)).allowMissingExpiration().ignoreAudience().build();
    assertEquals(List.of("other-api"), lax.verify(token).claims().audience());
  }

  @Test
  void aFailingRevocationCheckIsATypedRefusal() {
    String token = JwtSigner.of(HS).sign(JwtClaims.builder().id("j1").claim("sid", "s1").build());
    JwtVerifier v =
        JwtVerifier.builder(JwkSet.of(HS))
            .allowMissingExpiration()
            .revokedIds(
                jti -> {
                  throw new IllegalStateException("store down");
                })
            .build();
    assertEquals(JwtException.Reason.REVOCATION_UNAVAILABLE, refused(v, token));
    JwtVerifier bySession =
        JwtVerifier.builder(JwkSet.of(HS))
            .allowMissingExpiration()
            .revokedSessions("s1"::equals)
            .build();
    assertEquals(JwtException.Reason.REVOKED, refused(bySession, token));
  }

  @Test
  void mediaTypePrefixIsOnlyDroppedWithoutAnotherSlash() {
    assertEquals("jwt", JwtVerifier.mediaType("application/JWT"));
    assertEquals(
        "application/example;part=\"1/2\"",
        JwtVerifier.mediaType("application/example;part=\"1/2\""));
  }

  @Test
  void nonMinimalIntegersAndNonCanonicalPointsAreRefused() throws Exception {
    Map<String, Object> rsa =
        new LinkedHashMap<>(Jwk.generate(JwsAlgorithm.RS256).toPublicJwk().members());
    rsa.put("e", "AAEAAQ");
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.fromMembers(rsa))
            .getMessage()
            .contains("leading zero"));

    byte[] y = new BigInteger("2").pow(255).subtract(BigInteger.valueOf(18)).toByteArray(); // p + 1
    byte[] le = new byte[32];
    for (int i = 0; i < 32; i++) {
      le[i] = y[y.length - 1 - i];
    }
    String json = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + B64.encode(le) + "\"}";
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.parse(json)).getMessage().contains("canonical"));

    Map<String, Object> huge = new LinkedHashMap<>(rsa);
    byte[] n = new byte[Jwk.MAX_RSA_BITS / 8 + 1];
    n[0] = 1;
    n[n.length - 1] = 1;
    huge.put("n", B64.encode(n));
    huge.put("e", "AQAB");
    assertTrue(
        assertThrows(JwkException.class, () -> Jwk.fromMembers(huge))
            .getMessage()
            .contains("limit"));
  }

  @Test
  void anUnusableSignatureDoesNotHideAUsableOne() throws Exception {
    byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
    String compact = Jws.signCompact(HS, JwsAlgorithm.HS256, Map.of(), payload);
    String[] p = compact.split("\\.");
    String other = B64.encode("{\"alg\":\"ES256K\"}".getBytes(StandardCharsets.UTF_8));
    String crit =
        B64.encode("{\"alg\":\"HS256\",\"crit\":[\"x\"],\"x\":1}".getBytes(StandardCharsets.UTF_8));
    String json =
        "{\"payload\":\""
            + p[1]
            + "\",\"signatures\":["
            + "{\"protected\":\""
            + other
            + "\",\"signature\":\"AAAA\"},"
            + "{\"protected\":\""
            + crit
            + "\",\"signature\":\"AAAA\"},"
            + "{\"protected\":\""
            + p[0]
            + "\",\"signature\":\""
            + p[2]
            + "\"}]}";
    assertArrayEquals(payload, Jws.verifyJson(json, null, HS, JwsAlgorithm.HS256));
    StringBuilder many = new StringBuilder("{\"payload\":\"" + p[1] + "\",\"signatures\":[");
    for (int i = 0; i < 17; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"protected\":\"" + other + "\",\"signature\":\"AAAA\"}");
    }
    String tooMany = many.append("]}").toString();
    assertEquals(
        JwtException.Reason.TOO_LARGE,
        assertThrows(
                JwtException.class, () -> Jws.verifyJson(tooMany, null, HS, JwsAlgorithm.HS256))
            .reason());
  }

  @Test
  void aHungFetchDoesNotStopStaleKeysBeingServed() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-25T00:00:00Z");
    CountDownLatch hang = new CountDownLatch(1);
    CountDownLatch fetching = new CountDownLatch(1);
    String jwks = JwkSet.of(HS).toJson();
    int[] calls = {0};
    ExecutorService background = Executors.newSingleThreadExecutor();
    try {
      CachedJwkSource s =
          CachedJwkSource.builder(
                  () -> {
                    if (calls[0]++ == 0) {
                      return jwks;
                    }
                    fetching.countDown();
                    hang.await();
                    return jwks;
                  })
              .clock(clock)
              .executor(background)
              .timeToLive(Duration.ofMinutes(5))
              .refreshAhead(Duration.ofSeconds(30))
              .build();
      JwkSet first = s.current();
      clock.advance(Duration.ofSeconds(280)); // refresh-ahead starts, and hangs
      s.current();
      assertTrue(fetching.await(5, TimeUnit.SECONDS));
      clock.advance(Duration.ofSeconds(60)); // past the TTL, within stale-if-error
      long start = System.nanoTime();
      assertEquals(first, s.current());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "served without waiting");
    } finally {
      hang.countDown();
      background.shutdownNow();
    }
  }
}
