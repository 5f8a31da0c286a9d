package dev.headend.cache.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import java.util.function.UnaryOperator;

/** {@link HttpCacheStore#inMemory}: a weighted Caffeine cache of variant lists. */
final class MemoryHttpCacheStore implements HttpCacheStore {
  private final Cache<String, List<StoredResponse>> cache;

  MemoryHttpCacheStore(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<String, List<StoredResponse>>weigher(
                (k, v) -> {
                  long w = k.length();
                  for (StoredResponse r : v) {
                    w += r.weight();
                  }
                  return (int) Math.min(Integer.MAX_VALUE, w);
                })
            .build();
  }

  @Override
  public List<StoredResponse> variants(String key) {
    List<StoredResponse> v = cache.getIfPresent(key);
    return v == null ? List.of() : v;
  }

  @Override
  public void update(String key, UnaryOperator<List<StoredResponse>> change) {
    cache
        .asMap()
        .compute(
            key,
            (k, current) -> {
              List<StoredResponse> next = change.apply(current == null ? List.of() : current);
              return next == null || next.isEmpty() ? null : List.copyOf(next);
            });
  }

  @Override
  public void remove(String key) {
    cache.invalidate(key);
  }
}
