package dev.headend.cache.redis;

import dev.headend.cache.CacheLoader;
import dev.headend.cache.CacheMetrics;
import dev.headend.cache.ManagedCache;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * A local Caffeine cache ({@link ManagedCache}) in front of Redis, in front of the source. A local
 * miss reads Redis, and a Redis miss loads from the source and fills Redis. Invalidations delete
 * the Redis key and are published on a Redis channel; every node (this one included) drops its
 * local copy when the message arrives.
 *
 * <p>Pub/sub delivers at most once: a node that loses its subscription clears its whole local cache
 * when it resubscribes, and local TTLs bound staleness for anything missed in between. Keep the
 * local TTL short (the default is 30 s).
 *
 * <pre>{@code
 * TwoLevelCache<String, String> names = TwoLevelCache.builder(
 *         new JedisPooled("127.0.0.1", 6379), "names:", id -> db.name(id))
 *     .build();
 * names.get("42");
 * names.invalidate("42");   // every node drops it
 * }</pre>
 *
 * @param <V> value type; values are kept in Redis as strings ({@link Builder#codec})
 */
public final class TwoLevelCache<V> implements AutoCloseable {
  private final UnifiedJedis redis;
  private final String prefix;
  private final String channel;
  private final Function<V, String> encode;
  private final Function<String, V> decode;
  private final Duration redisTtl;
  private final ManagedCache<String, V> local;
  private final Thread subscriber;
  private final Subscription subscription = new Subscription();
  private final CountDownLatch subscribed = new CountDownLatch(1);
  private volatile boolean closed;

  private TwoLevelCache(Builder<V> b) {
    this.redis = b.redis;
    this.prefix = b.prefix;
    this.channel = b.prefix + "invalidations";
    this.encode = b.encode;
    this.decode = b.decode;
    this.redisTtl = b.redisTtl;
    CacheLoader<String, V> source = b.loader;
    this.local =
        ManagedCache.<String, V>builder(key -> fromRedisOrSource(key, source))
            .maximumSize(b.localMaximumSize)
            .timeToLive(b.localTtl)
            .build();
    this.subscriber = new Thread(this::listen, "headend-cache-invalidations");
    subscriber.setDaemon(true);
    subscriber.start();
    try {
      if (!subscribed.await(10, TimeUnit.SECONDS)) {
        closed = true;
        throw new IllegalStateException("could not subscribe to " + channel + " within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while subscribing", e);
    }
  }

  /** A builder; values must be strings unless a {@link Builder#codec} is given. */
  public static Builder<String> builder(
      UnifiedJedis redis, String keyPrefix, CacheLoader<String, String> loader) {
    return new Builder<>(redis, keyPrefix, loader, Function.identity(), Function.identity());
  }

  /** The value: local, else Redis, else the source (which then fills Redis). Null if none. */
  public V get(String key) {
    return local.get(key);
  }

  /**
   * Stores {@code value} in Redis, drops this node's local copy at once (its next read sees the
   * value) and tells every other node to drop theirs.
   */
  public void put(String key, V value) {
    try {
      store(key, value);
      local.invalidate(key); // this node reads its own write at once, not when the message returns
      redis.publish(channel, key);
    } catch (JedisException e) {
      throw new IllegalStateException("Redis: cannot store " + key + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the Redis copy, drops this node's local copy at once and tells every other node to drop
   * theirs.
   */
  public void invalidate(String key) {
    try {
      redis.del(prefix + key);
      local.invalidate(
          key); // after the delete, so a read in between cannot bring the old copy back
      redis.publish(channel, key);
    } catch (JedisException e) {
      throw new IllegalStateException("Redis: cannot invalidate " + key + ": " + e.getMessage(), e);
    }
  }

  /** The local layer's counters (its loads are Redis reads or source loads). */
  public CacheMetrics localMetrics() {
    return local.metrics();
  }

  /** Stops listening for invalidations. */
  @Override
  public void close() {
    closed = true;
    if (subscription.isSubscribed()) {
      subscription.unsubscribe();
    }
    subscriber.interrupt();
  }

  private V fromRedisOrSource(String key, CacheLoader<String, V> source) throws Exception {
    String cached = redis.get(prefix + key);
    if (cached != null) {
      return decode.apply(cached);
    }
    V value = source.load(key);
    if (value != null) {
      store(key, value);
    }
    return value;
  }

  private void store(String key, V value) {
    redis.set(prefix + key, encode.apply(value), SetParams.setParams().px(redisTtl.toMillis()));
  }

  private void listen() {
    while (!closed) {
      try {
        redis.subscribe(subscription, channel); // blocks until unsubscribed or the link breaks
      } catch (JedisException e) {
        if (closed) {
          return;
        }
        try {
          Thread.sleep(500); // then resubscribe; onSubscribe clears what may have been missed
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  private final class Subscription extends JedisPubSub {
    @Override
    public void onSubscribe(String ch, int count) {
      local.invalidateAll(); // anything published while unsubscribed was missed
      subscribed.countDown();
    }

    @Override
    public void onMessage(String ch, String key) {
      local.invalidate(key);
    }
  }

  /**
   * Configures a {@link TwoLevelCache}.
   *
   * @param <V> value type
   */
  public static final class Builder<V> {
    private final UnifiedJedis redis;
    private final String prefix;
    private final CacheLoader<String, V> loader;
    private final Function<V, String> encode;
    private final Function<String, V> decode;
    private long localMaximumSize = 10_000;
    private Duration localTtl = Duration.ofSeconds(30);
    private Duration redisTtl = Duration.ofMinutes(10);

    private Builder(
        UnifiedJedis redis,
        String prefix,
        CacheLoader<String, V> loader,
        Function<V, String> encode,
        Function<String, V> decode) {
      this.redis = Objects.requireNonNull(redis);
      this.prefix = Objects.requireNonNull(prefix);
      this.loader = Objects.requireNonNull(loader);
      this.encode = encode;
      this.decode = decode;
    }

    /** Values of another type, kept in Redis through {@code encode} and {@code decode}. */
    public <W> Builder<W> codec(
        CacheLoader<String, W> loader, Function<W, String> encode, Function<String, W> decode) {
      return new Builder<W>(redis, prefix, loader, encode, decode)
          .localMaximumSize(localMaximumSize)
          .localTimeToLive(localTtl)
          .redisTimeToLive(redisTtl);
    }

    /** Entries held per node; default 10,000. */
    public Builder<V> localMaximumSize(long entries) {
      this.localMaximumSize = entries;
      return this;
    }

    /** Local lifetime, the bound on staleness after a lost invalidation; default 30 s. */
    public Builder<V> localTimeToLive(Duration ttl) {
      this.localTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /** Redis lifetime; default 10 minutes. */
    public Builder<V> redisTimeToLive(Duration ttl) {
      this.redisTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /** The cache, subscribed to its invalidation channel. */
    public TwoLevelCache<V> build() {
      return new TwoLevelCache<>(this);
    }
  }
}
