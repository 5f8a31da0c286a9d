package dev.headend.ratelimit;

import java.math.BigInteger;

/** Exact long arithmetic the rules need: rounding divisions, saturation, 128-bit products. */
final class Arith {
  private Arith() {}

  static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  static long multiplySaturated(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  static long addSaturated(long a, long b) {
    long s = a + b;
    if (((a ^ s) & (b ^ s)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return s;
  }

  /** Compares {@code a·b} with {@code c·d} exactly, for non-negative arguments. */
  static int compareProducts(long a, long b, long c, long d) {
    long hi1 = Math.multiplyHigh(a, b);
    long hi2 = Math.multiplyHigh(c, d);
    if (hi1 != hi2) {
      return Long.compare(hi1, hi2);
    }
    return Long.compareUnsigned(a * b, c * d);
  }

  /**
   * {@code floor(a·b / c)} for non-negative {@code a, b} and positive {@code c}; must fit a long.
   */
  static long mulDivFloor(long a, long b, long c) {
    if (Math.multiplyHigh(a, b) == 0 && a * b >= 0) {
      return a * b / c;
    }
    return BigInteger.valueOf(a)
        .multiply(BigInteger.valueOf(b))
        .divide(BigInteger.valueOf(c))
        .longValueExact();
  }
}
