/**
 * headend caching: strategies over Caffeine (read-through with single-flight loads, per-entry TTL
 * with jitter, negative caching, per-entry refresh-ahead, invalidation by key and tag, metrics).
 */
module dev.headend.cache {
  requires transitive dev.headend.core;
  requires transitive com.github.benmanes.caffeine;

  exports dev.headend.cache;
}
