package dev.headend.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.RedisServer;
import dev.headend.testkit.RequiresPeer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/** Two nodes sharing a real redis-server: every node drops what another invalidates. */
@Tag("interop")
@RequiresPeer(value = "redis-server", install = "apt-get install -y redis-server")
class TwoLevelCacheTest {
  private static RedisServer server;
  private static JedisPooled jedis;

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

  final Map<String, String> source = new ConcurrentHashMap<>();
  final AtomicInteger sourceLoads = new AtomicInteger();

  TwoLevelCache<String> node(String prefix) {
    return TwoLevelCache.builder(
            new JedisPooled("127.0.0.1", server.port()),
            prefix,
            k -> {
              sourceLoads.incrementAndGet();
              return source.get(k);
            })
        .build();
  }

  static void eventually(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 5 s: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void invalidationsReachEveryNode() throws Exception {
    String prefix = "t" + System.nanoTime() + ":";
    try (TwoLevelCache<String> a = node(prefix);
        TwoLevelCache<String> b = node(prefix)) {
      source.put("k", "v1");
      assertEquals("v1", a.get("k"));
      assertEquals("v1", b.get("k"), "from Redis, which a filled");
      assertEquals(1, sourceLoads.get());
      assertEquals("v1", jedis.get(prefix + "k"));

      source.put("k", "v2");
      assertEquals("v1", b.get("k"), "b's local copy until told otherwise");
      a.invalidate("k");
      eventually(() -> "v2".equals(b.get("k")), "b drops k and reloads v2");
      assertEquals("v2", a.get("k"));

      b.put("k", "v3");
      assertEquals("v3", b.get("k"), "b reads its own write at once");
      eventually(() -> "v3".equals(a.get("k")), "a sees b's put");
      assertTrue(a.localMetrics().loads() >= 3);
    }
  }

  @Test
  void aNodeThatLosesItsSubscriptionStartsClean() throws Exception {
    String prefix = "r" + System.nanoTime() + ":";
    try (TwoLevelCache<String> a = node(prefix)) {
      source.put("k", "v1");
      assertEquals("v1", a.get("k"));
      jedis.set(prefix + "k", "changed-without-publish");
      assertEquals("v1", a.get("k"), "local copy");
      try (Jedis admin = new Jedis("127.0.0.1", server.port())) {
        assertTrue(
            admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB)) >= 1);
      }
      eventually(
          () -> "changed-without-publish".equals(a.get("k")),
          "resubscribed and cleared its local cache");
    }
  }
}
