/**
 * headend rate limiting: six algorithms behind one decision API, lock-free in memory, keyed on a
 * size-bounded Caffeine cache, and the same algorithms on Redis in one round trip each.
 */
// Jedis has no module descriptor yet (only an Automatic-Module-Name); it is optional.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.headend.ratelimit {
  requires transitive dev.headend.core;
  requires com.github.benmanes.caffeine;
  requires static transitive redis.clients.jedis;

  exports dev.headend.ratelimit;
  exports dev.headend.ratelimit.redis;
}
