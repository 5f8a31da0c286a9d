package dev.headend.jwt.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.jwt.Jwk;
import dev.headend.jwt.JwkSet;
import dev.headend.jwt.JwsAlgorithm;
import dev.headend.jwt.Jwt;
import dev.headend.jwt.JwtException;
import dev.headend.jwt.JwtSigner;
import dev.headend.jwt.JwtVerifier;
import dev.headend.jwt.session.Rotation.Outcome;
import dev.headend.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The refresh-family rules, run once per store. */
abstract class SessionManagerContract {
  static final Jwk KEY = Jwk.generate(JwsAlgorithm.ES256);

  final ManualClock clock = ManualClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  RefreshTokenStore store;
  SessionManager sessions;
  JwtVerifier verifier;

  abstract RefreshTokenStore newStore(ManualClock clock);

  @BeforeEach
  void setUp() {
    store = newStore(clock);
    sessions =
        SessionManager.builder(JwtSigner.of(KEY), store)
            .issuer("https://id.example.net")
            .audience("api")
            .accessTokenLifetime(Duration.ofMinutes(5))
            .refreshTokenLifetime(Duration.ofDays(1))
            .sessionLifetime(Duration.ofDays(3))
            .clock(clock)
            .build();
    verifier =
        JwtVerifier.builder(JwkSet.of(KEY.toPublicJwk()))
            .issuer("https://id.example.net")
            .audience("api")
            .clock(clock)
            .revokedIds(sessions.revokedAccessTokenIds())
            .revokedSessions(sessions.revokedSessionIds())
            .build();
  }

  static Outcome refused(Callable<?> c) {
    return assertThrows(RefreshException.class, c::call).outcome();
  }

  @Test
  void issueGivesAVerifiableAccessTokenAndAnOpaqueRefreshToken() throws Exception {
    TokenPair p = sessions.issue("alice", Map.of("scope", "read"));
    Jwt jwt = verifier.verify(p.accessToken());
    assertEquals("alice", jwt.claims().subject().orElseThrow());
    assertEquals("read", jwt.claims().getString("scope").orElseThrow());
    assertEquals(p.sessionId(), jwt.claims().getString("sid").orElseThrow());
    assertEquals(clock.instant().plus(Duration.ofMinutes(5)), p.accessTokenExpiresAt());
    assertEquals(43, p.refreshToken().length(), "256 random bits, base64url");
    assertFalse(p.toString().contains(p.refreshToken()));
    assertFalse(p.toString().contains(p.accessToken()));
  }

  @Test
  void refreshRotatesAndKeepsClaims() throws Exception {
    TokenPair p1 = sessions.issue("alice", Map.of("scope", "read"));
    clock.advance(Duration.ofMinutes(4));
    TokenPair p2 = sessions.refresh(p1.refreshToken());
    assertNotEquals(p1.refreshToken(), p2.refreshToken());
    assertEquals(p1.sessionId(), p2.sessionId());
    Jwt jwt = verifier.verify(p2.accessToken());
    assertEquals("read", jwt.claims().getString("scope").orElseThrow());
    assertNotEquals(
        verifier.verify(p1.accessToken()).claims().id(), jwt.claims().id(), "fresh jti each time");
    TokenPair p3 = sessions.refresh(p2.refreshToken());
    verifier.verify(p3.accessToken());
  }

  @Test
  void reusingASpentTokenRevokesTheWholeFamily() throws Exception {
    TokenPair p1 = sessions.issue("alice", Map.of());
    TokenPair p2 = sessions.refresh(p1.refreshToken());
    assertEquals(Outcome.REUSED, refused(() -> sessions.refresh(p1.refreshToken())));
    assertEquals(Outcome.REVOKED, refused(() -> sessions.refresh(p2.refreshToken())));
    assertEquals(Outcome.REVOKED, refused(() -> sessions.refresh(p1.refreshToken())));
    // other sessions of the same user are untouched
    TokenPair other = sessions.issue("alice", Map.of());
    sessions.refresh(other.refreshToken());
  }

  @Test
  void aRevokedSessionsAccessTokensAreRefusedAtOnce() throws Exception {
    TokenPair p1 = sessions.issue("alice", Map.of());
    TokenPair p2 = sessions.refresh(p1.refreshToken());
    verifier.verify(p2.accessToken());
    refused(() -> sessions.refresh(p1.refreshToken())); // reuse: the family is revoked
    JwtException e = assertThrows(JwtException.class, () -> verifier.verify(p2.accessToken()));
    assertEquals(JwtException.Reason.REVOKED, e.reason());
    assertThrows(
        IllegalArgumentException.class, () -> sessions.issue("bob", Map.of("sub", "root")));
  }

  @Test
  void logoutRevokesAndUnknownTokensAreRefused() throws Exception {
    TokenPair p = sessions.issue("alice", Map.of());
    sessions.logout(p.refreshToken());
    assertEquals(Outcome.REVOKED, refused(() -> sessions.refresh(p.refreshToken())));
    sessions.logout("never-issued");
    assertEquals(Outcome.UNKNOWN, refused(() -> sessions.refresh("never-issued")));
    TokenPair q = sessions.issue("bob", Map.of());
    sessions.revokeSession(q.sessionId());
    assertEquals(Outcome.REVOKED, refused(() -> sessions.refresh(q.refreshToken())));
  }

  @Test
  void refreshTokensAndSessionsExpire() throws Exception {
    TokenPair p = sessions.issue("alice", Map.of());
    clock.advance(Duration.ofDays(1));
    assertEquals(Outcome.EXPIRED, refused(() -> sessions.refresh(p.refreshToken())));

    TokenPair q = sessions.issue("bob", Map.of());
    for (int i = 0; i < 2; i++) {
      clock.advance(Duration.ofHours(23));
      q = sessions.refresh(q.refreshToken());
    }
    assertTrue(!q.refreshTokenExpiresAt().isAfter(clock.instant().plus(Duration.ofDays(1))));
    clock.advance(Duration.ofHours(23)); // 69 h: within the token's day, past the 3-day session
    clock.advance(Duration.ofHours(4));
    TokenPair last = q;
    assertEquals(Outcome.EXPIRED, refused(() -> sessions.refresh(last.refreshToken())));
  }

  @Test
  void revokedAccessTokensAreDeniedUntilTheyExpire() throws Exception {
    TokenPair p = sessions.issue("alice", Map.of());
    Jwt jwt = verifier.verify(p.accessToken());
    sessions.revokeAccessToken(jwt);
    JwtException e = assertThrows(JwtException.class, () -> verifier.verify(p.accessToken()));
    assertEquals(JwtException.Reason.REVOKED, e.reason());
    TokenPair other = sessions.issue("alice", Map.of());
    verifier.verify(other.accessToken());
  }

  @Test
  void concurrentRefreshOfOneTokenHasExactlyOneWinner() throws Exception {
    int threads = 16;
    for (int round = 0; round < 20; round++) {
      TokenPair p = sessions.issue("alice", Map.of());
      CyclicBarrier start = new CyclicBarrier(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Object>> results = new ArrayList<>();
      try {
        for (int i = 0; i < threads; i++) {
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    try {
                      return sessions.refresh(p.refreshToken());
                    } catch (RefreshException e) {
                      return e.outcome();
                    }
                  }));
        }
        List<TokenPair> winners = new ArrayList<>();
        for (Future<Object> f : results) {
          Object r = f.get(30, TimeUnit.SECONDS);
          if (r instanceof TokenPair) {
            winners.add((TokenPair) r);
          } else {
            assertTrue(r == Outcome.REUSED || r == Outcome.REVOKED, "loser saw " + r);
          }
        }
        assertEquals(1, winners.size(), "round " + round);
        // the losers presented a spent token: the family, winner included, is revoked
        assertEquals(
            Outcome.REVOKED, refused(() -> sessions.refresh(winners.get(0).refreshToken())));
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
