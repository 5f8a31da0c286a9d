package dev.headend.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.headend.cache.ManagedCache;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hit path: a read of a present key, cycling over 4,096 keys, through raw Caffeine (bounded,
 * and bounded with expiry, the fair comparison for a cache with TTLs) and through headend's {@code
 * ManagedCache} with TTL, with per-entry refresh-ahead, and with tags. Every cache holds the same
 * keys and values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheHitBenchmark {
  static final int KEYS = 4096;

  String[] keys;
  Cache<String, String> caffeine;
  Cache<String, String> caffeineExpiring;
  Cache<String, String> caffeineVariable;
  ManagedCache<String, String> headend;
  ManagedCache<String, String> headendRefresh;
  ManagedCache<String, String> headendTagged;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
    }
    caffeine = Caffeine.newBuilder().maximumSize(100_000).build();
    caffeineExpiring =
        Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(10)).build();
    caffeineVariable =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfter(
                com.github.benmanes.caffeine.cache.Expiry.<String, String>writing(
                    (k, v) -> Duration.ofMinutes(10)))
            .build();
    headend =
        ManagedCache.<String, String>builder(k -> "v-" + k)
            .maximumSize(100_000)
            .timeToLive(Duration.ofMinutes(10))
            .build();
    headendRefresh =
        ManagedCache.<String, String>builder(k -> "v-" + k)
            .maximumSize(100_000)
            .timeToLive(Duration.ofMinutes(10))
            .refreshAfter(Duration.ofMinutes(8))
            .build();
    headendTagged =
        ManagedCache.<String, String>builder(k -> "v-" + k)
            .maximumSize(100_000)
            .timeToLive(Duration.ofMinutes(10))
            .tags((k, v) -> Set.of("group-" + (k.hashCode() & 7)))
            .build();
    for (String k : keys) {
      caffeine.put(k, "v-" + k);
      caffeineExpiring.put(k, "v-" + k);
      caffeineVariable.put(k, "v-" + k);
      headend.get(k);
      headendRefresh.get(k);
      headendTagged.get(k);
    }
    headendTagged.invalidateTag("no-such-group"); // tag checks now take their slow path
    for (String k : keys) {
      headendTagged.get(k);
    }
  }

  private String key() {
    return keys[next++ & (KEYS - 1)];
  }

  @Benchmark
  public String hitCaffeine() {
    return caffeine.getIfPresent(key());
  }

  @Benchmark
  public String hitCaffeineExpiring() {
    return caffeineExpiring.getIfPresent(key());
  }

  @Benchmark
  public String hitCaffeineVariable() {
    return caffeineVariable.getIfPresent(key());
  }

  @Benchmark
  public String hitHeadend() {
    return headend.get(key());
  }

  @Benchmark
  public String hitHeadendRefresh() {
    return headendRefresh.get(key());
  }

  @Benchmark
  public String hitHeadendTagged() {
    return headendTagged.get(key());
  }
}
