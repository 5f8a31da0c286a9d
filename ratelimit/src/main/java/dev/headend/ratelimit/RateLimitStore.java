package dev.headend.ratelimit;

/**
 * Where keyed limiter state lives when several processes must share it. An implementation runs the
 * {@link Limit}'s algorithm atomically in the store, in one round trip per decision, with the same
 * arithmetic (and so the same decisions) as the in-memory limiters.
 *
 * @see dev.headend.ratelimit.redis.RedisRateLimitStore
 */
public interface RateLimitStore {

  /**
   * Decides at the store's own clock, so that processes with skewed clocks agree.
   *
   * @throws RateLimitStoreException if the store cannot be reached or answers nonsense
   */
  Decision decide(String key, Limit limit, long permits);

  /**
   * Decides at {@code nowNanos} on the caller's timeline (tests, replays).
   *
   * @throws RateLimitStoreException if the store cannot be reached or answers nonsense
   */
  Decision decide(String key, Limit limit, long permits, long nowNanos);
}
