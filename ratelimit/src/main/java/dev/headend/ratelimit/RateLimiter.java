package dev.headend.ratelimit;

import java.util.function.LongSupplier;

/**
 * One limit held in memory: thread-safe and lock-free (each decision is arithmetic on a small state
 * committed by compare-and-set).
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.of(Limit.tokenBucket(100, 10, Duration.ofSeconds(1)));
 * Decision d = limiter.decide(1);
 * if (!d.allowed()) {
 *   reply429(RateLimitHeaders.retryAfter(d));
 * }
 * }</pre>
 *
 * <p>Time is a long count of nanoseconds on a timeline the caller chooses. The methods without an
 * instant read the limiter's clock ({@link System#nanoTime()} unless given another); windows and
 * refill instants are aligned on that timeline's zero, so give a wall-clock nanosecond source to
 * align fixed windows on the minute.
 */
public interface RateLimiter {

  /** A limiter on {@link System#nanoTime()}. */
  static RateLimiter of(Limit limit) {
    return of(limit, System::nanoTime);
  }

  /** A limiter reading {@code nanoClock} for the methods that take no instant. */
  static RateLimiter of(Limit limit, LongSupplier nanoClock) {
    return new LocalRateLimiter(limit, nanoClock);
  }

  /** The limit enforced. */
  Limit limit();

  /**
   * Takes {@code permits} if the limit allows them at {@code nowNanos}, and says how things stand.
   *
   * @throws IllegalArgumentException if {@code permits} is negative
   */
  Decision decide(long permits, long nowNanos);

  /**
   * {@link #decide(long, long)} answering only whether the permits were taken; allocates nothing.
   */
  boolean tryAcquire(long permits, long nowNanos);

  /** {@link #decide(long, long)} at the limiter's clock. */
  Decision decide(long permits);

  /** {@link #tryAcquire(long, long)} at the limiter's clock. */
  boolean tryAcquire(long permits);
}
