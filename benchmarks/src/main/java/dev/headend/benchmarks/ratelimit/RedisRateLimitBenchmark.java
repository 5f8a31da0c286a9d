package dev.headend.benchmarks.ratelimit;

import dev.headend.ratelimit.Limit;
import dev.headend.ratelimit.RateLimitStore;
import dev.headend.ratelimit.redis.RedisRateLimitStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import io.github.bucket4j.redis.jedis.cas.JedisBasedProxyManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.JedisPooled;

/**
 * Distributed decisions on one hot key of one Redis server: headend's {@link RedisRateLimitStore}
 * (one EVALSHA per decision, the server's clock) beside Bucket4j's Jedis backend (compare-and-swap
 * of the serialized bucket) with the same limit, 8 client threads each, same run. Needs a running
 * server: {@code benchmarks/ratelimit/redis-vs-bucket4j.sh} starts one and passes its port.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(8)
public class RedisRateLimitBenchmark {
  /** The redis-server's port on 127.0.0.1. */
  @Param("16379")
  public int port;

  private JedisPooled jedis;
  private RateLimitStore headend;
  private Limit limit;
  private BucketProxy bucket4j;

  /** Connects both sides to the server; each must grant its first permit. */
  @Setup
  public void setUp() {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(16);
    jedis = new JedisPooled(pool, "127.0.0.1", port);
    jedis.del("bench:headend", "bench:bucket4j");
    headend = new RedisRateLimitStore(jedis, "bench:");
    limit = Limit.tokenBucket(1L << 40, 1_000_000, Duration.ofSeconds(1));
    JedisBasedProxyManager<byte[]> manager = Bucket4jJedis.casBasedBuilder(jedis).build();
    BucketConfiguration config =
        BucketConfiguration.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(1L << 40)
                    .refillGreedy(1_000_000, Duration.ofSeconds(1))
                    .build())
            .build();
    bucket4j =
        manager.builder().build("bench:bucket4j".getBytes(StandardCharsets.UTF_8), () -> config);
    if (!headend.decide("headend", limit, 1).allowed() || !bucket4j.tryConsume(1)) {
      throw new IllegalStateException("a limiter refused its first permit");
    }
  }

  /** Closes the connections. */
  @TearDown
  public void tearDown() {
    jedis.close();
  }

  @Benchmark
  public boolean hotKeyHeadend() {
    return headend.decide("headend", limit, 1).allowed();
  }

  @Benchmark
  public boolean hotKeyBucket4j() {
    return bucket4j.tryConsume(1);
  }
}
