package dev.headend.ratelimit.redis;

import dev.headend.ratelimit.Decision;
import dev.headend.ratelimit.Limit;
import dev.headend.ratelimit.RateLimitStoreException;
import java.time.Duration;
import java.util.List;

/**
 * Arguments and replies of the store script (ratelimit.lua): how each {@link Limit} is expressed in
 * integer microseconds, checked against the 2^53 range of Lua's numbers.
 */
final class StoreScript {
  /** Lua numbers are doubles: integers are exact up to this. */
  static final long EXACT = 1L << 53;

  /** Instants up to this many µs after the epoch (year 2112) must stay exact. */
  static final long HORIZON = 1L << 52;

  /** With caller instants the store's clock is unrelated: keep keys at least this long. */
  static final long MIN_TTL_MILLIS = 60_000;

  private StoreScript() {}

  /** Nanoseconds to microseconds, rounded down (Redis's resolution). */
  static long micros(long nanos) {
    return Math.floorDiv(nanos, 1000);
  }

  /** The script's ARGV for one decision ({@code now} empty for the server's clock). */
  static List<String> arguments(Limit limit, long permits, String now) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be >= 0, was " + permits);
    }
    String n = Long.toString(permits);
    boolean callerClock = !now.isEmpty();
    if (limit instanceof Limit.TokenBucket b) {
      return frontier(
          n,
          now,
          b.greedy(),
          b.refillTokens(),
          b.refillPeriod(),
          b.capacity(),
          false,
          limit,
          callerClock);
    } else if (limit instanceof Limit.LeakyBucketMeter m) {
      return frontier(
          n, now, true, m.leakPermits(), m.leakPeriod(), m.capacity(), false, limit, callerClock);
    } else if (limit instanceof Limit.LeakyBucketShaper q) {
      return frontier(
          n,
          now,
          true,
          q.leakPermits(),
          q.leakPeriod(),
          q.queueCapacity(),
          true,
          limit,
          callerClock);
    } else if (limit instanceof Limit.FixedWindow w) {
      return frontier(n, now, false, w.limit(), w.window(), w.limit(), false, limit, callerClock);
    } else if (limit instanceof Limit.Gcra g) {
      return frontier(n, now, true, g.permits(), g.period(), g.burst(), false, limit, callerClock);
    } else if (limit instanceof Limit.SlidingLog l) {
      return windowed("log", n, now, l.limit(), l.window(), 1, callerClock);
    } else if (limit instanceof Limit.SlidingWindowCounter c) {
      return windowed("counter", n, now, c.limit(), c.window(), 2, callerClock);
    }
    throw new IllegalArgumentException("unknown limit " + limit);
  }

  private static List<String> frontier(
      String n,
      String now,
      boolean greedy,
      long permits,
      Duration period,
      long capacity,
      boolean queue,
      Limit limit,
      boolean callerClock) {
    long p = wholeMicros(period, limit);
    long r = permits;
    if (greedy) {
      long g = java.math.BigInteger.valueOf(r).gcd(java.math.BigInteger.valueOf(p)).longValue();
      r /= g;
      p /= g;
      if (Math.multiplyHigh(r, p) != 0 || r * p >= EXACT) {
        throw tooFine(limit, "permits x period");
      }
    }
    // schedule indexes up to the horizon are t·r/p <= 2^52 when r <= p; capacities are < 2^40
    if (r > p) {
      throw tooFine(limit, "the rate (more than one permit per microsecond)");
    }
    // as Rule.idleReset: the time the schedule takes to release capacity + one period's permits
    long idleMicros =
        greedy
            ? Math.multiplyExact(capacity + r, p) / r + 1
            : Math.multiplyExact((capacity + r + r - 1) / r, p);
    return List.of(
        "frontier",
        n,
        now,
        greedy ? "1" : "0",
        Long.toString(r),
        Long.toString(p),
        Long.toString(capacity),
        queue ? "1" : "0",
        Long.toString(ttlMillis(idleMicros, callerClock)));
  }

  private static List<String> windowed(
      String alg,
      String n,
      String now,
      long limit,
      Duration window,
      int windows,
      boolean callerClock) {
    long w = wholeMicros(window, null);
    if (Math.multiplyHigh(limit, 2 * w) != 0 || limit * 2 * w >= EXACT) {
      throw new IllegalArgumentException(
          "limit x window (" + limit + " x " + w + " µs) too large for Redis's 2^53 arithmetic");
    }
    return List.of(
        alg,
        n,
        now,
        Long.toString(limit),
        Long.toString(w),
        Long.toString(ttlMillis(Math.multiplyExact(w, windows), callerClock)));
  }

  private static long ttlMillis(long idleMicros, boolean callerClock) {
    long ms = idleMicros / 1000 + 1;
    return callerClock ? Math.max(ms, MIN_TTL_MILLIS) : ms;
  }

  private static long wholeMicros(Duration period, Limit limit) {
    long nanos = period.toNanos();
    if (nanos % 1000 != 0) {
      throw new IllegalArgumentException(
          "Redis keeps time in microseconds: period "
              + period
              + " is not whole microseconds"
              + (limit == null ? "" : " in " + limit));
    }
    return nanos / 1000;
  }

  private static IllegalArgumentException tooFine(Limit limit, String what) {
    return new IllegalArgumentException(
        what + " of " + limit + " leaves the 2^53 range of Redis's Lua arithmetic");
  }

  /** The script's reply as a decision. */
  static Decision decision(Object reply) {
    if (!(reply instanceof List<?> list) || list.size() != 4) {
      throw new RateLimitStoreException("unexpected reply from the rate-limit script: " + reply);
    }
    long[] v = new long[4];
    for (int i = 0; i < 4; i++) {
      if (!(list.get(i) instanceof Long l)) {
        throw new RateLimitStoreException("unexpected reply from the rate-limit script: " + reply);
      }
      v[i] = l;
    }
    long wait = v[2] < 0 ? Decision.NEVER : v[2] * 1000;
    try {
      return new Decision(v[0] == 1, v[1], wait, v[3] * 1000);
    } catch (IllegalArgumentException e) {
      throw new RateLimitStoreException("impossible decision from the rate-limit script: " + reply);
    }
  }
}
