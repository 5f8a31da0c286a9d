package dev.headend.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/**
 * A read-through cache on Caffeine with the strategies Caffeine leaves to its users:
 *
 * <ul>
 *   <li><b>single-flight loads</b>: concurrent misses on one key wait for one load;
 *   <li><b>per-entry TTL</b> from a function of key and value, with <b>jitter</b> so entries loaded
 *       together do not expire together;
 *   <li><b>negative caching</b>: a loader's null is remembered for its own, usually shorter, TTL;
 *   <li><b>refresh-ahead per entry</b> (Caffeine's {@code refreshAfterWrite} is one duration for
 *       all): the first read after an entry's refresh time starts one background reload while
 *       readers keep the old value; a failed reload is retried no sooner than {@code refreshRetry};
 *   <li><b>invalidation</b> by key, and by tag in O(1): a tag's invalidation marks every entry
 *       carrying it, including ones whose load was in flight, and such entries are dropped when
 *       next read (or evicted);
 *   <li><b>metrics</b>: hits, misses, loads, failures, load time, refreshes, evictions.
 * </ul>
 *
 * <p>For cache-aside use, call {@link #getIfPresent} and {@link #put} around your own reads. Time
 * is Caffeine's {@link Ticker}, injectable for tests.
 *
 * <pre>{@code
 * ManagedCache<String, User> users = ManagedCache.builder((String id) -> db.findUser(id))
 *     .maximumSize(100_000)
 *     .timeToLive(Duration.ofMinutes(10)).ttlJitter(0.1)
 *     .negativeTimeToLive(Duration.ofSeconds(30))
 *     .refreshAfter(Duration.ofMinutes(8))
 *     .tags((id, user) -> Set.of("org:" + user.org()))
 *     .build();
 * User u = users.get("alice");          // null if the database has no alice
 * users.invalidateTag("org:42");
 * }</pre>
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ManagedCache<K, V> implements AutoCloseable {
  private final Cache<K, Entry<V>> cache;
  private final CacheLoader<? super K, ? extends V> loader;
  private final BiFunction<? super K, ? super V, Duration> ttl;
  private final Duration negativeTtl;
  private final double jitter;
  private final BiFunction<? super K, ? super V, Duration> refreshAfter;
  private final long refreshRetryNanos;
  private final BiFunction<? super K, ? super V, Set<String>> tagger;
  private final Ticker ticker;
  private final Executor executor;
  private final CacheWriter<K, V> writeThrough;
  private final WriteBehind<K, V> writeBehind;

  /** Bumped by every tag invalidation; an entry remembers its value at load start. */
  private final AtomicLong tagEpoch = new AtomicLong();

  private final Map<String, Long> tagInvalidatedAt = new ConcurrentHashMap<>();

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final AtomicLong writesSinceSweep = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean sweeping =
      new java.util.concurrent.atomic.AtomicBoolean();

  private ManagedCache(Builder<K, V> b) {
    this.loader = b.loader;
    this.ttl = b.ttl;
    this.negativeTtl = b.negativeTtl;
    this.jitter = b.jitter;
    this.refreshAfter = b.refreshAfter;
    this.refreshRetryNanos = b.refreshRetry.toNanos();
    this.tagger = b.tagger;
    this.ticker = b.ticker;
    this.executor = b.executor;
    this.writeThrough = b.writeThrough;
    this.writeBehind =
        b.behindWriter == null ? null : new WriteBehind<>(b.behindWriter, b.behindPolicy);
    Caffeine<Object, Object> c =
        Caffeine.newBuilder()
            .ticker(ticker)
            .executor(executor)
            .evictionListener(
                (Object k, Object v, RemovalCause cause) -> {
                  if (cause.wasEvicted()) {
                    evictions.increment();
                  }
                });
    // Caffeine's own variable expiry costs ~50 ns per read here (a timer-wheel update on every
    // hit); entries carry their deadline instead, checked against one ticker read, and expired
    // ones are swept out in batches (see sweep)
    if (b.maximumSize >= 0) {
      c.maximumSize(b.maximumSize);
    }
    this.cache = c.build();
  }

  /** A builder for a cache that loads misses with {@code loader}. */
  public static <K, V> Builder<K, V> builder(CacheLoader<? super K, ? extends V> loader) {
    return new Builder<>(Objects.requireNonNull(loader, "loader"));
  }

  /**
   * The value for {@code key}: from the cache, or loaded (once, however many callers miss at the
   * same time). Null if the source has none.
   *
   * @throws CacheLoadException if the load fails
   */
  public V get(K key) {
    Entry<V> e = cache.getIfPresent(key);
    if (e != null) {
      long now = ticker.read();
      if (e.liveAt(now) && (e.tags.isEmpty() || current(e))) {
        if (now - e.refreshAt >= 0 && e.claimRefresh()) {
          refresh(key, e);
        }
        hits.increment();
        return e.value;
      }
    }
    misses.increment();
    // one load per key: concurrent misses queue on the key and take the first one's result
    Entry<V> loaded =
        cache
            .asMap()
            .compute(key, (k, cur) -> cur != null && usable(cur, ticker.read()) ? cur : load(k));
    return loaded == null ? null : loaded.value;
  }

  /** The cached value, without loading: empty if absent, stale by tag, or negative. */
  public java.util.Optional<V> getIfPresent(K key) {
    Entry<V> e = cache.getIfPresent(key);
    if (e == null || !usable(e, ticker.read())) {
      misses.increment();
      return java.util.Optional.empty();
    }
    hits.increment();
    return java.util.Optional.ofNullable(e.value);
  }

  /** Caches {@code value} for {@code key} (cache-aside); null caches a negative entry. */
  public void put(K key, V value) {
    Entry<V> e = entry(key, value, tagEpoch.get());
    if (e.ttlNanos == 0) {
      cache.invalidate(key);
    } else {
      cache.put(key, e);
      wrote();
    }
  }

  /**
   * Writes {@code value} for {@code key} through the configured writer. Write-through: the source
   * is written first and the cache only if that succeeds (a failure throws and leaves the cache as
   * it was). Write-behind: the change is queued and cached at once. Either way, concurrent writes
   * and loads of one key are serialised, so cache and source agree on the last write.
   *
   * @throws CacheWriteException if the source write fails (write-through) or the queue has no room
   *     (write-behind)
   * @throws IllegalStateException if the cache has no writer
   */
  public void write(K key, V value) {
    Objects.requireNonNull(value, "value (use delete)");
    change(key, value);
  }

  /** Deletes {@code key} from the source (through or behind, as {@link #write}) and the cache. */
  public void delete(K key) {
    change(key, null);
  }

  private void change(K key, V value) {
    if (writeThrough == null && writeBehind == null) {
      throw new IllegalStateException("no writer configured: use put/invalidate for cache-aside");
    }
    cache
        .asMap()
        .compute(
            key,
            (k, cur) -> {
              if (writeBehind != null) {
                writeBehind.enqueue(k, value);
              } else {
                try {
                  if (value == null) {
                    writeThrough.delete(k);
                  } else {
                    writeThrough.write(k, value);
                  }
                } catch (Exception e) {
                  throw new CacheWriteException("writing " + k + " to the source failed: " + e, e);
                }
              }
              return value == null ? null : entry(k, value, tagEpoch.get());
            });
    if (value != null) {
      wrote();
    }
  }

  /** Flushes write-behind changes (waiting up to 30 s) and stops the flusher. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Flushes write-behind changes, retrying failures until {@code timeout}; returns how many changes
   * were lost (given up, or still unwritten at the deadline). Zero without write-behind.
   */
  public long close(Duration timeout) {
    return writeBehind == null ? 0 : writeBehind.close(timeout);
  }

  /** Drops {@code key}. */
  public void invalidate(K key) {
    cache.invalidate(key);
  }

  /** Drops every entry carrying {@code tag}, including entries whose load is in flight. */
  public void invalidateTag(String tag) {
    tagInvalidatedAt.put(tag, tagEpoch.incrementAndGet());
  }

  /** Drops everything. */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** Entries held (negative and tag-stale ones included until read or evicted). */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** The counters. */
  public CacheMetrics metrics() {
    return new CacheMetrics(
        hits.sum(),
        misses.sum(),
        loads.sum(),
        loadFailures.sum(),
        Duration.ofNanos(loadNanos.sum()),
        refreshes.sum(),
        evictions.sum(),
        writeBehind == null ? 0 : writeBehind.backlog());
  }

  private boolean usable(Entry<V> e, long now) {
    return e.liveAt(now) && (e.tags.isEmpty() || current(e));
  }

  private boolean current(Entry<V> e) {
    if (e.loadEpoch == tagEpoch.get()) {
      return true;
    }
    for (String t : e.tags) {
      Long at = tagInvalidatedAt.get(t);
      if (at != null && at > e.loadEpoch) {
        return false;
      }
    }
    return true;
  }

  private Entry<V> load(K key) {
    long epoch = tagEpoch.get(); // before the read: an invalidation after this marks the result
    V value;
    try {
      value = sourceValue(key);
    } catch (Exception e) {
      throw new CacheLoadException(key, e);
    }
    wrote();
    return entry(key, value, epoch);
  }

  /**
   * The value the source holds for {@code key}, as loads and refreshes both see it: a write-behind
   * change not yet written is newer than anything the source holds, so it wins over the loader.
   */
  private V sourceValue(K key) throws Exception {
    if (writeBehind != null) {
      java.util.Optional<java.util.Optional<V>> queued = writeBehind.latest(key);
      if (queued.isPresent()) {
        return queued.get().orElse(null);
      }
    }
    return timedLoad(key);
  }

  /** Calls the loader, counting the load, its failure and its time. */
  private V timedLoad(K key) throws Exception {
    long start = ticker.read();
    try {
      V value = loader.load(key);
      loads.increment();
      return value;
    } catch (Exception e) {
      loadFailures.increment();
      throw e;
    } finally {
      loadNanos.add(ticker.read() - start);
    }
  }

  /** The entry for a loaded or put value; a zero TTL means it is returned but not kept. */
  private Entry<V> entry(K key, V value, long epoch) {
    long life;
    long refresh = Long.MAX_VALUE;
    Set<String> tags = Set.of();
    if (value == null) {
      life = negativeTtl.toNanos();
    } else {
      life = jittered(ttl.apply(key, value).toNanos());
      if (refreshAfter != null) {
        refresh = refreshAfter.apply(key, value).toNanos();
      }
      if (tagger != null) {
        tags = Set.copyOf(tagger.apply(key, value));
      }
    }
    return new Entry<>(value, ticker.read(), Math.max(0, life), refresh, tags, epoch);
  }

  long jittered(long nanos) {
    if (jitter == 0 || nanos <= 0 || nanos == Long.MAX_VALUE) {
      return nanos;
    }
    return nanos - (long) (ThreadLocalRandom.current().nextDouble() * jitter * nanos);
  }

  private void refresh(K key, Entry<V> old) {
    executor.execute(
        () -> {
          long epoch = tagEpoch.get();
          V value;
          try {
            value = sourceValue(key);
          } catch (Exception e) {
            old.releaseRefresh(ticker.read() + refreshRetryNanos);
            return;
          }
          refreshes.increment();
          Entry<V> fresh = entry(key, value, epoch);
          if (fresh.ttlNanos <= 0) {
            cache.asMap().remove(key, old);
          } else {
            cache.asMap().replace(key, old, fresh); // lost to an invalidation or a put: dropped
          }
        });
  }

  /**
   * Removes expired entries once enough writes have happened since the last sweep (at least 4096,
   * and at least half the cache's size, so a sweep costs at most about two visits per write). Reads
   * never sweep.
   */
  private void wrote() {
    long n = writesSinceSweep.incrementAndGet();
    if (n >= Math.max(4096, cache.estimatedSize() / 2) && sweeping.compareAndSet(false, true)) {
      writesSinceSweep.set(0);
      try {
        executor.execute(this::sweep);
      } catch (RuntimeException rejected) {
        sweeping.set(false);
      }
    }
  }

  void sweep() {
    try {
      long now = ticker.read();
      for (Map.Entry<K, Entry<V>> e : cache.asMap().entrySet()) {
        if (!e.getValue().liveAt(now) && cache.asMap().remove(e.getKey(), e.getValue())) {
          evictions.increment();
        }
      }
    } finally {
      sweeping.set(false);
    }
  }

  /**
   * Configures a {@link ManagedCache}.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private final CacheLoader<? super K, ? extends V> loader;
    private long maximumSize = -1;
    private BiFunction<? super K, ? super V, Duration> ttl = (k, v) -> Duration.ofMinutes(5);
    private Duration negativeTtl = Duration.ZERO;
    private double jitter;
    private BiFunction<? super K, ? super V, Duration> refreshAfter;
    private Duration refreshRetry = Duration.ofSeconds(1);
    private BiFunction<? super K, ? super V, Set<String>> tagger;
    private Ticker ticker = Ticker.systemTicker();
    private Executor executor = ForkJoinPool.commonPool();
    private CacheWriter<K, V> writeThrough;
    private CacheWriter<K, V> behindWriter;
    private WriteBehindPolicy behindPolicy;

    private Builder(CacheLoader<? super K, ? extends V> loader) {
      this.loader = loader;
    }

    /** Most entries held; Caffeine's W-TinyLFU chooses what to evict. Unbounded by default. */
    public Builder<K, V> maximumSize(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("negative size " + entries);
      }
      this.maximumSize = entries;
      return this;
    }

    /** Every value lives this long after it is loaded or put; default 5 minutes. */
    public Builder<K, V> timeToLive(Duration ttl) {
      Duration d = positive(ttl);
      this.ttl = (k, v) -> d;
      return this;
    }

    /** Each value lives as long as this function says (e.g. from an HTTP max-age). */
    public Builder<K, V> timeToLive(BiFunction<? super K, ? super V, Duration> ttl) {
      this.ttl = Objects.requireNonNull(ttl);
      return this;
    }

    /** Shorten each TTL by a random fraction up to {@code fraction} (0 to 1); default 0. */
    public Builder<K, V> ttlJitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("jitter must be within [0, 1]: " + fraction);
      }
      this.jitter = fraction;
      return this;
    }

    /** How long a loader's null is remembered; default zero (not cached). */
    public Builder<K, V> negativeTimeToLive(Duration ttl) {
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("negative TTL " + ttl);
      }
      this.negativeTtl = ttl;
      return this;
    }

    /** Reload each value in the background on the first read this long after it loaded. */
    public Builder<K, V> refreshAfter(Duration after) {
      Duration d = positive(after);
      this.refreshAfter = (k, v) -> d;
      return this;
    }

    /** Per-entry refresh-ahead time. */
    public Builder<K, V> refreshAfter(BiFunction<? super K, ? super V, Duration> after) {
      this.refreshAfter = Objects.requireNonNull(after);
      return this;
    }

    /** After a failed refresh, wait this long before a read may start another; default 1 s. */
    public Builder<K, V> refreshRetry(Duration retry) {
      this.refreshRetry = positive(retry);
      return this;
    }

    /** The tags of each value, for {@link ManagedCache#invalidateTag}. */
    public Builder<K, V> tags(BiFunction<? super K, ? super V, Set<String>> tagger) {
      this.tagger = Objects.requireNonNull(tagger);
      return this;
    }

    /** {@link ManagedCache#write} writes the source first, then the cache. */
    public Builder<K, V> writeThrough(CacheWriter<K, V> writer) {
      this.writeThrough = Objects.requireNonNull(writer);
      this.behindWriter = null;
      return this;
    }

    /**
     * {@link ManagedCache#write} updates the cache at once and queues the source write, as {@code
     * policy} says (which also states the data-loss window).
     */
    public Builder<K, V> writeBehind(CacheWriter<K, V> writer, WriteBehindPolicy policy) {
      this.behindWriter = Objects.requireNonNull(writer);
      this.behindPolicy = Objects.requireNonNull(policy);
      this.writeThrough = null;
      return this;
    }

    /** The time source; default {@link Ticker#systemTicker()}. */
    public Builder<K, V> ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker);
      return this;
    }

    /** Where refreshes and Caffeine's maintenance run; default the common pool. */
    public Builder<K, V> executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor);
      return this;
    }

    private static Duration positive(Duration d) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive: " + d);
      }
      return d;
    }

    /** The cache. */
    public ManagedCache<K, V> build() {
      return new ManagedCache<>(this);
    }
  }
}
