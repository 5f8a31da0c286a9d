package dev.headend.ratelimit;

import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random limits with small sizes and periods in whole microseconds (so Redis can run them too). */
final class LimitArbitraries {
  private LimitArbitraries() {}

  static Arbitrary<Limit> limits() {
    Arbitrary<Long> size = Arbitraries.longs().between(1, 20);
    Arbitrary<Long> permits = Arbitraries.longs().between(1, 12);
    Arbitrary<Duration> period =
        Arbitraries.oneOf(
                Arbitraries.longs().between(1, 5_000), // a few ms, in µs
                Arbitraries.longs().between(1, 3_000_000)) // up to 3 s, in µs: odd fractions
            .map(Duration::ofNanos)
            .map(d -> d.multipliedBy(1000));
    return Arbitraries.oneOf(
        Combinators.combine(size, permits, period).as(Limit::tokenBucket),
        Combinators.combine(size, permits, period).as(Limit::tokenBucketIntervalRefill),
        Combinators.combine(size, permits, period).as(Limit::leakyBucketMeter),
        Combinators.combine(size, permits, period).as(Limit::leakyBucketShaper),
        Combinators.combine(size, period).as(Limit::fixedWindow),
        Combinators.combine(size, period).as(Limit::slidingLog),
        Combinators.combine(size, period).as(Limit::slidingWindowCounter),
        Combinators.combine(permits, period, size).as(Limit::gcra));
  }

  /** The schedule of a bucket-family limit. */
  static Schedule schedule(Limit limit) {
    if (limit instanceof Limit.TokenBucket b) {
      long p = b.refillPeriod().toNanos();
      return b.greedy()
          ? Schedule.greedy(b.refillTokens(), p)
          : Schedule.interval(b.refillTokens(), p);
    } else if (limit instanceof Limit.LeakyBucketMeter m) {
      return Schedule.greedy(m.leakPermits(), m.leakPeriod().toNanos());
    } else if (limit instanceof Limit.LeakyBucketShaper q) {
      return Schedule.greedy(q.leakPermits(), q.leakPeriod().toNanos());
    } else if (limit instanceof Limit.Gcra g) {
      return Schedule.greedy(g.permits(), g.period().toNanos());
    }
    throw new IllegalArgumentException(limit.toString());
  }
}
