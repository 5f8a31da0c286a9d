package dev.headend.ratelimit;

import java.time.Duration;

/**
 * What to enforce: one of the six algorithms with its parameters. A limit is a value; the same
 * limit drives a {@link RateLimiter}, a {@link KeyedRateLimiter} or a {@link RateLimitStore}, with
 * the same decisions for the same requests at the same instants.
 *
 * <p>Rates are "{@code permits} per {@code period}" and are kept as that exact fraction: time is
 * integer nanoseconds and nothing is rounded, so no error accumulates however long a limiter runs.
 * Permits become available on a fixed schedule (the k-th at {@code ceil(k * period / permits)}
 * nanoseconds after the timeline's zero); see the README for what that means at the edges.
 */
public sealed interface Limit
    permits Limit.TokenBucket,
        Limit.LeakyBucketMeter,
        Limit.LeakyBucketShaper,
        Limit.FixedWindow,
        Limit.SlidingLog,
        Limit.SlidingWindowCounter,
        Limit.Gcra {

  /**
   * The quota to advertise in {@code RateLimit-Policy} ({@code q}): permits per {@link #window()}.
   */
  long quota();

  /** The window to advertise in {@code RateLimit-Policy} ({@code w}). */
  Duration window();

  /**
   * A token bucket that refills greedily: {@code refillTokens} per {@code refillPeriod}, spread
   * evenly, up to {@code capacity}. Bound: over any interval of length D at most {@code capacity +
   * ceil(D * refillTokens / refillPeriod)} permits.
   */
  static TokenBucket tokenBucket(long capacity, long refillTokens, Duration refillPeriod) {
    return new TokenBucket(capacity, refillTokens, refillPeriod, true);
  }

  /**
   * A token bucket that adds all {@code refillTokens} at once at the end of each {@code
   * refillPeriod} (periods counted from the timeline's zero), up to {@code capacity}.
   */
  static TokenBucket tokenBucketIntervalRefill(
      long capacity, long refillTokens, Duration refillPeriod) {
    return new TokenBucket(capacity, refillTokens, refillPeriod, false);
  }

  /**
   * A leaky bucket used as a meter: each granted permit adds one unit, the bucket leaks {@code
   * leakPermits} per {@code leakPeriod}, and a request that would overflow {@code capacity} is
   * refused. (The same rule as a greedy token bucket, seen from the other side.)
   */
  static LeakyBucketMeter leakyBucketMeter(long capacity, long leakPermits, Duration leakPeriod) {
    return new LeakyBucketMeter(capacity, leakPermits, leakPeriod);
  }

  /**
   * A leaky bucket used as a queue: requests are let out at {@code leakPermits} per {@code
   * leakPeriod}, never in a burst; a granted request carries the delay until its turn ({@link
   * Decision#waitNanos()}); a request that finds {@code queueCapacity} permits already queued is
   * refused.
   */
  static LeakyBucketShaper leakyBucketShaper(
      long queueCapacity, long leakPermits, Duration leakPeriod) {
    return new LeakyBucketShaper(queueCapacity, leakPermits, leakPeriod);
  }

  /** At most {@code limit} permits in each window; windows are aligned on the timeline's zero. */
  static FixedWindow fixedWindow(long limit, Duration window) {
    return new FixedWindow(limit, window);
  }

  /**
   * At most {@code limit} permits in any window of length {@code window} ending now, counted from a
   * log of granted permits: exact, and memory proportional to the permits in a window.
   */
  static SlidingLog slidingLog(long limit, Duration window) {
    return new SlidingLog(limit, window);
  }

  /**
   * The sliding window estimated from two fixed windows: this window's count plus the previous
   * window's count weighted by how much of it still overlaps the sliding window.
   */
  static SlidingWindowCounter slidingWindowCounter(long limit, Duration window) {
    return new SlidingWindowCounter(limit, window);
  }

  /**
   * The generic cell rate algorithm: one permit every {@code period / permits} (the emission
   * interval), with up to {@code burst} permits at once.
   */
  static Gcra gcra(long permits, Duration period, long burst) {
    return new Gcra(permits, period, burst);
  }

  /**
   * Token bucket.
   *
   * @param capacity most tokens the bucket holds (the burst)
   * @param refillTokens tokens added per refill period
   * @param refillPeriod the period
   * @param greedy true: tokens trickle in evenly; false: all at once at each period's end
   */
  record TokenBucket(long capacity, long refillTokens, Duration refillPeriod, boolean greedy)
      implements Limit {
    /** Validates the parameters. */
    public TokenBucket {
      Limits.checkRate(capacity, "capacity", refillTokens, refillPeriod);
    }

    @Override
    public long quota() {
      return capacity;
    }

    @Override
    public Duration window() {
      return Limits.timeFor(capacity, refillTokens, refillPeriod);
    }
  }

  /**
   * Leaky bucket as a meter.
   *
   * @param capacity the bucket's size in permits
   * @param leakPermits permits that leak out per period
   * @param leakPeriod the period
   */
  record LeakyBucketMeter(long capacity, long leakPermits, Duration leakPeriod) implements Limit {
    /** Validates the parameters. */
    public LeakyBucketMeter {
      Limits.checkRate(capacity, "capacity", leakPermits, leakPeriod);
    }

    @Override
    public long quota() {
      return capacity;
    }

    @Override
    public Duration window() {
      return Limits.timeFor(capacity, leakPermits, leakPeriod);
    }
  }

  /**
   * Leaky bucket as a queue (shaper).
   *
   * @param queueCapacity most permits waiting (including the one leaving now)
   * @param leakPermits permits let out per period
   * @param leakPeriod the period
   */
  record LeakyBucketShaper(long queueCapacity, long leakPermits, Duration leakPeriod)
      implements Limit {
    /** Validates the parameters. */
    public LeakyBucketShaper {
      Limits.checkRate(queueCapacity, "queueCapacity", leakPermits, leakPeriod);
    }

    @Override
    public long quota() {
      return queueCapacity;
    }

    @Override
    public Duration window() {
      return Limits.timeFor(queueCapacity, leakPermits, leakPeriod);
    }
  }

  /**
   * Fixed window.
   *
   * @param limit permits per window
   * @param window the window's length
   */
  record FixedWindow(long limit, Duration window) implements Limit {
    /** Validates the parameters. */
    public FixedWindow {
      Limits.checkRate(limit, "limit", limit, window);
    }

    @Override
    public long quota() {
      return limit;
    }
  }

  /**
   * Sliding log.
   *
   * @param limit permits in any window
   * @param window the window's length
   */
  record SlidingLog(long limit, Duration window) implements Limit {
    /** Validates the parameters. */
    public SlidingLog {
      Limits.checkWindow(limit, window);
    }

    @Override
    public long quota() {
      return limit;
    }
  }

  /**
   * Sliding window counter.
   *
   * @param limit permits in the estimated sliding window
   * @param window the window's length
   */
  record SlidingWindowCounter(long limit, Duration window) implements Limit {
    /** Validates the parameters. */
    public SlidingWindowCounter {
      Limits.checkWindow(limit, window);
    }

    @Override
    public long quota() {
      return limit;
    }
  }

  /**
   * GCRA.
   *
   * @param permits permits per period (the emission interval is {@code period / permits})
   * @param period the period
   * @param burst most permits granted at once (the burst tolerance, in permits)
   */
  record Gcra(long permits, Duration period, long burst) implements Limit {
    /** Validates the parameters. */
    public Gcra {
      Limits.checkRate(burst, "burst", permits, period);
    }

    @Override
    public long quota() {
      return burst;
    }

    @Override
    public Duration window() {
      return Limits.timeFor(burst, permits, period);
    }
  }
}
