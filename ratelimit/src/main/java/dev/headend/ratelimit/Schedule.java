package dev.headend.ratelimit;

/**
 * When permits become available, as exact integer arithmetic: {@link #index(long)} is how many
 * permits the schedule has released by instant {@code t} (counted from the timeline's zero, so
 * negative before it) and {@link #timeOf(long)} the first instant by which it has released {@code
 * m}. The rate is kept as a reduced fraction, so nothing drifts.
 */
final class Schedule {
  private final boolean greedy;
  private final long permits; // per period, reduced
  private final long period; // nanoseconds, reduced

  private Schedule(boolean greedy, long permits, long period) {
    this.greedy = greedy;
    this.permits = permits;
    this.period = period;
  }

  /** {@code permits} released evenly over each {@code periodNanos}: the k-th at ceil(k·P/R). */
  static Schedule greedy(long permits, long periodNanos) {
    long g = gcd(permits, periodNanos);
    long r = permits / g;
    long p = periodNanos / g;
    if (Math.multiplyHigh(r, p) != 0 || r * p < 0) {
      throw new IllegalArgumentException(
          "rate " + permits + " per " + periodNanos + " ns cannot be kept exactly: reduce it");
    }
    return new Schedule(true, r, p);
  }

  /** {@code permits} released all at once at the end of each {@code periodNanos}. */
  static Schedule interval(long permits, long periodNanos) {
    return new Schedule(false, permits, periodNanos);
  }

  long index(long t) {
    if (period == 1) { // a whole number of permits per nanosecond: no division at all
      return t * permits;
    }
    long q = t / period; // one division for both quotient and remainder (64-bit idiv is slow)
    long rem = t - q * period;
    if (rem < 0) {
      q--;
      rem += period;
    }
    if (!greedy || permits == 1) {
      return q * permits;
    }
    // floor(t·r/p) without overflow: (t div p)·r + ((t mod p)·r) div p; (t mod p)·r < p·r fits
    return q * permits + rem * permits / period;
  }

  long timeOf(long m) {
    long time;
    if (greedy) {
      // ceil(m·p/r) = (m div r)·p + ceil(((m mod r)·p) / r)
      long whole = Arith.multiplySaturated(Math.floorDiv(m, permits), period);
      long part = Arith.ceilDiv(Math.floorMod(m, permits) * period, permits);
      time = Arith.addSaturated(whole, part);
    } else {
      time = Arith.multiplySaturated(Arith.ceilDiv(m, permits), period);
    }
    return time;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  boolean greedy() {
    return greedy;
  }

  long permits() {
    return permits;
  }

  long period() {
    return period;
  }
}
