package dev.headend.cache;

/**
 * Reads a value from the system of record.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface CacheLoader<K, V> {
  /**
   * The current value for {@code key}, or null if the source has none (then cached as a negative
   * entry if a negative TTL is set). Any exception fails this load only; nothing is cached.
   */
  V load(K key) throws Exception;
}
