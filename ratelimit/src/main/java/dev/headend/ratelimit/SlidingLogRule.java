package dev.headend.ratelimit;

import dev.headend.ratelimit.Cell.RefCell;
import java.util.Arrays;

/**
 * Sliding log: the instants and sizes of granted requests in the last window; a request is granted
 * while the permits logged in {@code (now - W, now]} plus its own stay within the limit. Each grant
 * copies the live part of the log (at most {@code limit} entries), which is the price of exactness
 * without a lock.
 */
final class SlidingLogRule extends WindowedRule<SlidingLogRule.Log> {
  /**
   * Entries in time order: {@code times[i]} and the running total {@code sums[i]} of permits from
   * entry 0 to i.
   */
  record Log(long[] times, long[] sums) {
    static final Log EMPTY = new Log(new long[0], new long[0]);

    /**
     * Index of the first entry still inside a window that excludes instants up to {@code after}.
     */
    int firstAfter(long after) {
      int i = Arrays.binarySearch(times, after);
      if (i < 0) {
        return -i - 1;
      }
      while (i < times.length && times[i] <= after) { // equal instants are contiguous
        i++;
      }
      return i;
    }

    long sumBefore(int i) {
      return i == 0 ? 0 : sums[i - 1];
    }

    long total() {
      return sums.length == 0 ? 0 : sums[sums.length - 1];
    }
  }

  SlidingLogRule(long limit, long width) {
    super(limit, width, 1);
  }

  @Override
  Decision decide(RefCell<Log> c, long permits, long now) {
    long horizon = Arith.addSaturated(now, -width); // entries at or before it have left the window
    for (; ; ) {
      Log seen = c.get();
      Log log = seen == null ? Log.EMPTY : seen;
      int first = log.firstAfter(horizon);
      long expired = log.sumBefore(first);
      long inWindow = log.total() - expired;
      int n = log.times.length;
      if (permits > limit || inWindow + permits > limit) {
        long wait = Decision.NEVER;
        if (permits <= limit) {
          long excess = inWindow + permits - limit;
          int j = first;
          while (log.sums[j] - expired < excess) {
            j++;
          }
          wait = until(Arith.addSaturated(log.times[j], width), now);
        }
        long reset = n > first ? until(Arith.addSaturated(log.times[n - 1], width), now) : 0;
        return new Decision(false, limit - inWindow, wait, reset);
      }
      if (permits == 0) {
        long reset = n > first ? until(Arith.addSaturated(log.times[n - 1], width), now) : 0;
        return new Decision(true, limit - inWindow, 0, reset);
      }
      // a clock that went back logs at the newest instant seen, so the log stays sorted
      long at = n > 0 ? Math.max(now, log.times[n - 1]) : now;
      Log next = append(log, first, expired, at, permits);
      if (c.compareAndSet(seen, next)) {
        return new Decision(
            true, limit - inWindow - permits, 0, until(Arith.addSaturated(at, width), now));
      }
    }
  }

  private static Log append(Log log, int first, long expired, long at, long permits) {
    int live = log.times.length - first;
    boolean merge = live > 0 && log.times[log.times.length - 1] == at;
    int size = merge ? live : live + 1;
    long[] times = new long[size];
    long[] sums = new long[size];
    for (int i = 0; i < live; i++) {
      times[i] = log.times[first + i];
      sums[i] = log.sums[first + i] - expired;
    }
    long before = live == 0 ? 0 : sums[live - 1];
    times[size - 1] = at;
    sums[size - 1] = before + permits; // when merging, before is that entry's own sum
    return new Log(times, sums);
  }
}
