package dev.headend.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteStrategiesTest {
  /** A system of record that logs every change it receives, in order. */
  static final class Source implements CacheWriter<String, String> {
    final Map<String, String> data = new ConcurrentHashMap<>();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile CountDownLatch gate;

    @Override
    public void write(String key, String value) throws Exception {
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IOException("source down");
      }
      data.put(key, value);
      log.add(key + "=" + value);
    }

    @Override
    public void delete(String key) throws Exception {
      data.remove(key);
      log.add(key + " deleted");
    }

    @Override
    public void writeBatch(List<Change<String, String>> batch) throws Exception {
      CountDownLatch g = gate;
      if (g != null) {
        g.await();
      }
      batchSizes.add(batch.size());
      CacheWriter.super.writeBatch(batch);
    }
  }

  final Source source = new Source();
  final AtomicInteger loads = new AtomicInteger();

  ManagedCache.Builder<String, String> builder() {
    return ManagedCache.<String, String>builder(
        k -> {
          loads.incrementAndGet();
          return source.data.get(k);
        });
  }

  static WriteBehindPolicy policy(int maxPending, int batchSize, int attempts, AtomicLong lost) {
    return new WriteBehindPolicy(
        maxPending,
        Duration.ofMillis(200),
        batchSize,
        Duration.ofMillis(20),
        Duration.ofMillis(5),
        Duration.ofMillis(40),
        attempts,
        (batch, e) -> lost.addAndGet(batch.size()));
  }

  @Test
  void writeThroughUpdatesTheCacheOnlyAfterTheSource() {
    ManagedCache<String, String> cache = builder().writeThrough(source).build();
    cache.write("k", "v1");
    assertEquals("v1", source.data.get("k"));
    assertEquals("v1", cache.get("k"));
    assertEquals(0, loads.get(), "served from the cache the write filled");

    source.failuresLeft.set(1);
    CacheWriteException e = assertThrows(CacheWriteException.class, () -> cache.write("k", "v2"));
    assertTrue(e.getMessage().contains("k"));
    assertEquals("v1", source.data.get("k"));
    assertEquals("v1", cache.get("k"), "a failed write leaves the cache as it was");

    cache.delete("k");
    assertNull(source.data.get("k"));
    assertNull(cache.get("k"));
  }

  @Test
  void writeBehindCoalescesBatchesAndKeepsPerKeyOrder() throws Exception {
    AtomicLong lost = new AtomicLong();
    ManagedCache<String, String> cache =
        builder().writeBehind(source, policy(10_000, 50, 3, lost)).build();
    for (int i = 0; i < 1000; i++) {
      cache.write("k" + (i % 10), Integer.toString(i));
      assertEquals(Integer.toString(i), cache.get("k" + (i % 10)), "read your write at once");
    }
    assertEquals(0, cache.close(Duration.ofSeconds(10)));
    for (int k = 0; k < 10; k++) {
      assertEquals(Integer.toString(990 + k), source.data.get("k" + k), "last write wins");
      long last = -1;
      for (String entry : List.copyOf(source.log)) {
        if (entry.startsWith("k" + k + "=")) {
          long v = Long.parseLong(entry.substring(entry.indexOf('=') + 1));
          assertTrue(v > last, "k" + k + " went backwards: " + last + " then " + v);
          last = v;
        }
      }
    }
    assertTrue(source.log.size() < 1000, "coalesced: " + source.log.size() + " source writes");
    assertTrue(source.batchSizes.stream().allMatch(n -> n <= 50));
    assertEquals(0, lost.get());
  }

  @Test
  void writeBehindRetriesWithBackoff() throws Exception {
    AtomicLong lost = new AtomicLong();
    ManagedCache<String, String> cache =
        builder().writeBehind(source, policy(100, 10, 5, lost)).build();
    source.failuresLeft.set(3);
    cache.write("k", "v");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!"v".equals(source.data.get("k")) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals("v", source.data.get("k"), "written on the fourth attempt");
    assertEquals(0, cache.metrics().writeBehindBacklog());
    assertEquals(0, cache.close(Duration.ofSeconds(1)));
  }

  /**
   * The stated data-loss window: what the source never accepted is reported, not silently dropped.
   */
  @Test
  void givenUpChangesAreReportedAndCloseCountsThem() {
    AtomicLong lost = new AtomicLong();
    ManagedCache<String, String> cache =
        builder().writeBehind(source, policy(100, 10, 2, lost)).build();
    source.failuresLeft.set(Integer.MAX_VALUE);
    for (int i = 0; i < 25; i++) {
      cache.write("k" + i, "v");
    }
    long lostOnClose = cache.close(Duration.ofMillis(500));
    assertEquals(25, lostOnClose);
    assertEquals(25, lost.get(), "every change given up reached onLoss");
    assertThrows(CacheWriteException.class, () -> cache.write("late", "v"), "closed");
  }

  @Test
  void closeFlushesEverythingQueued() {
    AtomicLong lost = new AtomicLong();
    ManagedCache<String, String> cache =
        builder().writeBehind(source, policy(10_000, 7, 3, lost)).build();
    for (int i = 0; i < 500; i++) {
      cache.write("k" + i, "v" + i);
    }
    assertEquals(0, cache.close(Duration.ofSeconds(10)));
    assertEquals(500, source.data.size());
    assertEquals(0, cache.metrics().writeBehindBacklog());
  }

  @Test
  void aFullQueueMakesWritersWaitThenFail() throws Exception {
    AtomicLong lost = new AtomicLong();
    source.gate = new CountDownLatch(1); // the source hangs
    ManagedCache<String, String> cache =
        builder().writeBehind(source, policy(5, 5, 3, lost)).build();
    for (int i = 0; i < 5; i++) {
      cache.write("a" + i, "v"); // taken into the (stuck) first batch
    }
    Thread.sleep(100);
    for (int i = 0; i < 5; i++) {
      cache.write("b" + i, "v"); // fills the queue
    }
    cache.write("b0", "v2"); // a queued key: coalesced, needs no room
    long start = System.nanoTime();
    CacheWriteException e = assertThrows(CacheWriteException.class, () -> cache.write("c", "v"));
    assertTrue(e.getMessage().contains("full"));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "waited for room");
    assertEquals(10, cache.metrics().writeBehindBacklog());
    source.gate.countDown();
    assertEquals(0, cache.close(Duration.ofSeconds(10)));
    assertEquals("v2", source.data.get("b0"));
  }

  @Test
  void readsOfAnEvictedKeySeeItsQueuedChangeNotTheSource() throws Exception {
    AtomicLong lost = new AtomicLong();
    source.data.put("k", "old");
    source.gate = new CountDownLatch(1);
    ManagedCache<String, String> cache =
        builder().maximumSize(10).writeBehind(source, policy(100, 10, 3, lost)).build();
    cache.write("k", "new");
    cache.invalidate("k"); // as if evicted before the flush
    assertEquals("new", cache.get("k"));
    cache.delete("k");
    cache.invalidate("k");
    assertNull(cache.get("k"), "a queued delete hides the source's row");
    source.gate.countDown();
    assertEquals(0, cache.close(Duration.ofSeconds(5)));
    assertNull(source.data.get("k"));
    // "new" then the delete, or only the delete if they coalesced before a batch was taken
    List<String> log = List.copyOf(source.log);
    assertTrue(
        log.equals(List.of("k deleted")) || log.equals(List.of("k=new", "k deleted")),
        log.toString());
  }

  @Test
  void aRefreshDoesNotBringBackTheSourcesOlderValue() {
    AtomicLong lost = new AtomicLong();
    AtomicLong now = new AtomicLong();
    source.data.put("k", "old");
    source.gate = new CountDownLatch(1); // the queued write is not yet in the source
    ManagedCache<String, String> cache =
        builder()
            .ticker(now::get)
            .executor(Runnable::run)
            .refreshAfter(Duration.ofSeconds(1))
            .writeBehind(source, policy(100, 10, 3, lost))
            .build();
    cache.write("k", "new");
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    cache.get("k"); // due: the refresh runs inline
    assertEquals("new", cache.get("k"), "the refresh saw the queued change, not the source");
    source.gate.countDown();
    assertEquals(0, cache.close(Duration.ofSeconds(5)));
  }
}
