package dev.headend.ratelimit;

import java.time.Duration;

/**
 * One algorithm's decision over a {@link Cell}: pure arithmetic on the cell's state and the
 * instant, committed with a compare-and-set (retried if another thread changed the state first).
 */
abstract class Rule {
  /** A cell in the initial state. */
  abstract Cell newCell();

  abstract Decision decide(Cell cell, long permits, long now);

  /** {@link #decide} without building the answer. */
  abstract boolean tryAcquire(Cell cell, long permits, long now);

  /** How long after its last use a cell is certainly back in the initial state. */
  abstract Duration idleReset();

  static Rule of(Limit limit) {
    if (limit instanceof Limit.TokenBucket b) {
      long p = Limits.periodNanos(b.refillPeriod());
      Schedule s =
          b.greedy()
              ? Schedule.greedy(b.refillTokens(), p)
              : Schedule.interval(b.refillTokens(), p);
      return FrontierRule.bucket(s, b.capacity());
    } else if (limit instanceof Limit.LeakyBucketMeter m) {
      return FrontierRule.bucket(
          Schedule.greedy(m.leakPermits(), Limits.periodNanos(m.leakPeriod())), m.capacity());
    } else if (limit instanceof Limit.LeakyBucketShaper q) {
      return FrontierRule.queue(
          Schedule.greedy(q.leakPermits(), Limits.periodNanos(q.leakPeriod())), q.queueCapacity());
    } else if (limit instanceof Limit.FixedWindow w) {
      return FrontierRule.bucket(
          Schedule.interval(w.limit(), Limits.periodNanos(w.window())), w.limit());
    } else if (limit instanceof Limit.Gcra g) {
      return FrontierRule.bucket(
          Schedule.greedy(g.permits(), Limits.periodNanos(g.period())), g.burst());
    } else if (limit instanceof Limit.SlidingLog l) {
      return new SlidingLogRule(l.limit(), Limits.periodNanos(l.window()));
    } else if (limit instanceof Limit.SlidingWindowCounter c) {
      return new WindowCounterRule(c.limit(), Limits.periodNanos(c.window()));
    }
    throw new IllegalArgumentException("unknown limit " + limit);
  }

  static void checkPermits(long permits) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be >= 0, was " + permits);
    }
  }

  /** Nanoseconds from {@code now} until {@code time}, 0 if past, saturated if huge. */
  static long until(long time, long now) {
    long d = time - now;
    if (((time ^ now) & (time ^ d)) < 0) { // overflow
      return time > now ? Decision.NEVER : 0;
    }
    return Math.max(0, d);
  }
}
