package dev.headend.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.headend.testkit.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CachedJwkSourceTest {
  final ManualClock clock = ManualClock.at("2026-11-25T00:00:00Z");
  final Jwk k1 = Jwk.generate(JwsAlgorithm.ES256);
  final Jwk k2 = Jwk.generate(JwsAlgorithm.ES256);
  final AtomicReference<String> served =
      new AtomicReference<>(JwkSet.of(k1.toPublicJwk()).toJson());
  final AtomicInteger fetches = new AtomicInteger();
  volatile boolean down;

  CachedJwkSource.Builder source() {
    return CachedJwkSource.builder(
            () -> {
              fetches.incrementAndGet();
              if (down) {
                throw new IOException("connection refused");
              }
              return served.get();
            })
        .clock(clock)
        .executor(Runnable::run)
        .timeToLive(Duration.ofMinutes(5))
        .refreshAhead(Duration.ofSeconds(30))
        .staleIfError(Duration.ofMinutes(10))
        .retryAfterError(Duration.ofSeconds(10));
  }

  @Test
  void cachesThenRefreshesAheadOfExpiry() throws Exception {
    CachedJwkSource s = source().build();
    JwkSet first = s.current();
    assertSame(first, s.current());
    assertEquals(1, fetches.get());
    clock.advance(Duration.ofSeconds(269));
    assertSame(first, s.current());
    assertEquals(1, fetches.get());
    served.set(JwkSet.of(k2.toPublicJwk()).toJson());
    clock.advance(Duration.ofSeconds(1)); // 30 s before expiry: refresh ahead
    s.current();
    assertEquals(2, fetches.get());
    assertEquals(k2.thumbprint(), s.current().keys().get(0).thumbprint());
  }

  @Test
  void servesStaleWhileTheIssuerIsDownThenGivesUp() throws Exception {
    CachedJwkSource s = source().build();
    JwkSet first = s.current();
    down = true;
    clock.advance(Duration.ofMinutes(6));
    assertSame(first, s.current(), "stale-if-error");
    int after = fetches.get();
    clock.advance(Duration.ofSeconds(5));
    s.current();
    assertEquals(after, fetches.get(), "no refetch within retryAfterError");
    clock.advance(Duration.ofMinutes(10));
    JwtException e = assertThrows(JwtException.class, s::current);
    assertEquals(JwtException.Reason.KEY_SOURCE_UNAVAILABLE, e.reason());
    down = false;
    clock.advance(Duration.ofSeconds(10));
    assertEquals(1, s.current().keys().size());
  }

  @Test
  void unknownKidRefetchesAreRateLimited() throws Exception {
    CachedJwkSource s = source().unknownKeyIdRefetches(1, Duration.ofSeconds(30)).build();
    JwtVerifier v = JwtVerifier.builder(s).allowMissingExpiration().build();
    s.current();
    served.set(JwkSet.of(k1.toPublicJwk(), k2.toPublicJwk()).toJson());
    String byK2 = JwtSigner.of(k2).sign(JwtClaims.builder().subject("a").build());
    assertEquals("a", v.verify(byK2).claims().subject().get(), "rotation picked up");
    assertEquals(2, fetches.get());
    for (int i = 0; i < 100; i++) {
      String made =
          JwtSigner.of(Jwk.generate(JwsAlgorithm.ES256)).sign(JwtClaims.builder().build());
      assertEquals(
          JwtException.Reason.UNKNOWN_KEY,
          assertThrows(JwtException.class, () -> v.verify(made)).reason());
    }
    assertEquals(2, fetches.get(), "made-up kids did not cause fetches");
    clock.advance(Duration.ofSeconds(30));
    String made = JwtSigner.of(Jwk.generate(JwsAlgorithm.ES256)).sign(JwtClaims.builder().build());
    assertThrows(JwtException.class, () -> v.verify(made));
    assertEquals(3, fetches.get());
  }

  @Test
  void concurrentColdCallersShareOneFetch() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CachedJwkSource s =
        CachedJwkSource.builder(
                () -> {
                  fetches.incrementAndGet();
                  release.await();
                  return served.get();
                })
            .clock(clock)
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<JwkSet>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(s::current));
      }
      Thread.sleep(100);
      release.countDown();
      JwkSet first = results.get(0).get(5, TimeUnit.SECONDS);
      for (Future<JwkSet> f : results) {
        assertSame(first, f.get(5, TimeUnit.SECONDS));
      }
      assertEquals(1, fetches.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
