package dev.headend.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;

/**
 * What the cache holds per key: the value (null for a negative entry), its lifetime, when it should
 * be refreshed, its tags, and the tag epoch at which its load began.
 */
final class Entry<V> {
  private static final VarHandle REFRESHING;

  static {
    try {
      REFRESHING = MethodHandles.lookup().findVarHandle(Entry.class, "refreshing", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final V value;

  /** Ticker time at which the entry is dead; set when it is made. */
  final long expiresAt;

  final long ttlNanos;
  final long refreshAfterNanos;
  final Set<String> tags;
  final long loadEpoch;

  /** Ticker time after which a read starts a refresh. */
  volatile long refreshAt = Long.MAX_VALUE;

  @SuppressWarnings("unused") // through REFRESHING
  private volatile int refreshing;

  Entry(
      V value, long now, long ttlNanos, long refreshAfterNanos, Set<String> tags, long loadEpoch) {
    this.value = value;
    this.expiresAt = saturatedAdd(now, ttlNanos);
    if (refreshAfterNanos != Long.MAX_VALUE) {
      this.refreshAt = saturatedAdd(now, refreshAfterNanos);
    }
    this.ttlNanos = ttlNanos;
    this.refreshAfterNanos = refreshAfterNanos;
    this.tags = tags;
    this.loadEpoch = loadEpoch;
  }

  /** Whether the entry may still be served at {@code now}. */
  boolean liveAt(long now) {
    return now - expiresAt < 0;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** True for the one caller that gets to refresh this entry. */
  boolean claimRefresh() {
    return REFRESHING.compareAndSet(this, 0, 1);
  }

  /** After a failed refresh: let a read try again at {@code at}. */
  void releaseRefresh(long at) {
    refreshAt = at;
    REFRESHING.setVolatile(this, 0);
  }
}
