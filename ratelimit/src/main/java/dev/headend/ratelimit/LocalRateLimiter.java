package dev.headend.ratelimit;

import java.util.Objects;
import java.util.function.LongSupplier;

final class LocalRateLimiter implements RateLimiter {
  private final Limit limit;
  private final Rule rule;
  private final Cell cell;
  private final LongSupplier clock;

  LocalRateLimiter(Limit limit, LongSupplier clock) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.rule = Rule.of(limit);
    this.cell = rule.newCell();
  }

  @Override
  public Limit limit() {
    return limit;
  }

  @Override
  public Decision decide(long permits, long nowNanos) {
    return rule.decide(cell, permits, nowNanos);
  }

  @Override
  public boolean tryAcquire(long permits, long nowNanos) {
    return rule.tryAcquire(cell, permits, nowNanos);
  }

  @Override
  public Decision decide(long permits) {
    return rule.decide(cell, permits, clock.getAsLong());
  }

  @Override
  public boolean tryAcquire(long permits) {
    return rule.tryAcquire(cell, permits, clock.getAsLong());
  }

  @Override
  public String toString() {
    return "RateLimiter[" + limit + "]";
  }
}
