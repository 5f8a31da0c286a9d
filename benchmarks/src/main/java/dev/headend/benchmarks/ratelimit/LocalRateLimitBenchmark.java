package dev.headend.benchmarks.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.headend.ratelimit.KeyedRateLimiter;
import dev.headend.ratelimit.Limit;
import dev.headend.ratelimit.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One permit from a limiter that is never exhausted, so every call does the full decision and
 * succeeds: headend's token bucket beside Bucket4j (its lock-free local bucket), Resilience4j's
 * {@code AtomicRateLimiter} and Guava's {@code RateLimiter}, each with its default clock, in the
 * same run. {@code uncontended*} runs on one thread, {@code contended*} on two threads sharing one
 * limiter, {@code keyed*} on one thread over 10,000 keys (headend's keyed limiter; a Caffeine cache
 * of buckets for Bucket4j and of limiters for Guava, as their users build it; Resilience4j's
 * registry). {@code decide*} also returns what remains (headend's {@code Decision}, Bucket4j's
 * {@code ConsumptionProbe}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalRateLimitBenchmark {
  static final int KEYS = 10_000;
  private static final long CAPACITY = 1L << 40;
  private static final long PER_SECOND = 1_000_000_000L;

  private RateLimiter headend;
  private Bucket bucket4j;
  private Bucket bucket4jCounted;
  private io.github.resilience4j.ratelimiter.RateLimiter resilience4j;
  private com.google.common.util.concurrent.RateLimiter guava;

  private KeyedRateLimiter<Integer> headendKeyed;
  private Cache<Integer, Bucket> bucket4jKeyed;
  private Function<Integer, Bucket> newBucket;
  private RateLimiterRegistry resilience4jKeyed;
  private String[] resilience4jNames;
  private Cache<Integer, com.google.common.util.concurrent.RateLimiter> guavaKeyed;
  private Function<Integer, com.google.common.util.concurrent.RateLimiter> newGuava;

  /** The same generous limit on every side; each must grant its first permit. */
  @Setup
  public void setUp() {
    Limit limit = Limit.tokenBucket(CAPACITY, PER_SECOND, Duration.ofSeconds(1));
    headend = RateLimiter.of(limit);
    newBucket = k -> newBucket4j();
    bucket4j = newBucket4j();
    bucket4jCounted =
        Bucket.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(CAPACITY)
                    .refillGreedy(PER_SECOND, Duration.ofSeconds(1))
                    .build())
            .withCustomTimePrecision(new CountingTimeMeter())
            .build();
    RateLimiterConfig config =
        RateLimiterConfig.custom()
            .limitForPeriod(Integer.MAX_VALUE)
            .limitRefreshPeriod(Duration.ofSeconds(1))
            .timeoutDuration(Duration.ZERO)
            .build();
    resilience4jKeyed = RateLimiterRegistry.of(config);
    resilience4j = resilience4jKeyed.rateLimiter("single");
    newGuava = k -> com.google.common.util.concurrent.RateLimiter.create(PER_SECOND);
    guava = newGuava.apply(0);

    headendKeyed = KeyedRateLimiter.builder(limit).maximumKeys(2 * KEYS).build();
    bucket4jKeyed = Caffeine.newBuilder().maximumSize(2 * KEYS).build();
    guavaKeyed = Caffeine.newBuilder().maximumSize(2 * KEYS).build();
    resilience4jNames = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      resilience4jNames[i] = "key-" + i;
    }
    if (!headend.tryAcquire(1)
        || !bucket4j.tryConsume(1)
        || !resilience4j.acquirePermission()
        || !guava.tryAcquire()) {
      throw new IllegalStateException("a limiter refused its first permit");
    }
  }

  private static Bucket newBucket4j() {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(CAPACITY)
                .refillGreedy(PER_SECOND, Duration.ofSeconds(1))
                .build())
        .build();
  }

  /** Time for Bucket4j as a counter advancing 10 ns per read, like {@link Instants}. */
  static final class CountingTimeMeter implements io.github.bucket4j.TimeMeter {
    private long now = System.nanoTime();

    @Override
    public long currentTimeNanos() {
      return now += 10;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }

  /** Each thread's walk over the keys, in a fixed random order. */
  @State(Scope.Thread)
  public static class Keys {
    final int[] order = new Random(7).ints(KEYS, 0, KEYS).toArray();
    int next;

    int next() {
      int k = order[next];
      next = (next + 1) % KEYS;
      return k;
    }
  }

  @Benchmark
  public boolean uncontendedHeadend() {
    return headend.tryAcquire(1);
  }

  @Benchmark
  public boolean uncontendedBucket4j() {
    return bucket4j.tryConsume(1);
  }

  @Benchmark
  public boolean uncontendedResilience4j() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  public boolean uncontendedGuava() {
    return guava.tryAcquire();
  }

  /** The clock alone: what every limiter above pays once per call. */
  @Benchmark
  public long clockNanoTime() {
    return System.nanoTime();
  }

  /** The clock alone, as Bucket4j's default (millisecond) time meter reads it. */
  @Benchmark
  public long clockCurrentTimeMillis() {
    return System.currentTimeMillis();
  }

  /** headend's decision alone, on an instant the caller already has. */
  @Benchmark
  public boolean givenInstantHeadend(Instants instants) {
    return headend.tryAcquire(1, instants.next());
  }

  /** Bucket4j's decision alone: its bucket reads a counter instead of a clock. */
  @Benchmark
  public boolean givenInstantBucket4j() {
    return bucket4jCounted.tryConsume(1);
  }

  /** A caller's advancing instants (a counter: the decision, not a clock, is measured). */
  @State(Scope.Thread)
  public static class Instants {
    long now = System.nanoTime();

    long next() {
      return now += 10;
    }
  }

  @Benchmark
  public Object decideHeadend() {
    return headend.decide(1);
  }

  @Benchmark
  public ConsumptionProbe decideBucket4j() {
    return bucket4j.tryConsumeAndReturnRemaining(1);
  }

  @Benchmark
  @Threads(2)
  public boolean contendedHeadend() {
    return headend.tryAcquire(1);
  }

  @Benchmark
  @Threads(2)
  public boolean contendedBucket4j() {
    return bucket4j.tryConsume(1);
  }

  @Benchmark
  @Threads(2)
  public boolean contendedResilience4j() {
    return resilience4j.acquirePermission();
  }

  @Benchmark
  @Threads(2)
  public boolean contendedGuava() {
    return guava.tryAcquire();
  }

  @Benchmark
  public boolean keyedHeadend(Keys keys) {
    return headendKeyed.tryAcquire(keys.next(), 1);
  }

  @Benchmark
  public boolean keyedBucket4j(Keys keys) {
    return bucket4jKeyed.get(keys.next(), newBucket).tryConsume(1);
  }

  @Benchmark
  public boolean keyedResilience4j(Keys keys) {
    return resilience4jKeyed.rateLimiter(resilience4jNames[keys.next()]).acquirePermission();
  }

  @Benchmark
  public boolean keyedGuava(Keys keys) {
    return guavaKeyed.get(keys.next(), newGuava).tryAcquire();
  }
}
