package dev.headend.ratelimit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.ratelimit.Decision;
import dev.headend.ratelimit.KeyedRateLimiter;
import dev.headend.ratelimit.Limit;
import dev.headend.ratelimit.RateLimitStoreException;
import dev.headend.ratelimit.RateLimiter;
import dev.headend.testkit.FreePorts;
import dev.headend.testkit.RedisServer;
import dev.headend.testkit.RequiresPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The Redis store against a real redis-server: the same decisions as in memory, one trip each. */
@Tag("interop")
@RequiresPeer(value = "redis-server", install = "apt-get install -y redis-server")
class RedisRateLimitStoreTest {
  private static RedisServer server;
  private static JedisPooled jedis;
  private static RedisRateLimitStore store;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
    jedis = new JedisPooled("127.0.0.1", server.port());
    store = new RedisRateLimitStore(jedis, "test:");
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

  private static Limit randomLimit(Random r) {
    long periodMicros = r.nextBoolean() ? 1 + r.nextInt(5_000) : 1 + r.nextInt(3_000_000);
    Duration period = Duration.ofNanos(periodMicros * 1000);
    long size = 1 + r.nextInt(20);
    long permits = 1 + r.nextInt((int) Math.min(12, periodMicros)); // Redis: <= 1 per µs
    List<Supplier<Limit>> all =
        List.of(
            () -> Limit.tokenBucket(size, permits, period),
            () -> Limit.tokenBucketIntervalRefill(size, permits, period),
            () -> Limit.leakyBucketMeter(size, permits, period),
            () -> Limit.leakyBucketShaper(size, permits, period),
            () -> Limit.fixedWindow(size, period),
            () -> Limit.slidingLog(size, period),
            () -> Limit.slidingWindowCounter(size, period),
            () -> Limit.gcra(permits, period, size));
    return all.get(r.nextInt(all.size())).get();
  }

  /** Redis's clock has microseconds: waits come back rounded up to one. */
  private static Decision inMicros(Decision d) {
    long wait = d.waitNanos() == Decision.NEVER ? d.waitNanos() : up(d.waitNanos());
    return new Decision(d.allowed(), d.remaining(), wait, up(d.resetNanos()));
  }

  private static long up(long nanos) {
    return Math.floorDiv(nanos + 999, 1000) * 1000;
  }

  @Test
  void givesTheSameDecisionsAsTheInMemoryLimiterForTheSameRequestsAndInstants() {
    Random r = new Random(20261125);
    int compared = 0;
    int refused = 0;
    for (int trial = 0; trial < 300; trial++) {
      Limit limit = randomLimit(r);
      RateLimiter local = RateLimiter.of(limit);
      String key = "eq:" + trial;
      long now = (1_764_000_000_000_000L + r.nextInt(1_000_000_000)) * 1000; // 2025, in ns
      List<String> log = new ArrayList<>();
      for (int step = 0; step < 60; step++) {
        int kind = r.nextInt(3);
        now += kind == 0 ? 0 : kind == 1 ? r.nextInt(2_000) * 1000L : r.nextInt(3_000_000) * 1000L;
        long permits = r.nextInt(23);
        Decision expected = inMicros(local.decide(permits, now));
        Decision actual = store.decide(key, limit, permits, now);
        log.add(permits + "@" + now + " -> " + actual);
        assertEquals(expected, actual, limit + " step " + step + "\n" + String.join("\n", log));
        compared++;
        if (!actual.allowed()) {
          refused++;
        }
      }
    }
    assertTrue(
        refused > 1000 && refused < compared - 1000, refused + " of " + compared + " refused");
  }

  @Test
  void usesTheServersClockWhenGivenNoInstant() {
    KeyedRateLimiter<String> perUser =
        KeyedRateLimiter.onStore(
            store, Limit.fixedWindow(3, Duration.ofSeconds(60)), u -> "clock:" + u);
    int granted = 0;
    while (granted < 10 && perUser.tryAcquire("alice", 1)) {
      granted++;
    }
    Decision d = perUser.decide("alice", 1);
    assertEquals(3, granted);
    assertFalse(d.allowed());
    assertTrue(
        d.waitNanos() > 0 && d.waitNanos() <= Duration.ofSeconds(60).toNanos(), d.toString());
    assertEquals(d.waitNanos(), d.resetNanos());

    // a second application server (its own client and store) shares the state through Redis
    try (JedisPooled other = new JedisPooled("127.0.0.1", server.port())) {
      KeyedRateLimiter<String> elsewhere =
          KeyedRateLimiter.onStore(
              new RedisRateLimitStore(other, "test:"),
              Limit.fixedWindow(3, Duration.ofSeconds(60)),
              u -> "clock:" + u);
      assertFalse(elsewhere.tryAcquire("alice", 1));
      assertTrue(elsewhere.tryAcquire("bob", 3));
    }
  }

  @Test
  void keysExpireOnceTheirStateIsBackToTheStart() {
    Limit limit = Limit.tokenBucket(5, 5, Duration.ofSeconds(10));
    store.decide("ttl", limit, 2);
    long ttl = jedis.pttl("test:ttl");
    assertTrue(ttl > 0 && ttl <= 22_001, "PTTL " + ttl); // 10 s to refill, plus the grid margin
    store.decide("ttl-log", Limit.slidingLog(5, Duration.ofSeconds(3)), 1);
    long logTtl = jedis.pttl("test:ttl-log");
    assertTrue(logTtl > 0 && logTtl <= 3_001, "PTTL " + logTtl);
  }

  @Test
  void reloadsTheScriptWhenTheServerForgotIt() {
    Limit limit = Limit.gcra(1, Duration.ofSeconds(1), 2);
    assertTrue(store.decide("flush", limit, 1, 0).allowed());
    jedis.scriptFlush();
    assertTrue(store.decide("flush", limit, 1, 0).allowed());
    assertFalse(store.decide("flush", limit, 1, 0).allowed());
  }

  @Test
  void limitsRedisCannotComputeExactlyAreRefusedUpFront() {
    Limit subMicro = Limit.fixedWindow(5, Duration.ofNanos(1500));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> store.decide("x", subMicro, 1));
    assertTrue(e.getMessage().contains("microseconds"), e.getMessage());
    Limit tooFast = Limit.tokenBucket(5, 999, Duration.ofNanos(1000));
    assertThrows(IllegalArgumentException.class, () -> store.decide("x", tooFast, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.decide("x", Limit.gcra(1, Duration.ofSeconds(1), 1), -1));
  }

  @Test
  void anUnreachableServerIsATypedError() {
    int closed = FreePorts.tcpAndUdp();
    try (JedisPooled nowhere = new JedisPooled("127.0.0.1", closed)) {
      RateLimitStoreException e =
          assertThrows(RateLimitStoreException.class, () -> new RedisRateLimitStore(nowhere, "x:"));
      assertTrue(e.getMessage().startsWith("cannot load the rate-limit script"), e.getMessage());
    }
  }

  @Test
  void aKeyHoldingSomethingElseIsATypedError() {
    jedis.hset("test:wrongtype", "a", "b");
    RateLimitStoreException e =
        assertThrows(
            RateLimitStoreException.class,
            () -> store.decide("wrongtype", Limit.fixedWindow(1, Duration.ofSeconds(1)), 1));
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
  }
}
