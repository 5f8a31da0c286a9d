package dev.headend.jwt;

import dev.headend.jwt.JwtException.Reason;
import dev.headend.ratelimit.Limit;
import dev.headend.ratelimit.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A JWK Set fetched through a caller-supplied function (this class does no I/O of its own) and
 * cached:
 *
 * <ul>
 *   <li>fresh for {@code timeToLive}; within {@code refreshAhead} of the end, one background
 *       refresh runs while callers keep the cached set;
 *   <li>after the end, the next caller refetches; if that fails the old set is still served for
 *       {@code staleIfError}, with refetches at most once per {@code retryAfterError};
 *   <li>a token naming an unknown {@code kid} triggers a refetch (the issuer may have rotated its
 *       keys), rate-limited so a flood of made-up kids cannot turn into a flood of fetches.
 * </ul>
 *
 * <p>Concurrent callers that find no usable set wait for one fetch rather than each making their
 * own.
 *
 * <pre>{@code
 * HttpClient http = HttpClient.newHttpClient();
 * JwkSource keys = CachedJwkSource.builder(() -> http.send(
 *         HttpRequest.newBuilder(URI.create("https://id.example.net/jwks.json")).build(),
 *         HttpResponse.BodyHandlers.ofString()).body())
 *     .build();
 * }</pre>
 */
public final class CachedJwkSource implements JwkSource {
  /** Fetches the JWK Set document (JSON text). */
  @FunctionalInterface
  public interface Fetcher {
    /** The current JWK Set JSON; any exception counts as a failed fetch. */
    String fetch() throws Exception;
  }

  private final Fetcher fetcher;
  private final Duration timeToLive;
  private final Duration refreshAhead;
  private final Duration staleIfError;
  private final Duration retryAfterError;
  private final Clock clock;
  private final Executor executor;
  private final RateLimiter unknownKidRefreshes;
  private final ReentrantLock fetchLock = new ReentrantLock();
  private final AtomicBoolean backgroundRefresh = new AtomicBoolean();

  private volatile Snapshot snapshot;
  private volatile Instant lastFailure;
  private volatile String lastError = "never fetched";

  private static final class Snapshot {
    final JwkSet set;
    final Instant fetchedAt;

    Snapshot(JwkSet set, Instant fetchedAt) {
      this.set = set;
      this.fetchedAt = fetchedAt;
    }
  }

  private CachedJwkSource(Builder b) {
    this.fetcher = b.fetcher;
    this.timeToLive = b.timeToLive;
    this.refreshAhead = b.refreshAhead;
    this.staleIfError = b.staleIfError;
    this.retryAfterError = b.retryAfterError;
    this.clock = b.clock;
    this.executor = b.executor;
    Instant origin = clock.instant();
    this.unknownKidRefreshes =
        RateLimiter.of(
            Limit.tokenBucket(b.unknownKidBurst, 1, b.unknownKidInterval),
            () -> Duration.between(origin, clock.instant()).toNanos());
  }

  /** A builder for a source fetching with {@code fetcher}. */
  public static Builder builder(Fetcher fetcher) {
    return new Builder(fetcher);
  }

  @Override
  public JwkSet current() throws JwtException {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (s != null) {
      Instant expires = s.fetchedAt.plus(timeToLive);
      if (now.isBefore(expires)) {
        if (!now.isBefore(expires.minus(refreshAhead))) {
          refreshInBackground();
        }
        return s.set;
      }
    }
    return refreshNow(s, false);
  }

  @Override
  public JwkSet currentAfterUnknownKeyId(String kid) throws JwtException {
    Snapshot s = snapshot;
    if (s == null || !unknownKidRefreshes.tryAcquire(1)) {
      return current();
    }
    return refreshNow(s, true);
  }

  /** When the cached set was fetched, if ever. */
  public java.util.Optional<Instant> fetchedAt() {
    Snapshot s = snapshot;
    return s == null ? java.util.Optional.empty() : java.util.Optional.of(s.fetchedAt);
  }

  private void refreshInBackground() {
    if (backgroundRefresh.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              try {
                fetchUnderLock(snapshot, true);
              } finally {
                backgroundRefresh.set(false);
              }
            });
      } catch (RuntimeException rejected) {
        backgroundRefresh.set(false);
        lastError = "background refresh rejected: " + rejected;
      }
    }
  }

  /**
   * Fetches unless another thread did so since {@code seen} was read; on failure serves the stale
   * set within its window.
   */
  private JwkSet refreshNow(Snapshot seen, boolean force) throws JwtException {
    Snapshot s = fetchUnderLock(seen, force);
    Instant now = clock.instant();
    if (s != null && now.isBefore(s.fetchedAt.plus(timeToLive).plus(staleIfError))) {
      return s.set;
    }
    throw new JwtException(
        Reason.KEY_SOURCE_UNAVAILABLE,
        s == null
            ? "JWK Set not fetched: " + lastError
            : "JWK Set from " + s.fetchedAt + " is past its stale window: " + lastError);
  }

  private Snapshot fetchUnderLock(Snapshot seen, boolean force) {
    // while another caller's fetch is in flight (it may hang), a set still in its stale window is
    // served rather than waited for; only callers with nothing usable queue behind the fetch
    if (seen != null
        && clock.instant().isBefore(seen.fetchedAt.plus(timeToLive).plus(staleIfError))) {
      if (!fetchLock.tryLock()) {
        return seen;
      }
    } else {
      fetchLock.lock();
    }
    try {
      Snapshot s = snapshot;
      Instant now = clock.instant();
      if (s != seen && s != null) {
        return s; // another caller fetched while this one waited
      }
      if (!force && s != null && now.isBefore(s.fetchedAt.plus(timeToLive).minus(refreshAhead))) {
        return s;
      }
      Instant failed = lastFailure;
      if (failed != null && now.isBefore(failed.plus(retryAfterError))) {
        return s;
      }
      try {
        String json = fetcher.fetch();
        JwkSet set = JwkSet.parse(Objects.requireNonNull(json, "fetcher returned null"));
        Snapshot fresh = new Snapshot(set, clock.instant());
        snapshot = fresh;
        lastFailure = null;
        return fresh;
      } catch (Exception e) {
        lastFailure = clock.instant();
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        return s;
      }
    } finally {
      fetchLock.unlock();
    }
  }

  /** Configures a {@link CachedJwkSource}. */
  public static final class Builder {
    private final Fetcher fetcher;
    private Duration timeToLive = Duration.ofMinutes(5);
    private Duration refreshAhead = Duration.ofSeconds(30);
    private Duration staleIfError = Duration.ofHours(1);
    private Duration retryAfterError = Duration.ofSeconds(10);
    private long unknownKidBurst = 1;
    private Duration unknownKidInterval = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private Executor executor = ForkJoinPool.commonPool();

    private Builder(Fetcher fetcher) {
      this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
    }

    /** How long a fetched set is fresh; default 5 minutes. */
    public Builder timeToLive(Duration ttl) {
      this.timeToLive = positive(ttl);
      return this;
    }

    /** How long before the end of freshness a background refresh starts; default 30 s. */
    public Builder refreshAhead(Duration d) {
      this.refreshAhead = notNegative(d);
      return this;
    }

    /** How long past freshness a set is still served while fetches fail; default 1 hour. */
    public Builder staleIfError(Duration d) {
      this.staleIfError = notNegative(d);
      return this;
    }

    /** Least time between fetches after a failure; default 10 s. */
    public Builder retryAfterError(Duration d) {
      this.retryAfterError = notNegative(d);
      return this;
    }

    /** Refetches for unknown kids: {@code burst} at once, then one per {@code interval}. */
    public Builder unknownKeyIdRefetches(long burst, Duration interval) {
      if (burst < 1) {
        throw new IllegalArgumentException("burst must be at least 1");
      }
      this.unknownKidBurst = burst;
      this.unknownKidInterval = positive(interval);
      return this;
    }

    /** The clock; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * Where refresh-ahead fetches run; default the common pool. {@code Runnable::run} runs them
     * inline.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor);
      return this;
    }

    private static Duration positive(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("must be positive: " + d);
      }
      return d;
    }

    private static Duration notNegative(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative: " + d);
      }
      return d;
    }

    /** The source; nothing is fetched until the first token arrives. */
    public CachedJwkSource build() {
      if (refreshAhead.compareTo(timeToLive) >= 0) {
        throw new IllegalArgumentException("refreshAhead must be shorter than timeToLive");
      }
      return new CachedJwkSource(this);
    }
  }
}
