package dev.headend.ratelimit;

import java.math.BigInteger;
import java.time.Duration;

/** Parameter checks shared by the {@link Limit} records. */
final class Limits {
  /** Most permits a bucket, queue or window may hold: keeps every product of the math in range. */
  static final long MAX_SIZE = 1L << 40;

  /** Most permits a sliding log may hold: it keeps one entry per granted request. */
  static final long MAX_LOG = 1L << 20;

  private Limits() {}

  static void checkRate(long size, String sizeName, long permits, Duration period) {
    checkSize(size, sizeName, MAX_SIZE);
    checkSize(permits, "permits per period", MAX_SIZE);
    long p = periodNanos(period);
    if (permits > p) {
      throw new IllegalArgumentException(
          "rate too high: "
              + permits
              + " permits per "
              + p
              + " ns is more than one per nanosecond");
    }
    Schedule.greedy(permits, p); // checks that the reduced fraction's product fits
  }

  static void checkWindow(long limit, Duration window) {
    checkSize(limit, "limit", MAX_LOG);
    periodNanos(window);
  }

  static long periodNanos(Duration period) {
    if (period == null || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    try {
      return period.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("period longer than 292 years: " + period, e);
    }
  }

  private static void checkSize(long value, String name, long max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(name + " must be in [1, " + max + "], was " + value);
    }
  }

  /** The time {@code count} permits take at {@code permits} per {@code period}, rounded up. */
  static Duration timeFor(long count, long permits, Duration period) {
    BigInteger[] qr =
        BigInteger.valueOf(count)
            .multiply(BigInteger.valueOf(period.toNanos()))
            .divideAndRemainder(BigInteger.valueOf(permits));
    BigInteger nanos = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    return nanos.bitLength() < 63
        ? Duration.ofNanos(nanos.longValue())
        : Duration.ofNanos(Long.MAX_VALUE);
  }
}
