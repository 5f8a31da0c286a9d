package dev.headend.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For every algorithm, on a fake timeline of random requests: the admitted permits never exceed the
 * algorithm's bound, a refusal's wait is exact, and no idle time lets more than the burst through.
 */
class LimiterPropertiesTest {

  /** A request: advance the clock by {@code gap} ns, ask for {@code permits}, maybe retry. */
  record Step(long gap, long permits, boolean retryAtWait) {}

  record Grant(long at, long permits) {}

  @Provide
  Arbitrary<Limit> limits() {
    return LimitArbitraries.limits();
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Long> gap =
        Arbitraries.oneOf(
            Arbitraries.just(0L),
            Arbitraries.longs().between(1, 2_000_000), // within a couple of ms
            Arbitraries.longs().between(1, 3_000_000_000L)); // up to seconds
    return Combinators.combine(gap, Arbitraries.longs().between(0, 22), Arbitraries.of(true, false))
        .as(Step::new)
        .list()
        .ofMaxSize(120);
  }

  /** What a run granted (for a shaper, at the delayed start), and the instant it ended at. */
  record History(List<Grant> granted, long end) {}

  private static History run(RateLimiter l, List<Step> steps, long start) {
    List<Grant> granted = new ArrayList<>();
    long now = start;
    for (Step s : steps) {
      now += s.gap;
      Decision d = l.decide(s.permits, now);
      if (d.allowed()) {
        granted.add(new Grant(now + d.waitNanos(), s.permits));
      } else if (s.retryAtWait && d.waitNanos() != Decision.NEVER) {
        long w = d.waitNanos();
        assertTrue(w > 0, "a refusal waits");
        assertFalse(l.decide(s.permits, now + w - 1).allowed(), "wait is not minimal: " + d);
        now += w;
        Decision retry = l.decide(s.permits, now);
        assertTrue(retry.allowed(), "retrying after the stated wait must succeed: " + d);
        granted.add(new Grant(now + retry.waitNanos(), s.permits));
      }
    }
    return new History(granted, now);
  }

  @Property(tries = 400)
  void admittedPermitsStayWithinEachAlgorithmsBound(
      @ForAll("limits") Limit limit,
      @ForAll("steps") List<Step> steps,
      @ForAll("starts") long start) {
    List<Grant> g = run(RateLimiter.of(limit), steps, start).granted();
    if (limit instanceof Limit.SlidingLog log) {
      long w = log.window().toNanos();
      for (Grant x : g) { // any window (t - W, t] ending at a grant
        assertTrue(sumIn(g, x.at - w + 1, x.at) <= log.limit(), "sliding log over its limit");
      }
    } else if (limit instanceof Limit.SlidingWindowCounter c) {
      checkWindowCounter(c, g);
    } else if (limit instanceof Limit.FixedWindow f) {
      long w = f.window().toNanos();
      for (Grant x : g) {
        long from = Math.floorDiv(x.at, w) * w;
        assertTrue(sumIn(g, from, from + w - 1) <= f.limit(), "fixed window over its limit");
      }
    } else {
      Schedule schedule = LimitArbitraries.schedule(limit);
      long burst = limit.quota();
      boolean shaper = limit instanceof Limit.LeakyBucketShaper;
      for (int i = 0; i < g.size(); i++) {
        for (int j = i; j < g.size(); j++) {
          long a = Math.min(g.get(i).at, g.get(j).at);
          long b = Math.max(g.get(i).at, g.get(j).at);
          long released = schedule.index(b) - schedule.index(a);
          // a bucket may start full; a shaper releases each request when the schedule reaches
          // its first permit, so the last one may reach past b by its size
          long bound = released + (shaper ? 22 : burst);
          assertTrue(
              sumIn(g, a, b) <= bound,
              limit + ": " + sumIn(g, a, b) + " permits in [" + a + ", " + b + "], bound " + bound);
        }
      }
    }
  }

  private static void checkWindowCounter(Limit.SlidingWindowCounter c, List<Grant> g) {
    long w = c.window().toNanos();
    long limit = c.limit();
    for (Grant x : g) {
      long win = Math.floorDiv(x.at, w) * w;
      long e = x.at - win;
      long prev = sumIn(g, win - w, win - 1);
      long curr = sumIn(g, win, x.at); // grants are in time order: all of them up to x
      assertTrue(curr <= limit, "window counter over its limit in a fixed window");
      assertTrue(
          Arith.compareProducts(prev, w - e, limit - curr, w) <= 0,
          "window counter estimate over its limit");
      assertTrue(sumIn(g, x.at - w + 1, x.at) <= 2 * limit, "over twice the limit in a window");
    }
  }

  private static long sumIn(List<Grant> g, long from, long to) {
    long sum = 0;
    for (Grant x : g) {
      if (x.at >= from && x.at <= to) {
        sum += x.permits;
      }
    }
    return sum;
  }

  @Provide
  Arbitrary<Long> starts() {
    return Arbitraries.oneOf(
        Arbitraries.just(0L),
        Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L),
        Arbitraries.just(1_764_000_000_000_000_000L)); // wall-clock nanoseconds, 2025
  }

  @Property(tries = 400)
  void noIdleTimeLetsMoreThanTheBurstThrough(
      @ForAll("limits") Limit limit,
      @ForAll("steps") List<Step> steps,
      @ForAll("starts") long start,
      @ForAll("idles") long idle) {
    RateLimiter l = RateLimiter.of(limit);
    long at = run(l, steps, start).end() + idle;
    long burst = limit.quota();
    long granted = 0;
    while (granted <= burst && l.tryAcquire(1, at)) {
      granted++;
    }
    assertTrue(granted <= burst, limit + " let " + granted + " through at once");
    if (idle >= Rule.of(limit).idleReset().toNanos()) {
      assertEquals(burst, granted, limit + ": after its idle reset the whole burst is back");
    }
  }

  @Provide
  Arbitrary<Long> idles() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 5_000_000_000L),
        Arbitraries.just(Duration.ofDays(3650).toNanos()));
  }

  @Property(tries = 200)
  void theRedisIdleResetMatchesTheRule(@ForAll("limits") Limit limit) {
    // the cells of a keyed limiter expire after idleReset; that must never be shorter than the
    // time the state needs to return to the initial one from its fullest
    RateLimiter l = RateLimiter.of(limit);
    long burst = limit.quota();
    long granted = 0;
    while (granted < burst && l.tryAcquire(1, 0)) {
      granted++;
    }
    long reset = l.decide(0, 0).resetNanos();
    assertTrue(
        reset <= Rule.of(limit).idleReset().toNanos(),
        limit + ": reset " + reset + " after idleReset " + Rule.of(limit).idleReset());
  }
}
