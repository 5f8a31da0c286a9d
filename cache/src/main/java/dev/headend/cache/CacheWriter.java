package dev.headend.cache;

import java.util.List;

/**
 * Writes changes to the system of record, for write-through and write-behind. Writes must be
 * idempotent upserts and deletes: after a failure a batch is retried whole, so its earlier members
 * may be written twice.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface CacheWriter<K, V> {
  /** Stores {@code value} under {@code key}. */
  void write(K key, V value) throws Exception;

  /** Removes {@code key}. */
  void delete(K key) throws Exception;

  /**
   * Applies a write-behind batch in order; by default one call per change. Override to use the
   * source's own batching (a multi-row statement, a pipeline).
   */
  default void writeBatch(List<Change<K, V>> batch) throws Exception {
    for (Change<K, V> c : batch) {
      if (c.isDelete()) {
        delete(c.key());
      } else {
        write(c.key(), c.value());
      }
    }
  }

  /**
   * One pending change: a value to store, or a delete (null value).
   *
   * @param key the key
   * @param value the value, or null for a delete
   * @param <K> key type
   * @param <V> value type
   */
  record Change<K, V>(K key, V value) {
    /** Whether this change deletes the key. */
    public boolean isDelete() {
      return value == null;
    }
  }
}
