package dev.headend.cache.http;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Where an {@link HttpCache} keeps responses: per cache key (the request URI) a list of variants,
 * one per combination of the request fields their {@code Vary} names.
 *
 * <p>Implementations must make {@link #update} atomic per key; they may drop entries at any time
 * (eviction) since a cache miss is always safe.
 */
public interface HttpCacheStore {
  /** The variants stored for a key, most recently stored last; empty if none. */
  List<StoredResponse> variants(String key);

  /**
   * Atomically replaces the variants of a key with {@code change.apply(current)}; an empty result
   * removes the key.
   */
  void update(String key, UnaryOperator<List<StoredResponse>> change);

  /** Removes every variant of a key. */
  void remove(String key);

  /**
   * An in-memory store on Caffeine, bounded by the summed {@link StoredResponse#weight()} of its
   * entries and evicting by Caffeine's W-TinyLFU policy.
   *
   * @param maxBytes the bound on stored content and fields, roughly in bytes
   */
  static HttpCacheStore inMemory(long maxBytes) {
    return new MemoryHttpCacheStore(maxBytes);
  }
}
