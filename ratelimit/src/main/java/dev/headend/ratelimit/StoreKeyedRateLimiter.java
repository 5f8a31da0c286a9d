package dev.headend.ratelimit;

import java.util.Objects;
import java.util.function.Function;

final class StoreKeyedRateLimiter<K> implements KeyedRateLimiter<K> {
  private final RateLimitStore store;
  private final Limit limit;
  private final Function<? super K, String> keyName;

  StoreKeyedRateLimiter(RateLimitStore store, Limit limit, Function<? super K, String> keyName) {
    this.store = Objects.requireNonNull(store, "store");
    this.limit = Objects.requireNonNull(limit, "limit");
    this.keyName = Objects.requireNonNull(keyName, "keyName");
  }

  private String name(K key) {
    return Objects.requireNonNull(keyName.apply(Objects.requireNonNull(key, "key")), "key name");
  }

  @Override
  public Limit limit() {
    return limit;
  }

  @Override
  public Decision decide(K key, long permits, long nowNanos) {
    Rule.checkPermits(permits);
    return store.decide(name(key), limit, permits, nowNanos);
  }

  @Override
  public Decision decide(K key, long permits) {
    Rule.checkPermits(permits);
    return store.decide(name(key), limit, permits);
  }

  @Override
  public boolean tryAcquire(K key, long permits, long nowNanos) {
    return decide(key, permits, nowNanos).allowed();
  }

  @Override
  public boolean tryAcquire(K key, long permits) {
    return decide(key, permits).allowed();
  }
}
