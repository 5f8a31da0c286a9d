package dev.headend.ratelimit;

import dev.headend.ratelimit.Cell.RefCell;

/**
 * Sliding window counter: counts per fixed window (aligned on the timeline's zero); a request is
 * granted while {@code prev·(W - e)/W + curr + n <= limit}, where {@code e} is the time elapsed in
 * the current window, compared exactly as {@code prev·(W - e) <= (limit - curr - n)·W}.
 */
final class WindowCounterRule extends WindowedRule<WindowCounterRule.Counts> {
  /** Counts of window {@code window} and of the one before it. */
  record Counts(long window, long prev, long curr) {}

  WindowCounterRule(long limit, long width) {
    super(limit, width, 2);
  }

  @Override
  Decision decide(RefCell<Counts> c, long permits, long now) {
    long w = Math.floorDiv(now, width);
    for (; ; ) {
      Counts st = c.get();
      long win = w;
      long elapsed = Math.floorMod(now, width);
      long prev;
      long curr;
      if (st == null || st.window < w - 1) {
        prev = 0;
        curr = 0;
      } else if (st.window == w - 1) {
        prev = st.curr;
        curr = 0;
      } else if (st.window == w) {
        prev = st.prev;
        curr = st.curr;
      } else { // the clock went back: judge in the newest window seen, its predecessor in full
        win = st.window;
        elapsed = 0;
        prev = st.prev;
        curr = st.curr;
      }
      long room = limit - curr - permits;
      long left = width - elapsed;
      boolean allowed =
          permits <= limit && room >= 0 && Arith.compareProducts(prev, left, room, width) <= 0;
      if (!allowed) {
        return new Decision(
            false,
            remaining(prev, curr, elapsed),
            permits > limit ? Decision.NEVER : until(grantTime(win, prev, curr, permits), now),
            until(resetTime(win, prev, curr), now));
      }
      if (permits == 0 || c.compareAndSet(st, new Counts(win, prev, curr + permits))) {
        return new Decision(
            true,
            remaining(prev, curr + permits, elapsed),
            0,
            until(resetTime(win, prev, curr + permits), now));
      }
    }
  }

  /**
   * Largest k with {@code prev·(W-e) <= (limit-curr-k)·W}, i.e. {@code
   * limit-curr-ceil(prev·(W-e)/W)}.
   */
  private long remaining(long prev, long curr, long elapsed) {
    long weighted = prev - Arith.mulDivFloor(prev, elapsed, width); // ceil(prev·(W-e)/W)
    return Math.max(0, limit - curr - weighted);
  }

  /** The first instant the request fits: later in this window, or in the next one. */
  private long grantTime(long win, long prev, long curr, long permits) {
    long room = limit - curr - permits;
    if (room >= 0) { // refused now, so prev > room: wait until prev's weight has shrunk enough
      long e = width - Arith.mulDivFloor(room, width, prev);
      return Arith.addSaturated(Arith.multiplySaturated(win, width), e);
    }
    // next window: prev becomes curr, curr becomes 0
    long next = Arith.multiplySaturated(Arith.addSaturated(win, 1), width);
    long nextRoom = limit - permits;
    if (curr <= nextRoom) {
      return next;
    }
    return Arith.addSaturated(next, width - Arith.mulDivFloor(nextRoom, width, curr));
  }

  private long resetTime(long win, long prev, long curr) {
    if (curr > 0) {
      return Arith.multiplySaturated(Arith.addSaturated(win, 2), width);
    }
    return prev > 0 ? Arith.multiplySaturated(Arith.addSaturated(win, 1), width) : Long.MIN_VALUE;
  }
}
