package dev.headend.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each algorithm's rule on hand-worked timelines (instants in milliseconds from zero). */
class AlgorithmsTest {
  private static final long MS = 1_000_000;

  private static Decision at(RateLimiter l, long permits, long millis) {
    return l.decide(permits, millis * MS);
  }

  private static void assertDecision(
      Decision d, boolean allowed, long remaining, long waitMs, long resetMs) {
    assertEquals(new Decision(allowed, remaining, waitMs * MS, resetMs * MS), d);
  }

  @Test
  void greedyTokenBucketBurstsThenRefillsOneTokenAtATime() {
    RateLimiter l = RateLimiter.of(Limit.tokenBucket(10, 10, Duration.ofSeconds(1)));
    for (int i = 1; i <= 10; i++) {
      assertDecision(at(l, 1, 0), true, 10 - i, 0, i * 100L);
    }
    assertDecision(at(l, 1, 0), false, 0, 100, 1000);
    assertDecision(at(l, 1, 99), false, 0, 1, 901);
    assertDecision(at(l, 1, 100), true, 0, 0, 1000);
    // one token now, the next two at 300 and 400 ms
    assertDecision(at(l, 3, 250), false, 1, 150, 850);
    assertFalse(l.tryAcquire(3, 399 * MS));
    assertTrue(l.tryAcquire(3, 400 * MS));
  }

  @Test
  void intervalTokenBucketAddsTheWholeRefillAtEachPeriodEnd() {
    RateLimiter l = RateLimiter.of(Limit.tokenBucketIntervalRefill(10, 5, Duration.ofSeconds(1)));
    assertTrue(l.tryAcquire(10, 500 * MS));
    assertDecision(at(l, 1, 999), false, 0, 1, 1001);
    assertDecision(at(l, 5, 1000), true, 0, 0, 2000);
    assertDecision(at(l, 1, 1500), false, 0, 500, 1500);
    assertDecision(at(l, 10, 3000), true, 0, 0, 2000); // capped at capacity after idle
  }

  @Test
  void fixedWindowCountsPerAlignedWindow() {
    RateLimiter l = RateLimiter.of(Limit.fixedWindow(3, Duration.ofSeconds(1)));
    assertDecision(at(l, 2, 900), true, 1, 0, 100);
    assertDecision(at(l, 1, 950), true, 0, 0, 50);
    assertDecision(at(l, 1, 999), false, 0, 1, 1);
    assertDecision(at(l, 3, 1000), true, 0, 0, 1000); // a new window, whatever came just before
  }

  @Test
  void leakyBucketMeterOverflowsLikeAFullBucket() {
    RateLimiter l = RateLimiter.of(Limit.leakyBucketMeter(4, 2, Duration.ofSeconds(1)));
    assertTrue(l.tryAcquire(4, 0));
    assertDecision(at(l, 1, 0), false, 0, 500, 2000);
    assertDecision(at(l, 2, 1000), true, 0, 0, 2000);
  }

  @Test
  void leakyBucketShaperQueuesWithDelaysAndRefusesWhenTheQueueIsFull() {
    RateLimiter l = RateLimiter.of(Limit.leakyBucketShaper(3, 1, Duration.ofSeconds(1)));
    assertDecision(at(l, 1, 500), true, 2, 0, 500); // empty queue: goes now
    assertDecision(at(l, 1, 500), true, 1, 500, 1500); // next slot at 1 s
    assertDecision(at(l, 1, 500), true, 0, 1500, 2500);
    assertDecision(at(l, 1, 500), false, 0, 500, 2500); // queue full until the 1 s slot passes
    assertDecision(at(l, 1, 1000), true, 0, 2000, 3000);
  }

  @Test
  void slidingLogCountsAnyWindowEndingNow() {
    RateLimiter l = RateLimiter.of(Limit.slidingLog(3, Duration.ofSeconds(1)));
    assertTrue(l.tryAcquire(1, 0));
    assertTrue(l.tryAcquire(1, 200 * MS));
    assertTrue(l.tryAcquire(1, 400 * MS));
    assertDecision(at(l, 1, 500), false, 0, 500, 900);
    assertDecision(at(l, 2, 500), false, 0, 700, 900);
    assertDecision(at(l, 1, 999), false, 0, 1, 401);
    assertDecision(at(l, 1, 1000), true, 0, 0, 1000); // the entry at 0 left (window is (0, 1000])
  }

  @Test
  void slidingWindowCounterWeighsThePreviousWindow() {
    RateLimiter l = RateLimiter.of(Limit.slidingWindowCounter(10, Duration.ofSeconds(1)));
    assertTrue(l.tryAcquire(10, 500 * MS));
    // at 1250 ms: 10 x 0.75 = 7.5 still counted, so 2 fit and 3 do not
    assertDecision(at(l, 3, 1250), false, 2, 50, 750); // prev is forgotten at 2 s
    assertDecision(at(l, 2, 1250), true, 0, 0, 1750);
    // now prev=10, curr=2: one more fits once 10·(1000-e) <= 7000, i.e. at e = 300 ms
    assertDecision(at(l, 1, 1299), false, 0, 1, 1701);
    assertDecision(at(l, 1, 1300), true, 0, 0, 1700);
  }

  @Test
  void gcraReleasesOneEmissionIntervalApartAfterTheBurst() {
    RateLimiter l = RateLimiter.of(Limit.gcra(10, Duration.ofSeconds(1), 5));
    assertTrue(l.tryAcquire(5, 0));
    assertDecision(at(l, 1, 0), false, 0, 100, 500);
    assertTrue(l.tryAcquire(1, 100 * MS));
    assertFalse(l.tryAcquire(1, 199 * MS));
    assertTrue(l.tryAcquire(1, 200 * MS));
  }

  @Test
  void aRequestLargerThanTheLimitIsNeverGranted() {
    for (Limit limit :
        new Limit[] {
          Limit.tokenBucket(5, 1, Duration.ofSeconds(1)),
          Limit.leakyBucketShaper(5, 1, Duration.ofSeconds(1)),
          Limit.fixedWindow(5, Duration.ofSeconds(1)),
          Limit.slidingLog(5, Duration.ofSeconds(1)),
          Limit.slidingWindowCounter(5, Duration.ofSeconds(1)),
          Limit.gcra(1, Duration.ofSeconds(1), 5)
        }) {
      RateLimiter l = RateLimiter.of(limit);
      Decision d = l.decide(6, 0);
      assertFalse(d.allowed(), limit.toString());
      assertEquals(Decision.NEVER, d.waitNanos(), limit.toString());
      assertEquals(5, d.remaining(), limit.toString());
      assertTrue(l.tryAcquire(5, 0), limit + " must still have its full burst");
    }
  }

  @Test
  void exactRatesDoNotDriftOverAYear() {
    // 3 permits per second are 333,333,333.3 ns apart: rounding each would drift by ms a year
    RateLimiter l = RateLimiter.of(Limit.tokenBucket(1, 3, Duration.ofSeconds(1)));
    long year = Duration.ofDays(365).toNanos();
    long start = year - Duration.ofSeconds(1).toNanos();
    assertTrue(l.tryAcquire(1, start));
    // the next permits are due at ceil(k/3 s) after a whole second: +333,333,334 and +666,666,667
    assertEquals(333_333_334, l.decide(1, start).waitNanos());
    assertTrue(l.tryAcquire(1, start + 333_333_334));
    assertEquals(333_333_333, l.decide(1, start + 333_333_334).waitNanos());
    assertFalse(l.tryAcquire(1, start + 666_666_666));
    assertTrue(l.tryAcquire(1, start + 666_666_667));
    assertFalse(l.tryAcquire(1, year - 1));
    assertTrue(l.tryAcquire(1, year)); // the 3·31,536,000-th permit, due at exactly one year
  }

  @Test
  void negativeTimelinesWork() {
    RateLimiter l = RateLimiter.of(Limit.fixedWindow(2, Duration.ofSeconds(1)));
    assertTrue(l.tryAcquire(2, -1500 * MS)); // window [-2 s, -1 s)
    assertDecision(at(l, 1, -1200), false, 0, 200, 200);
    assertTrue(l.tryAcquire(2, -1000 * MS));
  }

  @Test
  void zeroPermitsReportsWithoutTaking() {
    RateLimiter l = RateLimiter.of(Limit.tokenBucket(3, 1, Duration.ofSeconds(1)));
    assertDecision(l.decide(0, 0), true, 3, 0, 0);
    assertTrue(l.tryAcquire(3, 0));
    assertDecision(l.decide(0, 0), true, 0, 0, 3000);
  }

  @Test
  void badArgumentsAreRefusedWithTheReason() {
    RateLimiter l = RateLimiter.of(Limit.fixedWindow(3, Duration.ofSeconds(1)));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> l.decide(-1, 0))
            .getMessage()
            .contains("permits"));
    assertThrows(
        IllegalArgumentException.class, () -> Limit.tokenBucket(0, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> Limit.tokenBucket(1, 1, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> Limit.gcra(1, Duration.ofSeconds(-1), 1));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> Limit.tokenBucket(10, 2_000_000_000, Duration.ofSeconds(1)))
            .getMessage()
            .contains("one per nanosecond"));
    assertThrows(
        IllegalArgumentException.class, () -> Limit.slidingLog(10_000_000, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class, () -> Limit.fixedWindow(1, Duration.ofDays(365L * 300)));
  }

  @Test
  void theClockVariantsReadTheGivenClock() {
    long[] now = {0};
    RateLimiter l = RateLimiter.of(Limit.fixedWindow(1, Duration.ofSeconds(1)), () -> now[0]);
    assertTrue(l.tryAcquire(1));
    assertFalse(l.decide(1).allowed());
    now[0] = Duration.ofSeconds(1).toNanos();
    assertTrue(l.decide(1).allowed());
  }

  @Test
  void policyFiguresDescribeEachLimit() {
    assertEquals(100, Limit.tokenBucket(100, 10, Duration.ofSeconds(1)).quota());
    assertEquals(
        Duration.ofSeconds(10), Limit.tokenBucket(100, 10, Duration.ofSeconds(1)).window());
    assertEquals(333_333_334, Limit.gcra(3, Duration.ofSeconds(1), 1).window().toNanos());
    assertEquals(Duration.ofMinutes(1), Limit.slidingLog(5, Duration.ofMinutes(1)).window());
  }
}
