package dev.headend.ratelimit;

import dev.headend.ratelimit.Cell.LongCell;
import java.time.Duration;

/**
 * The token bucket family in one long. The state is a frontier {@code s}: the index (on the {@link
 * Schedule}) of the next permit to hand out. With {@code f} the schedule's index now, a bucket
 * holds {@code f - s} tokens, and may not hold more than its capacity, so {@code s} is first raised
 * to {@code f - slack}; a request for {@code n} is granted while {@code s + n <= f + allowance}.
 *
 * <ul>
 *   <li>token bucket, leaky-bucket meter, GCRA, fixed window: {@code slack = capacity, allowance =
 *       0} (a full bucket bursts, an empty one waits for the schedule);
 *   <li>leaky-bucket shaper: {@code slack = 0, allowance = capacity} (nothing saved up; up to
 *       capacity permits queued ahead of the schedule, each delayed until its index comes up).
 * </ul>
 *
 * These are the same rule: the meter's level is {@code capacity} minus the tokens, and GCRA's
 * theoretical arrival time is the instant the schedule reaches {@code s}.
 */
final class FrontierRule extends Rule {
  private final Schedule schedule;
  private final long capacity;
  private final long slack;
  private final long allowance;
  private final boolean queue;

  private FrontierRule(Schedule schedule, long capacity, boolean queue) {
    this.schedule = schedule;
    this.capacity = capacity;
    this.queue = queue;
    this.slack = queue ? 0 : capacity;
    this.allowance = queue ? capacity : 0;
  }

  static FrontierRule bucket(Schedule schedule, long capacity) {
    return new FrontierRule(schedule, capacity, false);
  }

  static FrontierRule queue(Schedule schedule, long capacity) {
    return new FrontierRule(schedule, capacity, true);
  }

  @Override
  Cell newCell() {
    return new LongCell(Long.MIN_VALUE); // far behind: raised to f - slack on first use
  }

  @Override
  boolean tryAcquire(Cell cell, long permits, long now) {
    checkPermits(permits);
    if (permits > capacity) {
      return false;
    }
    LongCell c = (LongCell) cell;
    long f = schedule.index(now);
    for (; ; ) {
      long s = c.get();
      long start = Math.max(s, f - slack);
      long after = start + permits;
      if (after - f > allowance) {
        return false;
      }
      if (c.compareAndSet(s, after)) {
        return true;
      }
    }
  }

  @Override
  Decision decide(Cell cell, long permits, long now) {
    checkPermits(permits);
    LongCell c = (LongCell) cell;
    long f = schedule.index(now);
    for (; ; ) {
      long s = c.get();
      long start = Math.max(s, f - slack);
      long after = start + permits;
      if (permits > capacity || after - f > allowance) {
        long wait =
            permits > capacity ? Decision.NEVER : until(schedule.timeOf(after - allowance), now);
        return new Decision(
            false,
            Math.max(0, f + allowance - start),
            wait,
            until(schedule.timeOf(start + slack), now));
      }
      if (c.compareAndSet(s, after)) {
        return new Decision(
            true,
            f + allowance - after,
            queue ? until(schedule.timeOf(start), now) : 0,
            until(schedule.timeOf(after + slack), now));
      }
    }
  }

  @Override
  Duration idleReset() {
    // from the most ahead the frontier can be (f + allowance) to fallen capacity behind the
    // schedule: capacity + one period's permits covers the rounding of either schedule
    long t = schedule.timeOf(capacity + schedule.permits()) - schedule.timeOf(0);
    return Duration.ofNanos(t);
  }
}
