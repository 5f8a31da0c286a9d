/**
 * The two-level cache: local Caffeine in front of Redis, invalidated over pub/sub (Jedis,
 * optional).
 */
package dev.headend.cache.redis;
