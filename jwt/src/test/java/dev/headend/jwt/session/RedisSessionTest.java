package dev.headend.jwt.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.jwt.JwtClaims;
import dev.headend.jwt.session.redis.RedisRefreshTokenStore;
import dev.headend.testkit.ManualClock;
import dev.headend.testkit.RedisServer;
import dev.headend.testkit.RequiresPeer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The same family rules on a real redis-server, plus what only a shared store shows. */
@Tag("interop")
@RequiresPeer(value = "redis-server", install = "apt-get install -y redis-server")
class RedisSessionTest extends SessionManagerContract {
  private static RedisServer server;
  private static JedisPooled jedis;
  private String prefix;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
    jedis = new JedisPooled("127.0.0.1", server.port());
  }

  @AfterAll
  static void stopRedis() {
    if (jedis != null) {
      jedis.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  RefreshTokenStore newStore(ManualClock clock) {
    prefix = "test" + System.nanoTime() + ":";
    return new RedisRefreshTokenStore(jedis, prefix);
  }

  @Test
  void redisHoldsOnlyHashesAndKeysExpireWithTheSession() throws Exception {
    TokenPair pair = sessions.issue("alice", Map.of());
    for (String key : jedis.keys(prefix + "*")) {
      assertTrue(!key.contains(pair.refreshToken()), key);
      for (String value : jedis.hvals(key)) {
        assertTrue(!value.contains(pair.refreshToken()), value);
      }
    }
    String sessionKey = prefix + "s:" + pair.sessionId();
    long ttl = jedis.pttl(sessionKey);
    assertTrue(ttl > 2 * 86_400_000L && ttl <= 3 * 86_400_000L + 5_000, "ttl " + ttl);
    assertEquals("0", jedis.hget(sessionKey, "revoked"));
    jedis.scriptFlush(); // as after a server restart: the store reloads its script
    sessions.refresh(pair.refreshToken());
  }

  @Test
  void twoInstancesShareOneFamily() {
    TokenPair pair = sessions.issue("alice", Map.of("scope", "read"));
    RefreshTokenStore second = new RedisRefreshTokenStore(jedis, prefix);
    Rotation r =
        second.rotate(
            SessionManager.hash(pair.refreshToken()),
            "next",
            clock.instant(),
            clock.instant().plusSeconds(60));
    assertEquals(Rotation.Outcome.ROTATED, r.outcome());
    assertEquals("alice", r.session().subject());
    assertEquals(Map.of("scope", "read"), JwtClaims.fromJson(r.session().claimsJson()).asMap());
    assertEquals(
        Rotation.Outcome.REUSED,
        store
            .rotate(
                SessionManager.hash(pair.refreshToken()),
                "other",
                clock.instant(),
                clock.instant().plusSeconds(60))
            .outcome());
  }
}
