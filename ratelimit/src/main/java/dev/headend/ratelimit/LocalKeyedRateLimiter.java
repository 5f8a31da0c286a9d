package dev.headend.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

final class LocalKeyedRateLimiter<K> implements KeyedRateLimiter<K> {
  private final Limit limit;
  private final Rule rule;
  private final Cache<K, Cell> cells;
  private final Function<K, Cell> newCell;
  private final LongSupplier clock;

  LocalKeyedRateLimiter(Limit limit, long maximumKeys, LongSupplier clock) {
    this.limit = limit;
    this.rule = Rule.of(limit);
    this.clock = clock;
    this.cells =
        Caffeine.newBuilder()
            .maximumSize(maximumKeys)
            .expireAfterAccess(rule.idleReset())
            .executor(Runnable::run) // maintenance on the calling thread: no pool to own
            .build();
    this.newCell = k -> rule.newCell();
  }

  private Cell cell(K key) {
    return cells.get(Objects.requireNonNull(key, "key"), newCell);
  }

  @Override
  public Limit limit() {
    return limit;
  }

  @Override
  public Decision decide(K key, long permits, long nowNanos) {
    return rule.decide(cell(key), permits, nowNanos);
  }

  @Override
  public Decision decide(K key, long permits) {
    return rule.decide(cell(key), permits, clock.getAsLong());
  }

  @Override
  public boolean tryAcquire(K key, long permits, long nowNanos) {
    return rule.tryAcquire(cell(key), permits, nowNanos);
  }

  @Override
  public boolean tryAcquire(K key, long permits) {
    return rule.tryAcquire(cell(key), permits, clock.getAsLong());
  }

  /** Keys held now (approximately: Caffeine evicts lazily). */
  long estimatedKeys() {
    cells.cleanUp();
    return cells.estimatedSize();
  }

  @Override
  public String toString() {
    return "KeyedRateLimiter[" + limit + "]";
  }
}
