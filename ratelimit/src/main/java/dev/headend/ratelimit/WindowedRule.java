package dev.headend.ratelimit;

import dev.headend.ratelimit.Cell.RefCell;
import java.time.Duration;

/**
 * A rule over a window of fixed width whose state is an immutable {@code S} in a {@link RefCell}.
 */
abstract class WindowedRule<S> extends Rule {
  final long limit;
  final long width;
  private final int windowsRemembered;

  WindowedRule(long limit, long width, int windowsRemembered) {
    this.limit = limit;
    this.width = width;
    this.windowsRemembered = windowsRemembered;
  }

  @Override
  final Cell newCell() {
    return new RefCell<S>();
  }

  @Override
  final boolean tryAcquire(Cell cell, long permits, long now) {
    return decide(cell, permits, now).allowed();
  }

  @Override
  @SuppressWarnings("unchecked")
  final Decision decide(Cell cell, long permits, long now) {
    checkPermits(permits);
    return decide((RefCell<S>) cell, permits, now);
  }

  abstract Decision decide(RefCell<S> cell, long permits, long now);

  @Override
  final Duration idleReset() {
    return Duration.ofNanos(Arith.multiplySaturated(width, windowsRemembered));
  }
}
