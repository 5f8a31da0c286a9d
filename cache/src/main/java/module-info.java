/**
 * headend caching: strategies over Caffeine (read-through with single-flight loads, per-entry TTL
 * with jitter, negative caching, per-entry refresh-ahead, invalidation by key and tag, metrics).
 */
// Jedis has no module descriptor yet (only an Automatic-Module-Name); it is optional.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.headend.cache {
  requires transitive dev.headend.core;
  requires transitive com.github.benmanes.caffeine;
  requires static transitive redis.clients.jedis;

  exports dev.headend.cache;
  exports dev.headend.cache.redis;
  exports dev.headend.cache.http;
  exports dev.headend.cache.http.transport;
}
