package dev.headend.ratelimit;

import java.time.Duration;

/**
 * The answer to one request for permits.
 *
 * @param allowed whether the permits were granted (and taken)
 * @param remaining permits that could still be granted at once after this decision (for a shaper:
 *     free places in its queue)
 * @param waitNanos if refused, how long until the same request would be allowed, exactly (retrying
 *     at {@code now + waitNanos} succeeds if nothing else took permits meanwhile), or {@link
 *     #NEVER} when it asks for more than the limit can ever grant; if allowed, how long to delay
 *     the work (non-zero only for a leaky-bucket shaper, which queues instead of bursting)
 * @param resetNanos how long until the limiter is back to its initial state (a full bucket, an
 *     empty queue, no permits counted in the window) if nothing more is taken
 */
public record Decision(boolean allowed, long remaining, long waitNanos, long resetNanos) {
  /** The {@link #waitNanos()} of a request no wait can satisfy. */
  public static final long NEVER = Long.MAX_VALUE;

  /** Validates the fields. */
  public Decision {
    if (remaining < 0 || waitNanos < 0 || resetNanos < 0) {
      throw new IllegalArgumentException(
          "negative field in decision: remaining="
              + remaining
              + " wait="
              + waitNanos
              + " reset="
              + resetNanos);
    }
  }

  /** {@link #waitNanos()} as a duration ({@link Duration#ofNanos} of {@link #NEVER} if never). */
  public Duration waitTime() {
    return Duration.ofNanos(waitNanos);
  }

  /** {@link #resetNanos()} as a duration. */
  public Duration resetTime() {
    return Duration.ofNanos(resetNanos);
  }
}
