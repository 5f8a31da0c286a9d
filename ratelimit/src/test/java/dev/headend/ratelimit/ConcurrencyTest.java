package dev.headend.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many threads on one limiter admit exactly what one thread admits for the same requests. */
class ConcurrencyTest {
  private static final int THREADS = 4;
  private static final int PHASES = 40;
  private static final int ATTEMPTS = 400; // per thread per phase

  static List<Limit> limits() {
    Duration ms = Duration.ofMillis(1);
    return List.of(
        Limit.tokenBucket(500, 300, ms),
        Limit.tokenBucketIntervalRefill(500, 300, ms),
        Limit.leakyBucketMeter(500, 300, ms),
        Limit.leakyBucketShaper(500, 300, ms),
        Limit.fixedWindow(700, ms),
        Limit.slidingLog(700, ms.multipliedBy(3)),
        Limit.slidingWindowCounter(700, ms.multipliedBy(2)),
        Limit.gcra(300, ms, 500));
  }

  /** The instant of phase i: irregular steps so that phases land anywhere in windows. */
  private static long instant(int phase) {
    return phase * 337_123L + (phase % 3) * 91_000L;
  }

  private static long permits(int phase) {
    return 1 + phase % 3;
  }

  @ParameterizedTest
  @MethodSource("limits")
  void threadsAdmitExactlyWhatOneThreadAdmits(Limit limit) throws Exception {
    RateLimiter sequential = RateLimiter.of(limit);
    long[] expected = new long[PHASES];
    for (int p = 0; p < PHASES; p++) {
      for (int i = 0; i < THREADS * ATTEMPTS; i++) {
        if (sequential.tryAcquire(permits(p), instant(p))) {
          expected[p]++;
        }
      }
    }

    RateLimiter shared = RateLimiter.of(limit);
    AtomicLongArray granted = new AtomicLongArray(PHASES);
    CyclicBarrier barrier = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        boolean full = t % 2 == 0; // half the threads ask for the whole decision
        done.add(
            pool.submit(
                () -> {
                  for (int p = 0; p < PHASES; p++) {
                    barrier.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < ATTEMPTS; i++) {
                      boolean ok =
                          full
                              ? shared.decide(permits(p), instant(p)).allowed()
                              : shared.tryAcquire(permits(p), instant(p));
                      if (ok) {
                        granted.incrementAndGet(p);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long total = 0;
    for (int p = 0; p < PHASES; p++) {
      assertEquals(expected[p], granted.get(p), limit + " phase " + p);
      total += expected[p];
    }
    assertTrue(total > PHASES, "the phases must grant something to compare: " + total);
    assertTrue(
        total < (long) PHASES * THREADS * ATTEMPTS, "the phases must refuse something: " + total);
  }
}
