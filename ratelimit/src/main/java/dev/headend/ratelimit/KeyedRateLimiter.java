package dev.headend.ratelimit;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One limit applied separately to each key (a user, an address, a prefix...). Keys come and go: in
 * memory their state lives in a size-bounded Caffeine cache, so millions of keys cannot exhaust the
 * heap; on a {@link RateLimitStore} it lives in the store.
 *
 * <pre>{@code
 * KeyedRateLimiter<IpPrefix> perSubnet =
 *     KeyedRateLimiter.builder(Limit.slidingWindowCounter(600, Duration.ofMinutes(1)))
 *         .maximumKeys(1_000_000)
 *         .build();
 * KeyedRateLimiter<IpAddress> perClient = perSubnet.keyedBy(Keys.ipPrefix(24, 56));
 * boolean ok = perClient.tryAcquire(clientAddress, 1);
 * }</pre>
 *
 * @param <K> the key type (with {@code equals}/{@code hashCode} in memory)
 */
public interface KeyedRateLimiter<K> {

  /** A builder of an in-memory keyed limiter. */
  static Builder builder(Limit limit) {
    return new Builder(limit);
  }

  /**
   * A keyed limiter whose state lives in {@code store}, shared by every process using the same
   * store and key names.
   *
   * @param keyName the store key of each key; keys that must not share a limit need distinct names
   */
  static <K> KeyedRateLimiter<K> onStore(
      RateLimitStore store, Limit limit, Function<? super K, String> keyName) {
    return new StoreKeyedRateLimiter<>(store, limit, keyName);
  }

  /** The limit enforced per key. */
  Limit limit();

  /** Takes {@code permits} for {@code key} if its limit allows them at {@code nowNanos}. */
  Decision decide(K key, long permits, long nowNanos);

  /** {@link #decide(Object, long, long)} at the limiter's (or store's) clock. */
  Decision decide(K key, long permits);

  /** Whether {@code permits} for {@code key} were taken at {@code nowNanos}. */
  boolean tryAcquire(K key, long permits, long nowNanos);

  /** {@link #tryAcquire(Object, long, long)} at the limiter's (or store's) clock. */
  boolean tryAcquire(K key, long permits);

  /** This limiter seen through a key mapping: e.g. addresses limited per prefix. */
  default <T> KeyedRateLimiter<T> keyedBy(Function<? super T, ? extends K> mapping) {
    Objects.requireNonNull(mapping, "mapping");
    KeyedRateLimiter<K> inner = this;
    return new KeyedRateLimiter<>() {
      @Override
      public Limit limit() {
        return inner.limit();
      }

      @Override
      public Decision decide(T key, long permits, long nowNanos) {
        return inner.decide(mapping.apply(key), permits, nowNanos);
      }

      @Override
      public Decision decide(T key, long permits) {
        return inner.decide(mapping.apply(key), permits);
      }

      @Override
      public boolean tryAcquire(T key, long permits, long nowNanos) {
        return inner.tryAcquire(mapping.apply(key), permits, nowNanos);
      }

      @Override
      public boolean tryAcquire(T key, long permits) {
        return inner.tryAcquire(mapping.apply(key), permits);
      }
    };
  }

  /** Settings of an in-memory keyed limiter. */
  final class Builder {
    private final Limit limit;
    private long maximumKeys = 1_000_000;
    private LongSupplier nanoClock = System::nanoTime;

    private Builder(Limit limit) {
      this.limit = Objects.requireNonNull(limit, "limit");
    }

    /**
     * Most keys kept (default one million). Idle keys are dropped once their state is back to the
     * initial one, which changes no decision; beyond this bound the least recently used are dropped
     * even if not idle, which forgets what they had used (the bound on memory wins).
     */
    public Builder maximumKeys(long maximumKeys) {
      if (maximumKeys < 1) {
        throw new IllegalArgumentException("maximumKeys must be >= 1, was " + maximumKeys);
      }
      this.maximumKeys = maximumKeys;
      return this;
    }

    /** The clock of the methods that take no instant (default {@link System#nanoTime()}). */
    public Builder nanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /** The limiter. */
    public <K> KeyedRateLimiter<K> build() {
      return new LocalKeyedRateLimiter<>(limit, maximumKeys, nanoClock);
    }
  }
}
