package dev.headend.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RFC 9111 rules, one test each, on the engine without any I/O. */
class HttpCacheTest {
  private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
  private static final String URL = "http://origin.test/a";

  private final HttpCache shared = HttpCache.builder().build();
  private final HttpCache privateCache = HttpCache.builder().shared(false).build();

  private static HttpRequest get(String... fields) {
    return new HttpRequest("GET", URI.create(URL), HttpFields.of(fields));
  }

  private static HttpResponse ok(String... fields) {
    return HttpResponse.of(200, HttpFields.of(fields), "body");
  }

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  /** Misses, forwards, completes with {@code response} at T0; returns what the client got. */
  private static HttpResponse prime(HttpCache cache, HttpRequest req, HttpResponse response) {
    Decision d = cache.lookup(req, T0);
    assertEquals(Decision.Action.FORWARD, d.action());
    return cache.complete(d, response, T0, T0);
  }

  private static String date(long seconds) {
    return HttpDates.format(at(seconds));
  }

  @Test
  void servesFreshResponseWithAge() {
    prime(shared, get(), ok("Cache-Control", "max-age=60", "Date", date(0)));
    Decision d = shared.lookup(get(), at(10));
    assertEquals(Decision.Action.SERVE, d.action());
    assertEquals("10", d.response().fields().first("Age").orElseThrow());
    assertEquals(date(0), d.response().fields().first("Date").orElseThrow());
  }

  @Test
  void staleResponseIsValidatedWithItsValidators() {
    prime(
        shared,
        get(),
        ok(
            "Cache-Control",
            "max-age=60",
            "Date",
            date(0),
            "ETag",
            "\"v1\"",
            "Last-Modified",
            date(-3600)));
    Decision d = shared.lookup(get(), at(61));
    assertEquals(Decision.Action.VALIDATE, d.action());
    HttpFields up = d.upstreamRequest().fields();
    assertEquals("\"v1\"", up.first("If-None-Match").orElseThrow());
    assertEquals(date(-3600), up.first("If-Modified-Since").orElseThrow());
  }

  @Test
  void mergesNotModifiedIntoStoredResponseAndRefreshesIt() {
    prime(
        shared,
        get(),
        ok("Cache-Control", "max-age=60", "Date", date(0), "ETag", "\"v1\"", "X-Kept", "a"));
    Decision d = shared.lookup(get(), at(100));
    HttpResponse notModified =
        new HttpResponse(
            304,
            "Not Modified",
            HttpFields.of(
                "Date",
                date(100),
                "ETag",
                "\"v1\"",
                "Cache-Control",
                "max-age=600",
                "Content-Length",
                "999"),
            null);
    HttpResponse out = shared.complete(d, notModified, at(100), at(100));
    assertEquals(200, out.status());
    assertEquals("body", StandardCharsets.UTF_8.decode(out.content()).toString());
    assertEquals("max-age=600", out.fields().first("Cache-Control").orElseThrow());
    assertEquals("a", out.fields().first("X-Kept").orElseThrow());
    assertFalse(out.fields().first("Content-Length").isPresent(), "304 never updates framing");
    assertEquals(Decision.Action.SERVE, shared.lookup(get(), at(500)).action());
  }

  @Test
  void currentAgeFollowsSection423() {
    // Date 10 s before the response arrived, Age 5 from upstream, 2 s of response delay:
    // apparent_age 10, corrected_age_value 7, corrected_initial_age 10; +20 s resident.
    Decision d = shared.lookup(get(), at(0));
    shared.complete(
        d, ok("Cache-Control", "max-age=100", "Date", date(-10), "Age", "5"), at(-2), at(0));
    assertEquals("30", shared.lookup(get(), at(20)).response().fields().first("Age").orElseThrow());
  }

  @Test
  void sharedCachePrefersSMaxAgePrivateCacheIgnoresIt() {
    HttpResponse r = ok("Cache-Control", "max-age=1, s-maxage=100", "Date", date(0));
    prime(shared, get(), r);
    prime(privateCache, get(), r);
    assertEquals(Decision.Action.SERVE, shared.lookup(get(), at(50)).action());
    assertEquals(Decision.Action.VALIDATE, privateCache.lookup(get(), at(50)).action());
  }

  @Test
  void sharedCacheDoesNotStorePrivateButPrivateCacheDoes() {
    HttpResponse r = ok("Cache-Control", "private, max-age=100", "Date", date(0));
    prime(shared, get(), r);
    prime(privateCache, get(), r);
    assertEquals(Decision.Action.FORWARD, shared.lookup(get(), at(1)).action());
    assertEquals(Decision.Action.SERVE, privateCache.lookup(get(), at(1)).action());
  }

  @Test
  void noStoreInResponseOrRequestPreventsStoring() {
    prime(shared, get(), ok("Cache-Control", "no-store, max-age=100"));
    assertEquals(Decision.Action.FORWARD, shared.lookup(get(), at(1)).action());
    HttpCache other = HttpCache.builder().build();
    prime(other, get("Cache-Control", "no-store"), ok("Cache-Control", "max-age=100"));
    assertEquals(Decision.Action.FORWARD, other.lookup(get(), at(1)).action());
  }

  @Test
  void mustUnderstandOverridesNoStoreForUnderstoodStatus() {
    prime(shared, get(), ok("Cache-Control", "max-age=100, no-store, must-understand"));
    assertEquals(Decision.Action.SERVE, shared.lookup(get(), at(1)).action());
  }

  @Test
  void noCacheResponseIsStoredButAlwaysValidated() {
    prime(shared, get(), ok("Cache-Control", "no-cache, max-age=100", "ETag", "\"x\""));
    assertEquals(Decision.Action.VALIDATE, shared.lookup(get(), at(1)).action());
  }

  @Test
  void requestNoCacheAndPragmaForceValidation() {
    prime(shared, get(), ok("Cache-Control", "max-age=100", "ETag", "\"x\""));
    assertEquals(
        Decision.Action.VALIDATE, shared.lookup(get("Cache-Control", "no-cache"), at(1)).action());
    assertEquals(
        Decision.Action.VALIDATE, shared.lookup(get("Pragma", "no-cache"), at(1)).action());
    // Pragma is ignored when Cache-Control is present (RFC 9111 §5.4).
    assertEquals(
        Decision.Action.SERVE,
        shared.lookup(get("Pragma", "no-cache", "Cache-Control", "max-stale"), at(1)).action());
  }

  @Test
  void requestMaxAgeMinFreshAndMaxStale() {
    prime(shared, get(), ok("Cache-Control", "max-age=100", "Date", date(0)));
    assertEquals(
        Decision.Action.VALIDATE,
        shared.lookup(get("Cache-Control", "max-age=5"), at(10)).action());
    assertEquals(
        Decision.Action.VALIDATE,
        shared.lookup(get("Cache-Control", "min-fresh=95"), at(10)).action());
    assertEquals(
        Decision.Action.SERVE,
        shared.lookup(get("Cache-Control", "max-stale=50"), at(140)).action());
    assertEquals(
        Decision.Action.VALIDATE,
        shared.lookup(get("Cache-Control", "max-stale=10"), at(140)).action());
  }

  @Test
  void mustRevalidateForbidsServingStaleEvenWithMaxStale() {
    prime(shared, get(), ok("Cache-Control", "max-age=10, must-revalidate", "Date", date(0)));
    Decision d = shared.lookup(get("Cache-Control", "max-stale"), at(20));
    assertEquals(Decision.Action.VALIDATE, d.action());
    assertEquals(502, shared.fail(d, at(20)).status());
  }

  @Test
  void disconnectedCacheMayServeStale() {
    prime(shared, get(), ok("Cache-Control", "max-age=10", "Date", date(0)));
    Decision d = shared.lookup(get(), at(20));
    HttpResponse out = shared.fail(d, at(20));
    assertEquals(200, out.status());
    assertEquals("20", out.fields().first("Age").orElseThrow());
  }

  @Test
  void onlyIfCachedGives504OnMiss() {
    Decision d = shared.lookup(get("Cache-Control", "only-if-cached"), T0);
    assertEquals(Decision.Action.SERVE, d.action());
    assertEquals(504, d.response().status());
  }

  @Test
  void staleWhileRevalidateServesAndSchedulesValidation() {
    prime(
        shared,
        get(),
        ok("Cache-Control", "max-age=10, stale-while-revalidate=30", "Date", date(0)));
    Decision d = shared.lookup(get(), at(25));
    assertEquals(Decision.Action.SERVE, d.action());
    assertTrue(d.background().isPresent());
    assertEquals(Decision.Action.VALIDATE, d.background().get().action());
    assertEquals(Decision.Action.VALIDATE, shared.lookup(get(), at(45)).action());
  }

  @Test
  void staleIfErrorServesStoredResponseOn5xx() {
    prime(shared, get(), ok("Cache-Control", "max-age=10, stale-if-error=60", "Date", date(0)));
    Decision d = shared.lookup(get(), at(20));
    HttpResponse error = HttpResponse.of(503, HttpFields.empty(), "down");
    assertEquals(200, shared.complete(d, error, at(20), at(20)).status());
    Decision late = shared.lookup(get(), at(200));
    assertEquals(503, shared.complete(late, error, at(200), at(200)).status());
  }

  @Test
  void heuristicFreshnessIsTenPercentOfLastModifiedAge() {
    prime(shared, get(), ok("Date", date(0), "Last-Modified", date(-1000)));
    assertEquals(Decision.Action.SERVE, shared.lookup(get(), at(99)).action());
    assertEquals(Decision.Action.VALIDATE, shared.lookup(get(), at(101)).action());
  }

  @Test
  void heuristicsOnlyForHeuristicallyCacheableStatus() {
    Decision d = shared.lookup(get(), T0);
    shared.complete(
        d,
        HttpResponse.of(
            202, HttpFields.of("Date", date(0), "Last-Modified", date(-10000)), "accepted"),
        T0,
        T0);
    assertEquals(Decision.Action.FORWARD, shared.lookup(get(), at(1)).action());
  }

  @Test
  void invalidExpiresMeansStale() {
    prime(shared, get(), ok("Expires", "0", "Date", date(0), "ETag", "\"e\""));
    assertEquals(Decision.Action.VALIDATE, shared.lookup(get(), at(1)).action());
  }

  @Test
  void expiresCountsFromDate() {
    prime(shared, get(), ok("Expires", date(100), "Date", date(0)));
    assertEquals(Decision.Action.SERVE, shared.lookup(get(), at(99)).action());
  }

  @Test
  void authorizationRequestsNotReusedBySharedCacheUnlessAllowed() {
    prime(shared, get("Authorization", "Bearer x"), ok("Cache-Control", "max-age=100"));
    assertEquals(Decision.Action.FORWARD, shared.lookup(get(), at(1)).action());
    HttpCache other = HttpCache.builder().build();
    prime(other, get("Authorization", "Bearer x"), ok("Cache-Control", "max-age=100, public"));
    assertEquals(Decision.Action.SERVE, other.lookup(get(), at(1)).action());
  }

  @Test
  void varySelectsVariantsAndStarNeverMatches() {
    prime(
        shared,
        get("Accept-Language", "en, fr"),
        ok("Cache-Control", "max-age=100", "Vary", "Accept-Language"));
    assertEquals(
        Decision.Action.SERVE, shared.lookup(get("Accept-Language", "fr,en"), at(1)).action());
    assertEquals(
        Decision.Action.FORWARD, shared.lookup(get("Accept-Language", "de"), at(1)).action());
    assertEquals(Decision.Action.FORWARD, shared.lookup(get(), at(1)).action());
    HttpCache other = HttpCache.builder().build();
    prime(other, get(), ok("Cache-Control", "max-age=100", "Vary", "*"));
    assertEquals(Decision.Action.FORWARD, other.lookup(get(), at(1)).action());
  }

  @Test
  void unsafeMethodInvalidatesTargetAndSameOriginLocation() {
    prime(shared, get(), ok("Cache-Control", "max-age=100"));
    HttpRequest other = HttpRequest.get("http://origin.test/b");
    shared.complete(shared.lookup(other, T0), ok("Cache-Control", "max-age=100"), T0, T0);
    HttpRequest post = new HttpRequest("POST", URI.create(URL), HttpFields.empty());
    Decision d = shared.lookup(post, at(1));
    assertEquals(Decision.Action.FORWARD, d.action());
    shared.complete(d, HttpResponse.of(201, HttpFields.of("Location", "/b"), ""), at(1), at(1));
    assertEquals(Decision.Action.FORWARD, shared.lookup(get(), at(2)).action());
    assertEquals(Decision.Action.FORWARD, shared.lookup(other, at(2)).action());
  }

  @Test
  void failedUnsafeRequestDoesNotInvalidate() {
    prime(shared, get(), ok("Cache-Control", "max-age=100"));
    HttpRequest delete = new HttpRequest("DELETE", URI.create(URL), HttpFields.empty());
    Decision d = shared.lookup(delete, at(1));
    shared.complete(d, HttpResponse.of(500, HttpFields.empty(), ""), at(1), at(1));
    assertEquals(Decision.Action.SERVE, shared.lookup(get(), at(2)).action());
  }

  @Test
  void clientConditionalAnsweredFromCacheWith304() {
    prime(shared, get(), ok("Cache-Control", "max-age=100", "ETag", "\"t\"", "X-Other", "1"));
    HttpResponse r = shared.lookup(get("If-None-Match", "W/\"t\""), at(1)).response();
    assertEquals(304, r.status());
    assertEquals("\"t\"", r.fields().first("ETag").orElseThrow());
    assertFalse(r.fields().contains("X-Other"));
    assertEquals(0, r.contentLength());
  }

  @Test
  void singleRangeServedFromStoredResponse() {
    prime(
        shared,
        get(),
        HttpResponse.of(200, HttpFields.of("Cache-Control", "max-age=100"), "0123456789"));
    HttpResponse r = shared.lookup(get("Range", "bytes=2-4"), at(1)).response();
    assertEquals(206, r.status());
    assertEquals("bytes 2-4/10", r.fields().first("Content-Range").orElseThrow());
    assertEquals("234", StandardCharsets.UTF_8.decode(r.content()).toString());
    assertEquals(
        "789",
        StandardCharsets.UTF_8
            .decode(shared.lookup(get("Range", "bytes=-3"), at(1)).response().content())
            .toString());
    assertEquals(416, shared.lookup(get("Range", "bytes=10-"), at(1)).response().status());
    assertEquals(200, shared.lookup(get("Range", "bytes=0-1,3-4"), at(1)).response().status());
    assertEquals(
        200,
        shared
            .lookup(get("Range", "bytes=0-1", "If-Range", "\"other\""), at(1))
            .response()
            .status());
  }

  @Test
  void headIsServedFromStoredGetWithoutContent() {
    prime(shared, get(), ok("Cache-Control", "max-age=100"));
    HttpRequest head = new HttpRequest("HEAD", URI.create(URL), HttpFields.empty());
    HttpResponse r = shared.lookup(head, at(1)).response();
    assertEquals(200, r.status());
    assertEquals(0, r.contentLength());
  }

  @Test
  void headResponseFreshensStoredGet() {
    prime(shared, get(), ok("Cache-Control", "max-age=10", "Date", date(0), "X-V", "1"));
    HttpRequest head = new HttpRequest("HEAD", URI.create(URL), HttpFields.empty());
    Decision d = shared.lookup(head, at(20));
    assertEquals(Decision.Action.VALIDATE, d.action());
    shared.complete(
        d,
        new HttpResponse(
            200,
            "OK",
            HttpFields.of("Cache-Control", "max-age=100", "Date", date(20), "X-V", "2"),
            null),
        at(20),
        at(20));
    HttpResponse r = shared.lookup(get(), at(30)).response();
    assertEquals("2", r.fields().first("X-V").orElseThrow());
    assertEquals("body", StandardCharsets.UTF_8.decode(r.content()).toString());
  }

  @Test
  void hopByHopAndConnectionListedFieldsAreNotStoredOrForwarded() {
    HttpResponse out =
        prime(
            shared,
            get(),
            ok(
                "Cache-Control",
                "max-age=100",
                "Connection",
                "x-hop",
                "X-Hop",
                "1",
                "Keep-Alive",
                "timeout=5",
                "X-End",
                "2"));
    assertFalse(out.fields().contains("X-Hop"));
    assertFalse(out.fields().contains("Keep-Alive"));
    HttpResponse served = shared.lookup(get(), at(1)).response();
    assertFalse(served.fields().contains("X-Hop"));
    assertEquals("2", served.fields().first("X-End").orElseThrow());
  }

  @Test
  void qualifiedNoCacheAndPrivateFieldsAreNotStored() {
    prime(
        shared,
        get(),
        ok(
            "Cache-Control",
            "max-age=100, no-cache=\"set-cookie\", private=\"x-user\"",
            "Set-Cookie",
            "a=b",
            "X-User",
            "u",
            "X-Keep",
            "k"));
    HttpResponse served = shared.lookup(get(), at(1)).response();
    assertFalse(served.fields().contains("Set-Cookie"));
    assertFalse(served.fields().contains("X-User"));
    assertTrue(served.fields().contains("X-Keep"));
  }

  @Test
  void targetedFieldReplacesCacheControlAndExpires() {
    HttpCache cdn = HttpCache.builder().targetedFields("CDN-Cache-Control").build();
    prime(cdn, get(), ok("Cache-Control", "no-store", "CDN-Cache-Control", "max-age=100"));
    assertEquals(Decision.Action.SERVE, cdn.lookup(get(), at(50)).action());
    HttpCache cdn2 = HttpCache.builder().targetedFields("CDN-Cache-Control").build();
    prime(cdn2, get(), ok("Cache-Control", "no-store", "CDN-Cache-Control", "max-age=\"100\""));
    assertEquals(
        Decision.Action.FORWARD, cdn2.lookup(get(), at(50)).action(), "invalid field ignored");
  }

  @Test
  void dateAddedWhenOriginSendsNone() {
    HttpResponse out = prime(shared, get(), ok("Cache-Control", "max-age=100"));
    assertEquals(Optional.of(date(0)), out.fields().first("Date"));
  }

  @Test
  void storedResponsesReportFreshness() {
    prime(shared, get(), ok("Cache-Control", "max-age=100", "Date", date(0)));
    StoredResponse s = shared.store().variants(get().key()).get(0);
    assertEquals(Duration.ofSeconds(100), s.freshnessLifetime());
    assertTrue(s.isFresh(at(99)));
    assertFalse(s.isFresh(at(100)));
  }
}
