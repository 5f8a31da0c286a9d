package dev.headend.cache;

import java.time.Duration;

/**
 * A snapshot of a cache's counters since it was built.
 *
 * @param hits reads answered from the cache (negative entries included)
 * @param misses reads that found nothing usable and waited for a load
 * @param loads successful loads (read-through and refresh)
 * @param loadFailures loads that threw
 * @param totalLoadTime time spent in the loader, successful or not
 * @param refreshes loads made ahead of expiry
 * @param evictions entries removed for size or expiry
 * @param writeBehindBacklog writes accepted but not yet written to the source
 */
public record CacheMetrics(
    long hits,
    long misses,
    long loads,
    long loadFailures,
    Duration totalLoadTime,
    long refreshes,
    long evictions,
    long writeBehindBacklog) {
  /** hits / (hits + misses), or 1 when there were no reads. */
  public double hitRate() {
    long reads = hits + misses;
    return reads == 0 ? 1.0 : (double) hits / reads;
  }
}
