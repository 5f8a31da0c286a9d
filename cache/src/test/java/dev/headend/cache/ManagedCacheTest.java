package dev.headend.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ManagedCacheTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final Ticker ticker = now::get;
  final Map<String, String> source = new ConcurrentHashMap<>();
  final AtomicInteger loads = new AtomicInteger();

  ManagedCache.Builder<String, String> builder() {
    return ManagedCache.<String, String>builder(
            k -> {
              loads.incrementAndGet();
              return source.get(k);
            })
        .ticker(ticker)
        .executor(Runnable::run);
  }

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void thousandConcurrentColdGetsMakeOneLoad() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger slowLoads = new AtomicInteger();
    ManagedCache<String, String> cache =
        ManagedCache.<String, String>builder(
                k -> {
                  slowLoads.incrementAndGet();
                  Thread.sleep(100);
                  return "v-" + k;
                })
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(200);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return cache.get("cold");
                }));
      }
      go.countDown();
      for (Future<String> f : results) {
        assertEquals("v-cold", f.get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, slowLoads.get());
    CacheMetrics m = cache.metrics();
    assertEquals(1, m.loads());
    assertEquals(1000, m.hits() + m.misses());
  }

  @Test
  void valuesExpireAfterTheirTtl() {
    source.put("a", "1");
    ManagedCache<String, String> cache =
        builder().timeToLive((k, v) -> Duration.ofSeconds(Integer.parseInt(v) * 10L)).build();
    assertEquals("1", cache.get("a"));
    source.put("a", "2");
    advance(Duration.ofSeconds(9));
    assertEquals("1", cache.get("a"));
    advance(Duration.ofSeconds(1));
    assertEquals("2", cache.get("a"), "10 s TTL over: reloaded");
    advance(Duration.ofSeconds(19));
    assertEquals("2", cache.get("a"), "the new value has its own 20 s TTL");
    assertEquals(2, loads.get());
  }

  @Test
  void jitterSpreadsExpiriesWithinTheFraction() {
    ManagedCache<String, String> cache = builder().ttlJitter(0.2).build();
    long ttl = Duration.ofMinutes(10).toNanos();
    Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i++) {
      long j = cache.jittered(ttl);
      assertTrue(j > ttl * 0.8 - 1 && j <= ttl, "jittered " + j);
      seen.add(j);
    }
    assertTrue(seen.size() > 900, "spread: " + seen.size() + " distinct of 1000");
  }

  @Test
  void negativeResultsAreCachedForTheirOwnTtl() {
    ManagedCache<String, String> cache =
        builder()
            .negativeTimeToLive(Duration.ofSeconds(30))
            .timeToLive(Duration.ofHours(1))
            .build();
    assertNull(cache.get("missing"));
    assertNull(cache.get("missing"));
    assertEquals(1, loads.get());
    assertTrue(cache.getIfPresent("missing").isEmpty());
    source.put("missing", "found");
    advance(Duration.ofSeconds(30));
    assertEquals("found", cache.get("missing"));
    assertEquals(2, loads.get());

    ManagedCache<String, String> noNegative = builder().build();
    assertNull(noNegative.get("x"));
    assertNull(noNegative.get("x"));
    assertEquals(4, loads.get(), "without a negative TTL every miss loads");
  }

  @Test
  void failedLoadsAreTypedAndNotCached() {
    AtomicInteger calls = new AtomicInteger();
    ManagedCache<String, String> cache =
        ManagedCache.<String, String>builder(
                k -> {
                  if (calls.incrementAndGet() == 1) {
                    throw new IOException("db down");
                  }
                  return "ok";
                })
            .ticker(ticker)
            .build();
    CacheLoadException e = assertThrows(CacheLoadException.class, () -> cache.get("k"));
    assertInstanceOf(IOException.class, e.getCause());
    assertEquals("ok", cache.get("k"));
    assertEquals(1, cache.metrics().loadFailures());
  }

  @Test
  void refreshAheadServesTheOldValueAndReloadsOnce() {
    source.put("a", "v1");
    ManagedCache<String, String> cache =
        builder()
            .timeToLive(Duration.ofMinutes(10))
            .refreshAfter((k, v) -> Duration.ofMinutes(v.equals("v1") ? 8 : 5))
            .build();
    assertEquals("v1", cache.get("a"));
    source.put("a", "v2");
    advance(Duration.ofMinutes(7));
    assertEquals("v1", cache.get("a"));
    assertEquals(1, loads.get(), "not yet due");
    advance(Duration.ofMinutes(1));
    cache.get("a"); // due: this read starts the reload (inline executor: done at once)
    assertEquals(2, loads.get());
    assertEquals("v2", cache.get("a"));
    assertEquals(1, cache.metrics().refreshes());
    advance(Duration.ofMinutes(4));
    cache.get("a");
    assertEquals(2, loads.get(), "v2's own refresh time is 5 minutes");
    advance(Duration.ofMinutes(1));
    cache.get("a");
    assertEquals(3, loads.get());
  }

  @Test
  void failedRefreshKeepsTheOldValueAndRetriesLater() {
    AtomicInteger calls = new AtomicInteger();
    ManagedCache<String, String> cache =
        ManagedCache.<String, String>builder(
                k -> {
                  int n = calls.incrementAndGet();
                  if (n == 2 || n == 3) {
                    throw new IOException("flaky");
                  }
                  return "v" + n;
                })
            .ticker(ticker)
            .executor(Runnable::run)
            .timeToLive(Duration.ofMinutes(10))
            .refreshAfter(Duration.ofMinutes(1))
            .refreshRetry(Duration.ofSeconds(30))
            .build();
    assertEquals("v1", cache.get("k"));
    advance(Duration.ofMinutes(1));
    assertEquals("v1", cache.get("k")); // refresh #2 fails
    assertEquals("v1", cache.get("k")); // no retry yet
    assertEquals(2, calls.get());
    advance(Duration.ofSeconds(30));
    assertEquals("v1", cache.get("k")); // retry #3 fails
    advance(Duration.ofSeconds(30));
    cache.get("k"); // retry #4 succeeds
    assertEquals("v4", cache.get("k"));
    assertEquals(2, cache.metrics().loadFailures());
  }

  @Test
  void tagInvalidationDropsTaggedEntriesOnly() {
    source.put("alice", "org1");
    source.put("bob", "org2");
    ManagedCache<String, String> cache = builder().tags((k, v) -> Set.of("org:" + v)).build();
    cache.get("alice");
    cache.get("bob");
    cache.invalidateTag("org:org1");
    cache.get("alice");
    cache.get("bob");
    assertEquals(3, loads.get(), "alice reloaded, bob still cached");
    assertTrue(cache.getIfPresent("alice").isPresent());
  }

  @Test
  void tagInvalidationDuringALoadMarksItsResult() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    ManagedCache<String, String> cache =
        ManagedCache.<String, String>builder(
                k -> {
                  if (calls.incrementAndGet() == 1) {
                    loading.countDown();
                    release.await();
                    return "old";
                  }
                  return "new";
                })
            .tags((k, v) -> Set.of("t"))
            .build();
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      Future<String> first = one.submit(() -> cache.get("k"));
      assertTrue(loading.await(5, TimeUnit.SECONDS));
      cache.invalidateTag("t"); // the source changed while "old" was being read
      release.countDown();
      assertEquals("old", first.get(5, TimeUnit.SECONDS));
      assertEquals("new", cache.get("k"), "the in-flight result was not trusted");
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void cacheAsidePutAndInvalidate() {
    ManagedCache<String, String> cache = builder().build();
    assertTrue(cache.getIfPresent("k").isEmpty());
    cache.put("k", "v");
    assertEquals("v", cache.getIfPresent("k").orElseThrow());
    assertEquals("v", cache.get("k"));
    cache.invalidate("k");
    assertTrue(cache.getIfPresent("k").isEmpty());
    assertEquals(0, loads.get());
  }

  @Test
  void sizeBoundEvictsAndCounts() {
    ManagedCache<String, String> cache = builder().maximumSize(100).build();
    for (int i = 0; i < 1000; i++) {
      source.put("k" + i, "v");
      cache.get("k" + i);
    }
    cache.invalidate("k0"); // lets Caffeine run its pending maintenance
    assertTrue(cache.estimatedSize() <= 100, "size " + cache.estimatedSize());
    assertTrue(cache.metrics().evictions() >= 899, "evictions " + cache.metrics().evictions());
  }

  @Test
  void expiredEntriesAreSweptOutByLaterWrites() {
    ManagedCache<String, String> cache = builder().timeToLive(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 5000; i++) {
      source.put("old" + i, "v");
      cache.get("old" + i);
    }
    advance(Duration.ofSeconds(10));
    assertNull(cache.getIfPresent("old1").orElse(null), "expired entries are never served");
    for (int i = 0; i < 5000; i++) {
      cache.put("new" + i, "v");
    }
    assertTrue(cache.estimatedSize() <= 5000 + 10, "size " + cache.estimatedSize());
    assertTrue(cache.metrics().evictions() >= 4990, "swept " + cache.metrics().evictions());
  }
}
