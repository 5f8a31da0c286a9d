package dev.headend.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

/** Garbage never escapes the parsers; well-formed input means what it says; age arithmetic. */
class HttpParsingPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Provide
  Arbitrary<String> fieldText() {
    return Arbitraries.strings()
        .withChars(" \t,;=\"\\'-.*?:()abcdefmnorstxyzAG0123456789")
        .ofMaxLength(80);
  }

  @Property(tries = 2000)
  void cacheControlParsesAnything(@ForAll("fieldText") String value) {
    CacheControl cc = CacheControl.parse(value);
    // Whatever it parsed prints as text that parses to the same directives.
    CacheControl again = CacheControl.parse(cc.toString().replace("=invalid", "=x"));
    assertEquals(cc.toString(), again.toString());
    assertTrue(CacheControl.parseTargeted(value) == null || value.strip().length() > 0);
  }

  @Property(tries = 1000)
  void cacheControlReadsWellFormedDeltas(
      @ForAll @LongRange(min = 0, max = 99_999_999_999L) long maxAge,
      @ForAll @IntRange(min = 0, max = 3) int leadingZeros,
      @ForAll boolean quoted) {
    String arg = "0".repeat(leadingZeros) + maxAge;
    CacheControl cc = CacheControl.parse("public, Max-Age=" + (quoted ? '"' + arg + '"' : arg));
    assertEquals(Math.min(maxAge, 2147483648L), cc.maxAge().getAsLong());
    assertTrue(cc.isPublic());
  }

  @Property(tries = 2000)
  void datesParseAnythingWithoutThrowing(@ForAll("fieldText") String value) {
    HttpDates.parse(value, NOW);
    EntityTag.parseList(value);
  }

  @Property(tries = 1000)
  void datesRoundTrip(@ForAll @LongRange(min = 0, max = 253402300799L) long epochSecond) {
    Instant t = Instant.ofEpochSecond(epochSecond);
    assertEquals(Optional.of(t), HttpDates.parse(HttpDates.format(t), NOW));
  }

  @Property(tries = 500)
  void engineSurvivesGarbageFields(
      @ForAll("fieldText") String cacheControl,
      @ForAll("fieldText") String expires,
      @ForAll("fieldText") String age,
      @ForAll("fieldText") String vary,
      @ForAll("fieldText") String etag,
      @ForAll @StringLength(max = 20) String range) {
    HttpCache cache = HttpCache.builder().build();
    HttpRequest req =
        new HttpRequest(
            "GET",
            URI.create("http://h.test/x"),
            HttpFields.of(
                "Cache-Control", cacheControl, "Range", range.replaceAll("[\\r\\n\\x00]", "")));
    Decision d = cache.lookup(req, NOW);
    HttpResponse resp =
        HttpResponse.of(
            200,
            HttpFields.of(
                "Cache-Control", cacheControl,
                "Expires", expires,
                "Age", age,
                "Vary", vary,
                "ETag", etag,
                "Last-Modified", expires,
                "Date", expires),
            "0123456789");
    HttpResponse out = cache.complete(d, resp, NOW, NOW);
    assertTrue(out.status() >= 200);
    for (int s = 0; s < 3; s++) {
      Decision next = cache.lookup(req, NOW.plusSeconds(s * 1000L));
      if (next.action() == Decision.Action.SERVE) {
        assertTrue(next.response().status() >= 200);
      } else {
        cache.complete(next, HttpResponse.of(304, HttpFields.of("ETag", etag), ""), NOW, NOW);
      }
    }
  }

  /** Random but meaningful freshness inputs. */
  record Timing(long maxAge, long dateSkew, long ageHeader, long delay, long later) {}

  @Provide
  Arbitrary<Timing> timings() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 100_000),
            Arbitraries.longs().between(-5_000, 5_000),
            Arbitraries.longs().between(0, 50_000),
            Arbitraries.longs().between(0, 100),
            Arbitraries.longs().between(0, 200_000))
        .as(Timing::new);
  }

  /** RFC 9111 §4.2.3 computed independently of the engine, against the engine's decision. */
  @Property(tries = 2000)
  void freshnessArithmetic(@ForAll("timings") Timing t) {
    HttpCache cache = HttpCache.builder().build();
    Instant requestTime = NOW.minusSeconds(t.delay());
    Instant responseTime = NOW;
    Instant date = responseTime.minusSeconds(t.dateSkew());
    HttpRequest req = HttpRequest.get("http://h.test/f");
    cache.complete(
        cache.lookup(req, requestTime),
        HttpResponse.of(
            200,
            HttpFields.of(
                "Cache-Control", "max-age=" + t.maxAge(),
                "Date", HttpDates.format(date),
                "Age", Long.toString(t.ageHeader())),
            "x"),
        requestTime,
        responseTime);
    long apparentAge = Math.max(0, t.dateSkew());
    long correctedInitialAge = Math.max(apparentAge, t.ageHeader() + t.delay());
    long currentAge = correctedInitialAge + t.later();
    Decision d = cache.lookup(req, NOW.plusSeconds(t.later()));
    boolean fresh = t.maxAge() > currentAge;
    assertEquals(
        fresh ? Decision.Action.SERVE : Decision.Action.VALIDATE, d.action(), t.toString());
    if (fresh) {
      assertEquals(Long.toString(currentAge), d.response().fields().first("Age").orElseThrow());
    }
  }

  @Property(tries = 500)
  void preconditionsFollowTheOrderOfRfc9110(
      @ForAll boolean ifMatchHit, @ForAll boolean ifNoneMatchHit, @ForAll boolean get) {
    EntityTag current = EntityTag.strong("cur");
    HttpRequest req =
        new HttpRequest(
            get ? "GET" : "PUT",
            URI.create("http://h.test/p"),
            HttpFields.of(
                "If-Match", ifMatchHit ? "\"x\", \"cur\"" : "\"x\"",
                "If-None-Match", ifNoneMatchHit ? "W/\"cur\"" : "\"y\""));
    Preconditions.Outcome o = Preconditions.evaluate(req, current, null, true, NOW);
    Preconditions.Outcome expected =
        !ifMatchHit
            ? Preconditions.Outcome.PRECONDITION_FAILED
            : !ifNoneMatchHit
                ? Preconditions.Outcome.PROCEED
                : get
                    ? Preconditions.Outcome.NOT_MODIFIED
                    : Preconditions.Outcome.PRECONDITION_FAILED;
    assertEquals(expected, o);
  }

  @Property(tries = 300)
  void contentEntityTagsAreStableAndDistinct(@ForAll byte[] a, @ForAll byte[] b) {
    EntityTag ta = EntityTag.of(java.nio.ByteBuffer.wrap(a));
    assertEquals(ta, EntityTag.of(java.nio.ByteBuffer.wrap(a.clone())));
    assertEquals(Optional.of(ta), EntityTag.parse(ta.toString()));
    if (!java.util.Arrays.equals(a, b)) {
      assertTrue(!ta.equals(EntityTag.of(java.nio.ByteBuffer.wrap(b))));
    }
    assertEquals(List.of(ta), EntityTag.parseList(" " + ta + " ,"));
  }
}
