package dev.headend.cache.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * A response held by an {@link HttpCache}, with what RFC 9111 needs to reuse it: when it was
 * requested and received, the values of the request fields its {@code Vary} names, and the
 * freshness facts computed once when it was stored.
 *
 * <p>Instances are immutable and created by the cache; {@link HttpCacheStore} implementations only
 * keep them.
 */
public final class StoredResponse {
  final HttpResponse response;
  final Instant requestTime;
  final Instant responseTime;

  /** Field names from Vary, lowercased; values from the request that caused the response. */
  final String[] varyNames;

  final String[] varyValues;
  final String[] varyRaw; // the same values as received, for a fast exact match
  // Computed when stored (RFC 9111 §4.2).
  final CacheControl cc; // the effective directives: a targeted field's, else Cache-Control's
  final long lifetimeSeconds;
  final long correctedInitialAgeSeconds;
  final long dateSeconds;
  final EntityTag etag;
  final long lastModifiedSeconds; // HttpDates.INVALID if none
  final long weight;

  StoredResponse(
      HttpResponse response,
      Instant requestTime,
      Instant responseTime,
      String[] varyNames,
      String[] varyValues,
      String[] varyRaw,
      CacheControl cc,
      long lifetimeSeconds,
      long correctedInitialAgeSeconds,
      long dateSeconds,
      EntityTag etag,
      long lastModifiedSeconds) {
    this.response = response;
    this.requestTime = requestTime;
    this.responseTime = responseTime;
    this.varyNames = varyNames;
    this.varyValues = varyValues;
    this.varyRaw = varyRaw;
    this.cc = cc;
    this.lifetimeSeconds = lifetimeSeconds;
    this.correctedInitialAgeSeconds = correctedInitialAgeSeconds;
    this.dateSeconds = dateSeconds;
    this.etag = etag;
    this.lastModifiedSeconds = lastModifiedSeconds;
    long w = 256 + response.contentLength();
    for (int i = 0; i < response.fields().size(); i++) {
      w += 32 + response.fields().name(i).length() + response.fields().value(i).length();
    }
    this.weight = w;
  }

  /** The stored response, as it will be served (without {@code Age}). */
  public HttpResponse response() {
    return response;
  }

  /** When the request that produced it was sent. */
  public Instant requestTime() {
    return requestTime;
  }

  /** When it was received. */
  public Instant responseTime() {
    return responseTime;
  }

  /** Its freshness lifetime (RFC 9111 §4.2.1), explicit or heuristic. */
  public Duration freshnessLifetime() {
    return Duration.ofSeconds(lifetimeSeconds);
  }

  /** Its current age at {@code now} (RFC 9111 §4.2.3), in whole seconds. */
  public long currentAgeSeconds(Instant now) {
    long resident = Math.max(0, now.getEpochSecond() - responseTime.getEpochSecond());
    return saturatedAdd(correctedInitialAgeSeconds, resident);
  }

  /** Whether it is fresh at {@code now}: lifetime greater than current age. */
  public boolean isFresh(Instant now) {
    return lifetimeSeconds > currentAgeSeconds(now);
  }

  /** Its entity tag, if it has one. */
  public Optional<EntityTag> entityTag() {
    return Optional.ofNullable(etag);
  }

  /** An estimate of the memory it holds, in bytes, for weighing in a bounded store. */
  public long weight() {
    return weight;
  }

  boolean sameSecondaryKey(StoredResponse other) {
    return Arrays.equals(varyNames, other.varyNames) && Arrays.equals(varyValues, other.varyValues);
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  @Override
  public String toString() {
    return response.status()
        + " stored at "
        + responseTime
        + ", lifetime "
        + lifetimeSeconds
        + "s, initial age "
        + correctedInitialAgeSeconds
        + "s";
  }
}
