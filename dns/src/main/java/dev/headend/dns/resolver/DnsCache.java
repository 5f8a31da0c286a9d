package dev.headend.dns.resolver;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * A resolver's cache of RRsets and negative answers, by TTL, bounded in size (Caffeine's W-TinyLFU
 * decides what to keep). Time is never read from a clock: every call takes {@code now}, so the
 * resolver engine that owns it stays deterministic. Thread-safe, so resolver engines on several
 * threads can share one cache.
 *
 * <ul>
 *   <li>TTLs are clamped to [{@code minTtl}, {@code maxTtl}]; negative answers (RFC 2308) live for
 *       min(SOA TTL, SOA MINIMUM), clamped to {@code maxNegativeTtl} (§5: hours, not days).
 *   <li>Data is ranked by where it came from (RFC 2181 §5.4.1): an authoritative answer is not
 *       replaced by a referral's NS or by glue while it is fresh.
 *   <li>An NXDOMAIN also answers for every name below it (RFC 8020 §2).
 *   <li>With {@code serveStale}, expired data is kept that much longer and handed out, marked
 *       stale, when fresh resolution fails (RFC 8767), with a 30 s TTL.
 *   <li>Each hit counts, so a resolver can refresh popular entries before they expire ({@link
 *       Entry#wantsPrefetch}).
 * </ul>
 */
public final class DnsCache {
  /** The TTL put on stale answers (RFC 8767 §4 recommends 30 s). */
  public static final long STALE_TTL = 30;

  private static final int NXDOMAIN_TYPE = -1; // key type of a name-wide NXDOMAIN entry

  /** Where cached data came from, lowest trust first (RFC 2181 §5.4.1). */
  public enum Credibility {
    /** Additional section data: glue and extras. */
    ADDITIONAL,
    /** Authority section data, as in a referral's NS RRset. */
    AUTHORITY,
    /** The answer section of an authoritative answer. */
    ANSWER
  }

  /** What a lookup found. */
  public enum Kind {
    /** The RRset. */
    POSITIVE,
    /** The name exists but has no data of the type (NODATA). */
    NODATA,
    /** The name does not exist (NXDOMAIN), possibly through an ancestor's NXDOMAIN. */
    NXDOMAIN
  }

  private record Key(Name name, int type) {}

  /** A cached RRset or negative answer. Immutable but for its hit counter. */
  public static final class Entry {
    private final Kind kind;
    private final RRset rrset; // POSITIVE only
    private final SOARecord soa; // negative only; may be null
    private final Credibility credibility;
    private final long storedAt; // engine time, epoch millis
    private final long expiresAt;
    private final long ttl; // seconds, as stored after clamping
    private final AtomicInteger hits = new AtomicInteger();

    private Entry(
        Kind kind, RRset rrset, SOARecord soa, Credibility credibility, long storedAt, long ttl) {
      this.kind = kind;
      this.rrset = rrset;
      this.soa = soa;
      this.credibility = credibility;
      this.storedAt = storedAt;
      this.ttl = ttl;
      this.expiresAt = storedAt + ttl * 1000;
    }

    /** What kind of entry this is. */
    public Kind kind() {
      return kind;
    }

    /** Where the data came from. */
    public Credibility credibility() {
      return credibility;
    }

    /** The TTL the entry was stored with, in seconds. */
    public long ttl() {
      return ttl;
    }

    /** Whether it has expired at {@code now} (then only serve-stale may use it). */
    public boolean isStale(Instant now) {
      return now.toEpochMilli() >= expiresAt;
    }

    /** Seconds of life left at {@code now} (0 once stale). */
    public long remainingTtl(Instant now) {
      return Math.max(0, (expiresAt - now.toEpochMilli()) / 1000);
    }

    /**
     * The records with their TTLs counted down to {@code now} ({@value DnsCache#STALE_TTL} s when
     * stale), or an empty list for a negative entry.
     */
    public List<Record> records(Instant now) {
      if (rrset == null) {
        return List.of();
      }
      long left = isStale(now) ? STALE_TTL : remainingTtl(now);
      List<Record> out = new ArrayList<>(rrset.size());
      for (Record r : rrset.rrs(false)) {
        out.add(withTtl(r, left));
      }
      return out;
    }

    /** The SOA of a negative entry with its TTL counted down, or null. */
    public SOARecord soa(Instant now) {
      if (soa == null) {
        return null;
      }
      return (SOARecord) withTtl(soa, isStale(now) ? STALE_TTL : remainingTtl(now));
    }

    /** How many lookups have found this entry. */
    public int hits() {
      return hits.get();
    }

    /**
     * Whether the entry is popular ({@code minHits} lookups) and in the last tenth of its life, so
     * a fresh copy should be fetched before it expires.
     */
    public boolean wantsPrefetch(Instant now, int minHits) {
      long left = expiresAt - now.toEpochMilli();
      return hits.get() >= minHits && left > 0 && left * 10 < ttl * 1000;
    }
  }

  private final Cache<Key, Entry> cache;
  private final AtomicLong ticker = new AtomicLong(); // nanos of the latest `now` seen
  private final long minTtl;
  private final long maxTtl;
  private final long maxNegativeTtl;
  private final long staleMillis;

  private DnsCache(Builder b) {
    this.minTtl = b.minTtl.toSeconds();
    this.maxTtl = b.maxTtl.toSeconds();
    this.maxNegativeTtl = b.maxNegativeTtl.toSeconds();
    this.staleMillis = b.serveStale.toMillis();
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(b.maximumEntries)
            .executor(Runnable::run) // maintenance on the caller: no hidden threads
            .ticker(ticker::get)
            .expireAfter(
                new Expiry<Key, Entry>() {
                  @Override
                  public long expireAfterCreate(Key k, Entry e, long nowNanos) {
                    return lifetimeNanos(e, nowNanos);
                  }

                  @Override
                  public long expireAfterUpdate(Key k, Entry e, long nowNanos, long current) {
                    return lifetimeNanos(e, nowNanos);
                  }

                  @Override
                  public long expireAfterRead(Key k, Entry e, long nowNanos, long current) {
                    return current;
                  }
                })
            .build();
  }

  /** A builder with the defaults on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Stores an RRset. Ignored if a fresh entry of higher credibility holds the same name and type.
   */
  public void put(Instant now, RRset rrset, Credibility credibility) {
    long t = tick(now);
    long ttl = clamp(rrset.getTTL(), minTtl, maxTtl);
    Key key = new Key(rrset.getName(), rrset.getType());
    cache
        .asMap()
        .compute(
            key,
            (k, old) ->
                old != null && !old.isStale(now) && old.credibility.compareTo(credibility) > 0
                    ? old
                    : new Entry(Kind.POSITIVE, rrset, null, credibility, t, ttl));
  }

  /**
   * Stores a negative answer: NXDOMAIN for {@code name} (any type, and every name below it), or
   * NODATA for {@code name} and {@code type}. The TTL comes from {@code soa} (RFC 2308 §5); with no
   * SOA the answer is not cached (§5: it MUST NOT be).
   */
  public void putNegative(Instant now, Name name, int type, boolean nxdomain, SOARecord soa) {
    if (soa == null) {
      return;
    }
    long t = tick(now);
    long ttl = clamp(Math.min(soa.getTTL(), soa.getMinimum()), 0, maxNegativeTtl);
    ttl = Math.max(ttl, minTtl);
    Kind kind = nxdomain ? Kind.NXDOMAIN : Kind.NODATA;
    cache.put(
        new Key(name, nxdomain ? NXDOMAIN_TYPE : type),
        new Entry(kind, null, soa, Credibility.ANSWER, t, ttl));
  }

  /**
   * The entry for {@code name} and {@code type}, fresh or (with serve-stale) stale, or null. An
   * NXDOMAIN cached for the name or any ancestor answers for it.
   */
  public Entry get(Instant now, Name name, int type) {
    tick(now);
    Entry e = cache.getIfPresent(new Key(name, type));
    if (e == null || e.isStale(now)) {
      Entry nx = nxdomainAtOrAbove(now, name);
      if (nx != null) {
        e = nx;
      }
    }
    if (e == null || (e.isStale(now) && staleMillis == 0)) {
      return null;
    }
    e.hits.incrementAndGet();
    return e;
  }

  /** Like {@link #get} but only fresh entries. */
  public Entry getFresh(Instant now, Name name, int type) {
    Entry e = peekFresh(now, name, type);
    if (e != null) {
      e.hits.incrementAndGet();
    }
    return e;
  }

  /** Like {@link #get} but only fresh entries, and without counting a hit. */
  public Entry peekFresh(Instant now, Name name, int type) {
    tick(now);
    Entry e = cache.getIfPresent(new Key(name, type));
    if (e == null || e.isStale(now)) {
      e = nxdomainAtOrAbove(now, name);
    }
    return e == null || e.isStale(now) ? null : e;
  }

  /** Removes everything. */
  public void clear() {
    cache.invalidateAll();
  }

  /** Entries held now (fresh and stale), after pending maintenance. */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  private Entry nxdomainAtOrAbove(Instant now, Name name) {
    for (int i = 0; i < name.labels() - 1; i++) {
      Entry nx = cache.getIfPresent(new Key(i == 0 ? name : new Name(name, i), NXDOMAIN_TYPE));
      if (nx != null && (!nx.isStale(now) || staleMillis > 0)) {
        return nx;
      }
    }
    return null;
  }

  private long lifetimeNanos(Entry e, long nowNanos) {
    long endMillis = e.expiresAt + staleMillis;
    return Math.max(0, endMillis * 1_000_000 - nowNanos);
  }

  /** Moves the cache's clock to {@code now} (never backwards) and returns it in epoch millis. */
  private long tick(Instant now) {
    Objects.requireNonNull(now, "now");
    long millis = now.toEpochMilli();
    ticker.accumulateAndGet(millis * 1_000_000, Math::max);
    return millis;
  }

  private static long clamp(long v, long min, long max) {
    return Math.max(min, Math.min(max, v));
  }

  /** A copy of {@code r} with another TTL; names keep their case. */
  static Record withTtl(Record r, long ttl) {
    byte[] wire = r.toWire(Section.ANSWER);
    int at = r.getName().length() + 4;
    wire[at] = (byte) (ttl >>> 24);
    wire[at + 1] = (byte) (ttl >>> 16);
    wire[at + 2] = (byte) (ttl >>> 8);
    wire[at + 3] = (byte) ttl;
    try {
      return Record.fromWire(wire, Section.ANSWER);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a record failed to re-read its own wire form", e);
    }
  }

  /** Configures a {@link DnsCache}. */
  public static final class Builder {
    private long maximumEntries = 100_000;
    private Duration minTtl = Duration.ZERO;
    private Duration maxTtl = Duration.ofDays(1);
    private Duration maxNegativeTtl = Duration.ofHours(1);
    private Duration serveStale = Duration.ZERO;

    private Builder() {}

    /** Most entries kept. Default: 100,000. */
    public Builder maximumEntries(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maximumEntries must be >= 1: " + n);
      }
      this.maximumEntries = n;
      return this;
    }

    /** Shortest TTL kept (longer than the data says, if need be). Default: 0. */
    public Builder minTtl(Duration ttl) {
      this.minTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /** Longest TTL kept. Default: 1 day. */
    public Builder maxTtl(Duration ttl) {
      this.maxTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /** Longest negative TTL kept (RFC 2308 §5 suggests 1-3 hours). Default: 1 hour. */
    public Builder maxNegativeTtl(Duration ttl) {
      this.maxNegativeTtl = Objects.requireNonNull(ttl);
      return this;
    }

    /**
     * Keep expired data this long to answer with when resolution fails (RFC 8767). Default: off.
     */
    public Builder serveStale(Duration window) {
      this.serveStale = Objects.requireNonNull(window);
      return this;
    }

    /** The cache. */
    public DnsCache build() {
      if (minTtl.compareTo(maxTtl) > 0) {
        throw new IllegalArgumentException("minTtl " + minTtl + " above maxTtl " + maxTtl);
      }
      return new DnsCache(this);
    }
  }
}
